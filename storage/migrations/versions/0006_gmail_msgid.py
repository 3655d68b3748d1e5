"""Gmail X-GM-MSGID on messages (issue 3)

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Keep Gmail's X-GM-MSGID per message, indexed per account for the de-duplication."""
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("gmail_msgid", sa.BigInteger(), nullable=True))
        batch.create_index(
            "ix_messages_account_gmail_msgid", ["account_id", "gmail_msgid"], unique=False
        )


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("messages") as batch:
        batch.drop_index("ix_messages_account_gmail_msgid")
        batch.drop_column("gmail_msgid")
