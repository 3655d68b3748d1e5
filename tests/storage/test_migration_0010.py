"""Migration 0010 on a database filled by the previous version: applications from stored mail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from bounceback.nlp.analyzer import Analyzer
from bounceback.storage.db import current_revision, make_engine, session_factory, upgrade
from bounceback.storage.models import Application, ApplicationEvent, MessageLink
from tests.support.applications import store_samples

PREVIOUS = "0007"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database at the revision before the applications."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url, PREVIOUS)
    yield url


@pytest.mark.slow
def test_upgrade_fills_applications_from_mail_already_stored(
    old_database: str, analyzer: Analyzer
) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    from bounceback.storage.db import alembic_config

    head = ScriptDirectory.from_config(alembic_config(old_database)).get_current_head()
    engine = make_engine(old_database)
    sessions: sessionmaker[Session] = session_factory(engine)
    try:
        # Mail stored and analysed, then the schema taken back to the version before the
        # applications: its rows are what that version had stored (today's models cannot
        # write to the old tables directly, as later migrations added columns).
        upgrade(old_database)
        _account_id, ids = store_samples(sessions, analyzer)
        engine.dispose()
        command.downgrade(alembic_config(old_database), PREVIOUS)
        assert current_revision(engine) == PREVIOUS
        assert "applications" not in inspect(engine).get_table_names()
        upgrade(old_database)
        assert current_revision(engine) == head
        with sessions.begin() as session:
            apps = {a.employer: a for a in session.scalars(select(Application))}
            assert len(apps) == 17
            assert apps["Holloway Insurance"].rejected_at == "interview"
            assert apps["Ridgeback Retail"].stage == "assessment"
            linked = session.scalar(select(func.count()).select_from(MessageLink))
            assert linked == len(ids), "every analysed message was placed (or marked none)"
            events = session.scalar(select(func.count()).select_from(ApplicationEvent))
            assert events and events >= 28
        upgrade(old_database)  # nothing more to do
    finally:
        engine.dispose()


def test_downgrade_drops_the_application_tables(old_database: str) -> None:
    upgrade(old_database)
    from alembic import command

    from bounceback.storage.db import alembic_config

    command.downgrade(alembic_config(old_database), PREVIOUS)
    engine = make_engine(old_database)
    try:
        tables = set(inspect(engine).get_table_names())
        assert "applications" not in tables and "message_links" not in tables
        assert "quiet_days" not in {c["name"] for c in inspect(engine).get_columns("profiles")}
    finally:
        engine.dispose()
