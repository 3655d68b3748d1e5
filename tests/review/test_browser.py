"""The review page in a real Chromium: the main journeys, and the XSS corpus rendered safely."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.review.server import ReviewServer
from bounceback.storage.models import Analysis, Correction, Gap, Message
from tests.review.corpus import JOURNEY_MISSED, XSS_PAYLOADS, artifacts_dir

pytestmark = pytest.mark.slow

# Selects body[start:end] inside the email text, walking its text nodes like the page does.
SELECT_SPAN = """([start, end]) => {
  const root = document.getElementById("mailtext");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let seen = 0, node, range = document.createRange(), begun = false;
  while ((node = walker.nextNode())) {
    const length = node.textContent.length;
    if (!begun && start <= seen + length) { range.setStart(node, start - seen); begun = true; }
    if (begun && end <= seen + length) { range.setEnd(node, end - seen); break; }
    seen += length;
  }
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  document.dispatchEvent(new Event("selectionchange"));
}"""


def _gaps(sessions: sessionmaker[Session], message_id: int) -> list[Gap]:
    with sessions.begin() as session:
        return list(
            session.scalars(select(Gap).where(Gap.message_id == message_id).order_by(Gap.start))
        )


def _kinds(sessions: sessionmaker[Session], message_id: int) -> list[str]:
    with sessions.begin() as session:
        return list(
            session.scalars(
                select(Correction.kind)
                .where(Correction.message_id == message_id)
                .order_by(Correction.id)
            )
        )


def _page(chromium: Any, server: ReviewServer) -> tuple[Any, Any, list[str]]:
    context = chromium.new_context(viewport={"width": 1360, "height": 1000})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.goto(server.login_url)
    return context, page, requests


def test_accept_edit_dismiss_add_and_relabel(
    chromium: Any,
    review_server: ReviewServer,
    review_db: tuple[sessionmaker[Session], dict[str, int]],
) -> None:
    sessions, ids = review_db
    shots = artifacts_dir()
    context, page, requests = _page(chromium, review_server)
    try:
        assert page.url == review_server.base_url + "/", "the token is swapped for a cookie"
        assert page.locator(".rows .row").count() >= 10
        page.screenshot(path=str(shots / "01-queue.png"), full_page=True)

        # Accept (keyboard): the journey email has two gaps; n selects, a accepts.
        journey = ids["journey"]
        first, second = _gaps(sessions, journey)[:2]
        page.goto(f"{review_server.base_url}/?m={journey}")
        page.keyboard.press("n")
        assert "focused" in (page.locator(f"#gap-{first.id}").get_attribute("class") or "")
        with page.expect_navigation():
            page.keyboard.press("a")
        assert _gaps(sessions, journey)[0].status == "accepted"
        assert page.locator(f"#gap-{first.id} .chip.status").inner_text() == "accepted"
        page.screenshot(path=str(shots / "02-accepted.png"), full_page=True)

        # Edit (mouse): the second gap is about communication, not preparation.
        page.locator(f"#gap-{second.id} details.edit summary").click()
        form = page.locator(f"#gap-{second.id} form.act-edit")
        form.locator("select[name=category]").select_option("communication")
        form.locator("input[name=skill]").fill("concise answers")
        page.screenshot(path=str(shots / "03-editing.png"), full_page=True)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        edited = _gaps(sessions, journey)[1]
        assert (edited.status, edited.category, edited.skill) == (
            "edited",
            "communication",
            "concise answers",
        )
        assert "cat-communication" in (
            page.locator(f"#mark-{second.id}").get_attribute("class") or ""
        )

        # Add a missed gap by selecting text, then g and the Add button.
        with sessions.begin() as session:
            body = session.get_one(Message, journey).analysed_text
        missed = JOURNEY_MISSED
        start = body.index(missed)
        page.evaluate(SELECT_SPAN, [start, start + len(missed)])
        assert page.locator("#add-button").is_enabled()
        page.keyboard.press("g")
        page.locator("#add-form select[name=category]").select_option("evidence")
        page.screenshot(path=str(shots / "04-adding.png"), full_page=True)
        with page.expect_navigation():
            page.locator("#add-button").click()
        added = [g for g in _gaps(sessions, journey) if g.text == missed]
        assert len(added) == 1
        assert (added[0].start, added[0].category, added[0].status) == (
            start,
            "evidence",
            "edited",
        )
        assert page.locator(f"#mark-{added[0].id}").inner_text() == missed

        # Dismiss (keyboard) the gap just added: p moves the selection back to the last gap.
        page.keyboard.press("p")
        with page.expect_navigation():
            page.keyboard.press("d")
        assert [g.status for g in _gaps(sessions, journey) if g.text == missed] == ["dismissed"]
        page.screenshot(path=str(shots / "05-dismissed.png"), full_page=True)

        # Relabel and fix company and role.
        page.locator("#labels-form input[value=feedback]").check()
        page.locator("#labels-form input[value=offer]").check()
        page.locator("#labels-form input[value=offer]").uncheck()
        with page.expect_navigation():
            page.locator("#labels-form button[type=submit]").click()
        page.locator("#company-form input[name=company]").fill("Harbourline Ltd")
        page.locator("#company-form input[name=role]").fill("Junior Data Engineer")
        with page.expect_navigation():
            page.locator("#company-form button[type=submit]").click()
        with sessions.begin() as session:
            analysis = session.scalars(select(Analysis).where(Analysis.message_id == journey)).one()
            assert sorted(analysis.labels) == ["feedback", "rejection"]
            assert (analysis.company, analysis.role) == ("Harbourline Ltd", "Junior Data Engineer")
        page.screenshot(path=str(shots / "06-relabelled.png"), full_page=True)

        # Confirm with c: reviewed, and the page moves on to another email.
        with page.expect_navigation():
            page.keyboard.press("c")
        with sessions.begin() as session:
            status = session.scalars(
                select(Analysis.review_status).where(Analysis.message_id == journey)
            ).one()
        assert status == "reviewed"
        assert page.locator("#detail").get_attribute("data-message") != str(journey)
        assert _kinds(sessions, journey) == [
            "gap_accept",
            "gap_edit",
            "gap_add",
            "gap_dismiss",
            "labels",
            "company_role",
            "confirm",
        ]

        page.goto(f"{review_server.base_url}/trends")
        assert page.locator("svg.chart rect").count() > 0
        assert "Airflow" in page.locator("ol.skills").inner_text()
        page.screenshot(path=str(shots / "07-trends.png"), full_page=True)
        local = review_server.base_url + "/"
        assert [url for url in requests if not url.startswith((local, "data:"))] == []
    finally:
        context.close()


def test_xss_corpus_runs_nothing_and_loads_nothing_remote(
    chromium: Any,
    review_server: ReviewServer,
    review_db: tuple[sessionmaker[Session], dict[str, int]],
) -> None:
    _, ids = review_db
    shots = artifacts_dir()
    context, page, requests = _page(chromium, review_server)
    escaped: list[str] = []
    dialogs: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(review_server.base_url + "/"):
            route.continue_()
        else:
            escaped.append(route.request.url)
            route.abort()

    context.route("**/*", guard)

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        for name in XSS_PAYLOADS:
            page.goto(f"{review_server.base_url}/?status=all&m={ids[name]}")
            page.wait_for_load_state("load")
            frame_element = page.locator("details.original iframe")
            assert frame_element.count() == 1, name
            assert frame_element.get_attribute("sandbox") == "", name
            # Hover and click everything in the email text, as a curious user would.
            page.locator("#mailtext").hover()
            page.locator("#mailtext").click()
            frame = frame_element.element_handle().content_frame()
            assert frame is not None
            assert name in frame.locator("body").inner_text(), name
            assert page.evaluate("window.__pwned") is None, name
            assert page.title() == "Queue · bounceback", name
            assert page.evaluate("document.cookie") == "", "the session cookie is HttpOnly"
        page.screenshot(path=str(shots / "08-xss-last.png"), full_page=True)
    finally:
        context.close()
    assert dialogs == []
    assert escaped == []
    local = review_server.base_url + "/"
    assert [url for url in requests if not url.startswith((local, "data:", "about:"))] == []
    assert any("/?status=all&m=" in url for url in requests)
