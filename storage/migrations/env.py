"""Alembic environment: runs migrations with bounceback's own engine settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from bounceback.storage.db import make_engine
from bounceback.storage.models import Base

config = context.config
target_metadata = Base.metadata


#: Data steps that need today's models (the linker, say) cannot run on a half-upgraded
#: schema: a migration appends them to config.attributes[AFTER_HEAD], and they run in
#: order, right after the migrations, once the upgrade has reached the newest revision. (An
#: upgrade that stops short skips them; the next poll links what is unlinked anyway.)
AFTER_HEAD = "after_head"


def _foreign_keys(connection: Connection, *, on: bool) -> None:
    """Switch SQLite's foreign-key enforcement outside any transaction."""
    driver = connection.connection.dbapi_connection
    assert driver is not None
    driver.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def run_migrations_online() -> None:
    """Run migrations against the configured URL, then any data steps waiting for head."""
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is not set"
    engine = make_engine(url)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild SQLite tables (copy, drop the old one, rename). With
            # foreign keys on, dropping the old table would cascade-delete every row that
            # points at it (a downgrade of messages would take all analyses with it).
            # Set on the driver's connection: SQLAlchemy's own BEGIN IMMEDIATE would come
            # first, and inside a transaction SQLite ignores this pragma.
            _foreign_keys(connection, on=False)
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
        )
        config.attributes[AFTER_HEAD] = []
        with context.begin_transaction():
            context.run_migrations()
            waiting = config.attributes.pop(AFTER_HEAD)
            migration = context.get_context()
            if waiting and migration.get_current_revision() == context.get_head_revision():
                for step in waiting:
                    step(connection)
        if connection.in_transaction():
            # Alembic commits each migration itself where DDL is not transactional
            # (SQLite); the data steps' writes come after that and are committed here.
            connection.commit()
        if sqlite:
            _foreign_keys(connection, on=True)
    engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
