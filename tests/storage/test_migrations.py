"""The Alembic migrations build exactly the schema the models declare, and go both ways."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bounceback.storage.db import current_revision, make_engine, upgrade
from bounceback.storage.models import Base


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        assert differences == [], "a model change has no migration: " + repr(differences)
        assert current_revision(engine) is not None
    finally:
        engine.dispose()


def test_upgrade_is_idempotent_and_creates_every_table(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)  # a second run finds nothing to do
    engine = make_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables
