"""Corrections carry the review page's request id, so one action is stored once (issue 14)

Revision ID: 0009
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add corrections.request_id, unique where set (many NULLs are allowed)."""
    with op.batch_alter_table("corrections") as batch:
        batch.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_corrections_request_id", ["request_id"])


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("corrections") as batch:
        batch.drop_constraint("uq_corrections_request_id", type_="unique")
        batch.drop_column("request_id")
