"""review corrections (issue 6)

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Review state on analyses, and the corrections table."""
    with op.batch_alter_table("analyses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review_status", sa.String(length=16), server_default="auto", nullable=False)
        )
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("review_priority", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("label_key", sa.String(length=200), nullable=True))
        batch_op.create_index(
            "ix_analyses_review_queue", ["review_status", "review_priority"], unique=False
        )
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("gap_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("old", sa.JSON(), nullable=False),
        sa.Column("new", sa.JSON(), nullable=False),
        sa.Column("model_version", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["gap_id"], ["gaps.id"], name=op.f("fk_corrections_gap_id_gaps"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_corrections_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrections")),
    )
    with op.batch_alter_table("corrections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_corrections_message_created", ["message_id", "created_at"], unique=False
        )


def downgrade() -> None:
    """Drop the corrections table and the review columns."""
    with op.batch_alter_table("corrections", schema=None) as batch_op:
        batch_op.drop_index("ix_corrections_message_created")
    op.drop_table("corrections")
    with op.batch_alter_table("analyses", schema=None) as batch_op:
        batch_op.drop_index("ix_analyses_review_queue")
        batch_op.drop_column("label_key")
        batch_op.drop_column("review_priority")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("review_status")
