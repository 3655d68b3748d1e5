"""account leases for concurrent polls (issue 7)

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the poll lease (holder, fencing token, expiry) to every account."""
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("poll_lease_holder", sa.String(length=200), nullable=True))
        batch.add_column(
            sa.Column("poll_lease_token", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("poll_lease_expires_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    """Drop the poll lease columns."""
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("poll_lease_expires_at")
        batch.drop_column("poll_lease_token")
        batch.drop_column("poll_lease_holder")
