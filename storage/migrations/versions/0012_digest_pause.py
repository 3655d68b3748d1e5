"""The user can pause the scheduled digests by mail ("pause") and start them again ("resume")

accounts.digest_paused: scheduled digests are skipped while it is set.
accounts.digest_switched_at: when the latest pause or resume was asked for, so an older
request read late never undoes a newer one.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the two columns; every account starts unpaused."""
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(
            sa.Column("digest_paused", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(
            sa.Column("digest_switched_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("digest_switched_at")
        batch.drop_column("digest_paused")
