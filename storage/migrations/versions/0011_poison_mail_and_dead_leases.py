"""Poison mail is quarantined, leases name their process, identity ignores transport headers

messages.quarantine_reason and messages.quarantined_at: a message that could not be stored
as it came, parsed or analysed is flagged with the reason and never tried again.
accounts.poll_lease_host and accounts.poll_lease_pid: where the poll lease holder runs, so
a lease whose process is gone from this machine is taken over at once (issue 16).

The upgrade then recomputes messages.content_hash without transport header fields
(`bounceback.storage.mailbox.content_identity`), so mail re-appended with an added
Received or DKIM field is recognised, and stores keys longer than their column (SQLite
never enforced the limit) as the hash the models now look them up by.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 500


def upgrade() -> None:
    """Add the columns, then rehash stored mail and over-long keys."""
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("quarantine_reason", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("poll_lease_host", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("poll_lease_pid", sa.Integer(), nullable=True))
    _rehash_messages()
    _fit_keys()


def _rehash_messages() -> None:
    from bounceback.storage.mailbox import content_identity

    connection = op.get_bind()
    messages = sa.table(
        "messages",
        sa.column("id", sa.Integer()),
        sa.column("raw", sa.LargeBinary()),
        sa.column("size", sa.Integer()),
        sa.column("fetch_status", sa.String()),
        sa.column("content_hash", sa.String()),
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(messages.c.id, messages.c.raw, messages.c.size, messages.c.fetch_status)
            .where(messages.c.id > last, messages.c.fetch_status.in_(("full", "oversize")))
            .order_by(messages.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        values = []
        for row in rows:
            raw = bytes(row.raw or b"")
            if row.fetch_status == "oversize":
                raw += b"\0size=%d" % row.size
            values.append({"key": row.id, "hash": content_identity(raw)})
        connection.execute(
            messages.update()
            .where(messages.c.id == sa.bindparam("key"))
            .values(content_hash=sa.bindparam("hash")),
            values,
        )
        last = rows[-1].id


def _fit_keys() -> None:
    from bounceback.storage.columns import fit_key

    connection = op.get_bind()
    for table_name, column_name, limit in (
        ("messages", "header_message_id", 998),
        ("messages", "in_reply_to", 998),
        ("job_postings", "dedupe_key", 500),
        ("application_refs", "ref", 300),
    ):
        table = sa.table(table_name, sa.column("id", sa.Integer()), sa.column(column_name))
        column = table.c[column_name]
        rows = connection.execute(
            sa.select(table.c.id, column).where(sa.func.length(column) > limit)
        ).all()
        for row in rows:
            fitted = fit_key(row[1], limit)
            connection.execute(
                table.update().where(table.c.id == row[0]).values({column_name: fitted})
            )


def downgrade() -> None:
    """Drop what upgrade added (content hashes stay as recomputed, without transport fields)."""
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("poll_lease_pid")
        batch.drop_column("poll_lease_host")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("quarantined_at")
        batch.drop_column("quarantine_reason")
