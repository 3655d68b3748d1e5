"""Shared fixtures: databases (SQLite and PostgreSQL), loopback mail servers, a Prefect harness."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bounceback.demo.servers import EmbeddedImapServer, SmtpSink
from bounceback.storage.db import make_engine, session_factory, upgrade
from tests.servers.dovecot import dovecot, dovecot_session  # noqa: F401 (fixtures)

if TYPE_CHECKING:
    from bounceback.nlp.analyzer import Analyzer

# One Prefect home for the whole session, so each temporary Prefect server (one per CLI
# subprocess) migrates its database once, not in every test's fresh BOUNCEBACK_HOME.
# Under pytest-xdist each worker process gets its own, so no two servers share a database.
if os.environ.get("PYTEST_XDIST_WORKER") or not os.environ.get("PREFECT_HOME"):
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="bounceback-tests-prefect-")

POSTGRES_ADMIN_URL = os.environ.get(
    "BOUNCEBACK_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_available() -> str | None:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means: no server here
        return f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable ({type(exc).__name__})"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session (dropped afterwards)."""
    reason = _postgres_available()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " — CI must run the PostgreSQL tests")
        pytest.skip(reason)
    name = f"bounceback_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An upgraded, empty database: SQLite in a temp folder, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        upgrade(url)
        yield url
        return
    base = request.getfixturevalue("postgres_url")
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(base)
    yield base


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """A session factory on the test database."""
    engine = make_engine(database_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def sqlite_sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A session factory on a fresh SQLite database only (for flow-level tests)."""
    url = f"sqlite:///{tmp_path / 'flows.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def imap_server() -> Iterator[EmbeddedImapServer]:
    """pymap's in-memory IMAP server on a loopback port, empty."""
    with EmbeddedImapServer(user="alex", password="s3cret-pass") as server:
        yield server


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """An aiosmtpd sink on a loopback port that records what it receives."""
    with SmtpSink() as sink:
        yield sink


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on the shared Prefect test server run last, in their usual order.

    Once started, that server stays up for the session and becomes the Prefect every later
    test in this process talks to, so tests that start their own Prefect must come first.
    """
    items.sort(key=lambda item: "prefect_harness" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    """The shipped models, loaded once (tests that need other models define their own)."""
    from bounceback.nlp.analyzer import Analyzer

    return Analyzer.load()


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One Prefect test server for the whole session (each start costs ~10 s)."""
    from prefect.settings import temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    from bounceback.flows.runtime import prefect_updates

    with temporary_settings(updates=prefect_updates()):  # type: ignore[arg-type]
        with prefect_test_harness(server_startup_timeout=60):
            yield


@pytest.fixture
def bounceback_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private BOUNCEBACK_HOME (and database) for one test."""
    home = tmp_path / "home"
    monkeypatch.setenv("BOUNCEBACK_HOME", str(home))
    monkeypatch.delenv("BOUNCEBACK_DATABASE_URL", raising=False)
    return home


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser).

    One per test module: Playwright's sync API keeps an event loop marked as running in
    the main thread while it is open, and Prefect's sync calls made later in the same
    process would then hand back coroutines instead of results.
    """
    if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        _browser_missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def _browser_missing(reason: str) -> None:
    """Skip locally with the reason; in CI a missing browser fails the test."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " (CI must run these tests)")
    pytest.skip(reason)
