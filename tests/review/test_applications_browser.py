"""The applications view in Debian's Chromium: list, timeline, merge and split by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bounceback.flows.link import link_pending
from bounceback.review.server import ReviewServer
from bounceback.storage.db import make_engine, session_factory, upgrade
from bounceback.storage.models import ApplicationCorrection
from tests.support.applications import mail, new_account, store_mail

pytestmark = pytest.mark.slow
TOKEN = "apps-token-" + "x" * 40
DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture
def linked(tmp_path: Path) -> Iterator[tuple[sessionmaker[Session], dict[str, int]]]:
    """Mail for three applications, one employer split over two names by the model."""
    url = f"sqlite:///{tmp_path / 'apps.db'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    account_id = new_account(sessions)
    from datetime import UTC, datetime, timedelta

    t0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
    ids = store_mail(sessions, account_id, [
        (mail("Thanks for applying", "Received.", when=t0), ["application_received"], "Applyflow", "Data Analyst"),
        (mail("Interview", "We'd like to invite you to an interview.", when=t0 + timedelta(days=3)),
         ["interview"], "Ridgeback Retail", "Data Analyst"),
        (mail("Thanks", "Received.", when=t0 + timedelta(days=4)), ["application_received"], "Kestrel Analytics", "Data Analyst"),
        (mail("Final round", "Invite to final round.", when=t0 + timedelta(days=9)), ["interview"], "Kestrel Analytics", "Data Analyst"),
    ], 1)  # fmt: skip
    link_pending(account_id, sessions=sessions)
    yield sessions, dict(zip(["ack", "invite", "kestrel", "final"], ids, strict=True))
    engine.dispose()


def test_merge_and_split_in_the_browser(
    chromium: Any,
    linked: tuple[sessionmaker[Session], dict[str, int]],
) -> None:
    sessions, ids = linked
    with ReviewServer(sessions, TOKEN, 0) as server:
        context = chromium.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(server.login_url)
        page.goto(server.base_url + "/applications")
        rows = page.locator(".app-row")
        assert rows.count() == 3
        assert page.get_by_role("link", name="Applyflow").count() == 1
        # merge: tick Ridgeback first (it keeps its name), then the ATS-named one
        page.get_by_label("tick Ridgeback Retail").check()
        page.get_by_label("tick Applyflow").check()
        page.click("#merge-button")
        page.wait_for_url("**/applications/*")
        assert page.locator("#employer").inner_text() == "Ridgeback Retail"
        assert page.locator("li.mail").count() == 2
        page.goto(server.base_url + "/applications")
        assert page.locator(".app-row").count() == 2
        # split: the final-round email belongs to an application of its own
        page.get_by_role("link", name="Kestrel Analytics").click()
        page.locator(f'li.mail[data-message="{ids["final"]}"] input[type=checkbox]').check()
        page.click("#split-button")
        page.wait_for_url("**/applications/*")
        assert page.locator("li.mail").count() == 1
        assert page.locator(f'li.mail[data-message="{ids["final"]}"]').count() == 1
        # an error comes back as one sentence, nothing changed
        page.goto(server.base_url + "/applications")
        assert page.locator(".app-row").count() == 3
        page.locator(".app-row input[type=checkbox]").first.check()
        page.click("#merge-button")
        assert "exactly two" in page.locator(".error").inner_text()
        context.close()
    with sessions.begin() as session:
        kinds = [
            c.kind for c in session.query(ApplicationCorrection).order_by(ApplicationCorrection.id)
        ]
    assert kinds == ["merge", "split"]
