"""Fixtures for the review page: a stored mailbox, a running server, a real Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bounceback.nlp.analyzer import Analyzer
from bounceback.review.server import ReviewServer
from bounceback.storage.db import make_engine, session_factory, upgrade
from tests.review.corpus import populate

CHROMIUM = "/usr/bin/chromium"
TOKEN = "test-token-" + "x" * 40


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    """The shipped models, loaded once."""
    return Analyzer.load()


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
def review_server(
    review_db: tuple[sessionmaker[Session], dict[str, int]],
) -> Iterator[ReviewServer]:
    """The review app served on a free loopback port."""
    with ReviewServer(review_db[0], TOKEN, 0) as server:
        yield server


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " — CI must run the browser tests")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()
