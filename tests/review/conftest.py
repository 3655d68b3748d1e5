"""Fixtures for the review page: a stored mailbox, a running server, a real Chromium, axe."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bounceback.nlp.analyzer import Analyzer
from bounceback.review.server import ReviewServer
from bounceback.storage.db import make_engine, session_factory, upgrade
from tests.review.corpus import populate

TOKEN = "test-token-" + "x" * 40
#: axe-core from npm, installed by scripts/test (npm ci --prefix tests/review).
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


def _missing(reason: str) -> None:
    """Skip locally with the reason; in CI a missing tool fails the test."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " (CI must run these tests)")
    pytest.skip(reason)


@pytest.fixture
def review_db(
    tmp_path: Path, analyzer: Analyzer
) -> Iterator[tuple[sessionmaker[Session], dict[str, int]]]:
    """A SQLite database holding analysed sample mail and the XSS corpus; ids by name."""
    url = f"sqlite:///{tmp_path / 'review.db'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    ids = populate(sessions, analyzer, xss=True)
    yield sessions, ids
    engine.dispose()


@pytest.fixture
def journey_db(
    tmp_path: Path, analyzer: Analyzer
) -> Iterator[tuple[sessionmaker[Session], dict[str, int]]]:
    """Like review_db, with only ordinary sample mail (no XSS corpus): a realistic queue."""
    url = f"sqlite:///{tmp_path / 'journey.db'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    ids = populate(sessions, analyzer, xss=False)
    yield sessions, ids
    engine.dispose()


@pytest.fixture
def journey_server(
    journey_db: tuple[sessionmaker[Session], dict[str, int]],
) -> Iterator[ReviewServer]:
    """The review app over journey_db on a free loopback port."""
    with ReviewServer(journey_db[0], TOKEN, 0) as server:
        yield server


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The axe-core script, to inject into pages."""
    if not AXE.is_file():
        _missing(f"axe-core is not installed at {AXE}: run npm ci --prefix tests/review")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def review_server(
    review_db: tuple[sessionmaker[Session], dict[str, int]],
) -> Iterator[ReviewServer]:
    """The review app served on a free loopback port."""
    with ReviewServer(review_db[0], TOKEN, 0) as server:
        yield server
