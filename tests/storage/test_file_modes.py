"""Private by default: BOUNCEBACK_HOME 0700, the database and its WAL 0600, exports 0600."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import text

from bounceback.account.export import export_accounts
from bounceback.settings import load_settings
from bounceback.storage import accounts
from bounceback.storage.db import make_engine, session_factory, upgrade


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_home_database_wal_and_exports_are_owner_only(bounceback_home: Path) -> None:
    settings = load_settings()
    assert mode(bounceback_home) == 0o700
    url = settings.database_url
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as connection:  # a write, so the WAL and shared memory exist
        connection.execute(text("CREATE TABLE IF NOT EXISTS scratch (x INTEGER)"))
        connection.execute(text("INSERT INTO scratch VALUES (1)"))
        database = bounceback_home / "bounceback.db"
        wal = database.with_name("bounceback.db-wal")
        shm = database.with_name("bounceback.db-shm")
        assert wal.exists() and shm.exists()
        assert (mode(database), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        accounts.save_account(
            {
                "address": "alex@example.com",
                "username": "alex",
                "imap_host": "127.0.0.1",
                "imap_port": 1143,
                "imap_security": "none",
                "secret_ref": "env:X",
                "digest_to": "alex@example.com",
            },
            ["INBOX"],
            session=session,
        )
    out = bounceback_home.parent / "export"
    paths = export_accounts(sessions, out, address=None)
    engine.dispose()
    assert paths and {mode(path) for path in paths} == {0o600}
    assert mode(out) == 0o700


def test_an_older_world_readable_home_and_database_are_tightened(bounceback_home: Path) -> None:
    bounceback_home.mkdir(mode=0o755)
    bounceback_home.chmod(0o755)
    database = bounceback_home / "bounceback.db"
    database.touch()
    database.chmod(0o644)
    settings = load_settings()
    make_engine(settings.database_url).dispose()
    assert mode(bounceback_home) == 0o700 and mode(database) == 0o600
