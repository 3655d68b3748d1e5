"""Engines and schema upgrades. Callers own sessions; nothing is created at import time."""

from __future__ import annotations

import functools
import threading
from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bounceback.settings import private_dir, private_file

SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout, foreign keys and IMMEDIATE writes."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    database: Path | None = None
    name = parsed.database
    if name and name != ":memory:" and not name.startswith("file:"):
        # The database holds all the mail: owner-only, as are the -wal and -shm files
        # SQLite creates with the database's own mode (issue 16).
        database = Path(name)
        if not database.parent.exists():
            private_dir(database.parent)
        private_file(database)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        if database is not None:
            _private_companions(database)
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see
        # https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#serializable-isolation-savepoints-transactional-ddl)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Taking the write lock up front avoids "database is locked" on a
        # read-then-write upgrade when two processes work at once.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _private_companions(database: Path) -> None:
    """Tighten -wal and -shm files left world-readable by an older bounceback."""
    for suffix in ("-wal", "-shm"):
        companion = database.with_name(database.name + suffix)
        if companion.exists() and companion.stat().st_mode & 0o077:
            companion.chmod(0o600)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A sessionmaker bound to engine; objects stay usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at the migrations shipped in the package."""
    config = Config()
    config.set_main_option("script_location", str(files("bounceback.storage") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at url up to revision (default: the newest)."""
    command.upgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


# Flows poll several accounts at once in threads: the first calls must not race (Alembic's
# upgrade is not thread-safe).
_BUILD_LOCK = threading.Lock()


def sessions_for(database_url: str) -> sessionmaker[Session]:
    """One engine and session factory per database URL per process (schema brought up to date)."""
    with _BUILD_LOCK:
        return _sessions_for(database_url)


@functools.cache
def _sessions_for(database_url: str) -> sessionmaker[Session]:
    upgrade(database_url)
    return session_factory(make_engine(database_url))
