"""sync hardening (issue 3)

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Count UIDVALIDITY changes per folder; flag oversize/quarantined messages; index hashes."""
    with op.batch_alter_table("folders") as batch:
        batch.add_column(
            sa.Column("uidvalidity_changes", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("messages") as batch:
        batch.add_column(
            sa.Column("fetch_status", sa.String(length=16), server_default="full", nullable=False)
        )
        batch.create_index(
            "ix_messages_account_content_hash", ["account_id", "content_hash"], unique=False
        )


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("messages") as batch:
        batch.drop_index("ix_messages_account_content_hash")
        batch.drop_column("fetch_status")
    with op.batch_alter_table("folders") as batch:
        batch.drop_column("uidvalidity_changes")
