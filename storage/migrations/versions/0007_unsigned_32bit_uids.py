"""UIDs and UIDVALIDITY as 64-bit integers; an index for unparsed mail (issue 3)

IMAP UIDs and UIDVALIDITY values are unsigned 32-bit numbers (RFC 3501 nz-number, up to
4,294,967,295); PostgreSQL's INTEGER stops at 2,147,483,647, so a server that hands out a
large UIDVALIDITY (pymap picks a random one) could not be stored there.

Existing rows keep their status; only new mail is stored pending.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = {"folders": ("uidvalidity", "last_uid"), "messages": ("uidvalidity", "uid")}
_NULLABLE = {("folders", "uidvalidity")}


def _alter(to: type[sa.types.TypeEngine[int]], was: type[sa.types.TypeEngine[int]]) -> None:
    for table, columns in _COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(
                    column,
                    type_=to(),
                    existing_type=was(),
                    existing_nullable=(table, column) in _NULLABLE,
                )


def upgrade() -> None:
    """Widen every UID and UIDVALIDITY column to BIGINT; index messages by parse status.

    The sync now stores mail unparsed (status "pending") and the analysis step finds it by
    that status.
    """
    _alter(sa.BigInteger, sa.Integer)
    with op.batch_alter_table("messages") as batch:
        batch.create_index("ix_messages_account_parse_status", ["account_id", "parse_status"])


def downgrade() -> None:
    """Back to INTEGER (fails if a stored value no longer fits); drop the index."""
    with op.batch_alter_table("messages") as batch:
        batch.drop_index("ix_messages_account_parse_status")
    _alter(sa.Integer, sa.BigInteger)
