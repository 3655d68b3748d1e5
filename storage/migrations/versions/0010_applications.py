"""Applications and their timelines, filled from the mail already stored (issue 12)

New tables: applications, application_events, message_links, application_refs,
application_dates, application_corrections; profiles.quiet_days (default 21).

The upgrade then links every analysed message already stored, reading the stored rows
and raw bytes (nothing is downloaded again), with the same linker the poll runs after
analysis. That step imports the linker (bounceback.flows.link), the one place a
migration reaches outside storage: a data migration needs the code that makes the data.
It selects and inserts named columns only, so later schema changes do not break it.

Revision ID: 0010
Revises: 0009 (re-chained after 0008/0009 at merge)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = sa.DateTime(timezone=True)


def _create_tables() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("employer", sa.String(length=300), nullable=True),
        sa.Column("employer_key", sa.String(length=300), nullable=False),
        sa.Column("employer_fixed", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("role", sa.String(length=300), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("via", sa.String(length=300), nullable=True),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("rejected_at", sa.String(length=16), nullable=True),
        sa.Column("first_contact", _UTC, nullable=False),
        sa.Column("last_contact", _UTC, nullable=False),
        sa.Column("signal_expected", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("follow_up_offered_at", _UTC, nullable=True),
        sa.Column("created_at", _UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_applications_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
    )
    with op.batch_alter_table("applications") as batch:
        batch.create_index("ix_applications_account_employer", ["account_id", "employer_key"])
    op.create_table(
        "application_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("occurred_at", _UTC, nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"],
            name=op.f("fk_application_events_application_id_applications"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"],
            name=op.f("fk_application_events_message_id_messages"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_events")),
        sa.UniqueConstraint("message_id", "kind", name=op.f("uq_application_events_message_id_kind")),
    )
    with op.batch_alter_table("application_events") as batch:
        batch.create_index(
            "ix_application_events_application", ["application_id", "occurred_at"]
        )
    op.create_table(
        "message_links",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("pinned", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("linked_at", _UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_message_links_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"],
            name=op.f("fk_message_links_application_id_applications"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_links_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_message_links")),
    )
    with op.batch_alter_table("message_links") as batch:
        batch.create_index(
            "ix_message_links_account_application", ["account_id", "application_id"]
        )
    op.create_table(
        "application_refs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_application_refs_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"],
            name=op.f("fk_application_refs_application_id_applications"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_refs")),
        sa.UniqueConstraint("account_id", "ref", name=op.f("uq_application_refs_account_id_ref")),
    )
    with op.batch_alter_table("application_refs") as batch:
        batch.create_index(
            batch.f("ix_application_refs_application_id"), ["application_id"]
        )
    op.create_table(
        "application_dates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("at", _UTC, nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("tentative", sa.Boolean(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"],
            name=op.f("fk_application_dates_application_id_applications"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"],
            name=op.f("fk_application_dates_message_id_messages"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_dates")),
    )
    with op.batch_alter_table("application_dates") as batch:
        batch.create_index("ix_application_dates_application_at", ["application_id", "at"])
        batch.create_index(batch.f("ix_application_dates_message_id"), ["message_id"])
    op.create_table(
        "application_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"],
            name=op.f("fk_application_corrections_account_id_accounts"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_corrections")),
    )
    with op.batch_alter_table("application_corrections") as batch:
        batch.create_index("ix_application_corrections_account", ["account_id", "id"])
    with op.batch_alter_table("profiles") as batch:
        batch.add_column(
            sa.Column("quiet_days", sa.Integer(), server_default="21", nullable=False)
        )


def _backfill(connection: sa.engine.Connection) -> None:
    """Link the mail already stored and analysed, account by account."""
    from sqlalchemy.orm import Session

    from bounceback.flows.link import link_accounts

    account_ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM accounts"))]
    if not account_ids:
        return
    session = Session(bind=connection)
    try:
        link_accounts(account_ids, session=session)
        session.flush()
    finally:
        session.close()


def upgrade() -> None:
    """Create the application tables; fill them from the stored mail once at head.

    The filling runs the linker, which uses today's models, so it waits until later
    migrations have brought every table up to date (see env.py).
    """
    _create_tables()
    context.config.attributes.setdefault("after_head", []).append(_backfill)


def downgrade() -> None:
    """Drop the application tables and the profile's quiet_days."""
    with op.batch_alter_table("profiles") as batch:
        batch.drop_column("quiet_days")
    for table in (
        "application_corrections",
        "application_dates",
        "application_refs",
        "message_links",
        "application_events",
        "applications",
    ):
        op.drop_table(table)
