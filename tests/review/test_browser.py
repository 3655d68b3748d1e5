"""The review page in a real Chromium, driven from the keyboard as a reviewer would.

Each test ends by reading the corrections table: what the page did must be exactly what
the reviewer did, once.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.review.server import ReviewServer
from bounceback.storage.models import Analysis, Correction, Gap
from tests.review.corpus import JOURNEY_MISSED, XSS_PAYLOADS, artifacts_dir

pytestmark = pytest.mark.slow

Row = tuple[int, str, int | None]  # (message id, kind, gap id) of a correction


def _log(sessions: sessionmaker[Session]) -> list[Row]:
    with sessions.begin() as session:
        rows = session.scalars(select(Correction).order_by(Correction.id))
        return [(c.message_id, c.kind, c.gap_id) for c in rows]


def _tagged(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        ids = session.scalars(
            select(Correction.request_id).where(Correction.request_id.is_not(None))
        )
        return len(set(ids))


def _gaps(sessions: sessionmaker[Session], message_id: int) -> list[Gap]:
    with sessions.begin() as session:
        found = session.scalars(
            select(Gap).where(Gap.message_id == message_id).order_by(Gap.start, Gap.id)
        )
        return list(found)


def _analysis(sessions: sessionmaker[Session], message_id: int) -> Analysis:
    with sessions.begin() as session:
        return session.scalars(select(Analysis).where(Analysis.message_id == message_id)).one()


class Reviewer:
    """A keyboard-only user of one page, with the expectations their actions imply."""

    def __init__(self, page: Any, sessions: sessionmaker[Session]) -> None:
        self.page = page
        self.sessions = sessions
        self.expected: list[Row] = []
        self.unchecked: dict[int, list[int]] = {}  # message id -> auto gap ids, in order

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)

    @property
    def focused(self) -> str:
        return str(self.page.evaluate("document.activeElement.id"))

    @property
    def email(self) -> int:
        return int(self.page.locator("#detail").get_attribute("data-message"))

    def said(self, text: str) -> None:
        from playwright.sync_api import expect

        expect(self.page.locator("#status")).to_contain_text(text)

    def tab_to(self, selector: str, *, back: bool = False, limit: int = 60) -> int:
        """Press Tab (or Shift+Tab) until selector has focus; returns how many presses."""
        for count in range(1, limit + 1):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            if self.page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return count
        raise AssertionError(f"{selector} not reached in {limit} Tab presses")

    def note_email(self) -> int:
        message_id = self.email
        if message_id not in self.unchecked:
            gaps = _gaps(self.sessions, message_id)
            self.unchecked[message_id] = [g.id for g in gaps if g.status == "auto"]
        return message_id

    def gap_key(self, key: str, kind: str) -> int:
        """a or d on the gap in focus; waits for the save."""
        gap = int(self.focused.removeprefix("gap-"))
        self.press(key)
        self.said("accepted" if key == "a" else "dismissed")
        self.expected.append((self.email, kind, gap))
        self.unchecked[self.email].remove(gap)
        return gap

    def confirm(self, *, company: bool = False) -> None:
        """c: the remaining gaps are accepted, then the email is confirmed; the next opens."""
        before = self.email
        if company:
            self.expected.append((before, "company_role", None))
        self.expected += [(before, "gap_accept", gap) for gap in self.unchecked[before]]
        self.expected.append((before, "confirm", None))
        self.press("c")
        self.said("onfirmed")
        self.page.wait_for_function(
            "(before) => document.getElementById('detail').dataset.message != before",
            arg=str(before),
        )
        assert self.focused == "email-title", "focus lands on the next email's subject"


def _open(chromium: Any, server: ReviewServer, width: int = 1280) -> tuple[Any, Any]:
    context = chromium.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.login_url)
    page.errors = errors  # checked at the end of each test
    return context, page


def test_keyboard_journey_confirms_ten_emails_and_stores_exactly_what_was_done(
    chromium: Any,
    journey_server: ReviewServer,
    journey_db: tuple[sessionmaker[Session], dict[str, int]],
) -> None:
    sessions, ids = journey_db
    shots = artifacts_dir()
    context, page = _open(chromium, journey_server)
    user = Reviewer(page, sessions)
    try:
        # The page opens on the least sure email, says in one line what to do, and the
        # main button is one Tab away once the skip link is used.
        assert page.url == journey_server.base_url + "/"
        assert "fix anything wrong" in page.locator("#intro").inner_text()
        assert (
            user.tab_to("#intro button") <= 7
        )  # skip link, brand, three views, keys, then the instruction
        user.press("Enter")
        user.said("hidden")
        assert page.locator("#intro").count() == 0
        page.reload()
        assert page.locator("#intro").count() == 0, "the instruction stays dismissed"
        assert user.tab_to("a.skip") == 1
        user.press("Enter")
        assert user.tab_to("#confirm") == 1
        user.press("Escape")

        # Email 1 (the journey): accept gap 1, dismiss gap 2, add the missed sentence.
        journey = user.note_email()
        assert journey == ids["journey"]
        assert page.title().startswith("Your interview for Junior Data Engineer")
        first, second = user.unchecked[journey]
        user.press("n")
        assert user.focused == f"gap-{first}"
        user.gap_key("a", "gap_accept")
        assert user.focused == f"gap-{second}", "focus moves on to the next gap"
        page.screenshot(path=str(shots / "journey-1-accepted.png"))
        user.gap_key("d", "gap_dismiss")
        user.said("last gap")
        user.press("s")  # the sentence after the gap in focus: the missed one
        # as the page reads it: the email's hard-wrapped lines joined into one paragraph
        missed = " ".join(JOURNEY_MISSED.split())
        assert page.locator("#add-form input[name=text]").input_value() == missed
        assert page.locator("#selection-preview").inner_text().startswith("Chosen: “If you build")
        user.press("ArrowDown", "ArrowUp", "Enter")
        assert user.focused == "add-category"
        page.keyboard.type("evidence")
        user.press("Tab")
        page.keyboard.type("a portfolio project")
        page.screenshot(path=str(shots / "journey-2-adding.png"))
        user.press("Enter")
        user.said("Gap added")
        added = [g for g in _gaps(sessions, journey) if g.text == missed]
        assert [(g.category, g.skill, g.status) for g in added] == [
            ("evidence", "a portfolio project", "edited")
        ]
        assert user.focused == f"gap-{added[0].id}"
        assert "added by you" in page.locator(f"#gap-{added[0].id}").inner_text()
        user.expected.append((journey, "gap_add", added[0].id))
        page.screenshot(path=str(shots / "journey-3-added.png"))
        user.confirm()

        # Email 2: fix the company by typing, leave the field with Esc, confirm with c.
        ack = user.note_email()
        assert _analysis(sessions, ack).company == "Brightledger"
        user.tab_to("#company")
        page.keyboard.press("Control+a")
        page.keyboard.type("Brightledger Analytics")
        user.press("Escape")
        user.confirm(company=True)
        assert _analysis(sessions, ack).company == "Brightledger Analytics"

        # Email 3: accept the first gap, dismiss the second, confirm keeps the third.
        user.note_email()
        user.press("n")
        user.gap_key("a", "gap_accept")
        user.gap_key("d", "gap_dismiss")
        user.confirm()

        # Seven more, confirmed as they stand.
        for _ in range(7):
            user.note_email()
            user.confirm()
        page.screenshot(path=str(shots / "journey-4-ten-confirmed.png"))

        assert _log(sessions) == user.expected
        assert _tagged(sessions) == 4 + 1 + 3 + 7, "one request id per action"
        with sessions.begin() as session:
            confirmed = session.scalars(
                select(Analysis.message_id).where(Analysis.review_status == "reviewed")
            )
            assert len(set(confirmed)) == 10
        assert page.errors == []
    finally:
        context.close()


def test_nothing_typed_is_lost(
    chromium: Any,
    journey_server: ReviewServer,
    journey_db: tuple[sessionmaker[Session], dict[str, int]],
) -> None:
    from playwright.sync_api import expect

    sessions, ids = journey_db
    context, page = _open(chromium, journey_server)
    user = Reviewer(page, sessions)
    journey = ids["journey"]
    try:
        # A failed save says so and keeps the input; trying again saves it.
        page.route("**/messages/*/facts", lambda route: route.abort())
        page.locator("#role").focus()
        page.keyboard.type("Junior Data Engineer")
        user.press("Enter")
        expect(page.locator("#alert")).to_contain_text("nothing was saved")
        expect(page.locator("#facts .form-error")).to_contain_text("still here")
        assert page.locator("#role").input_value() == "Junior Data Engineer"
        assert _analysis(sessions, journey).role is None
        page.unroute("**/messages/*/facts")
        user.press("Enter")
        user.said("Saved company and role")
        assert _analysis(sessions, journey).role == "Junior Data Engineer"
        assert page.locator("#facts .form-error").count() == 0

        # Leaving with something unsaved asks first; Esc stays, the text is still there.
        page.locator("#company").fill("Harbourline Ltd")
        user.press("Escape", "j")
        dialog = page.locator("#unsaved")
        expect(dialog).to_be_visible()
        assert "company" in dialog.inner_text()
        user.press("Escape")
        expect(dialog).to_be_hidden()
        assert user.email == journey
        assert page.locator("#company").input_value() == "Harbourline Ltd"

        # An edit half done in a gap's form and the company typed above: "Looks right"
        # saves both before confirming.
        first = _gaps(sessions, journey)[0]
        user.press("n", "e")
        assert page.evaluate("document.activeElement.name") == "category"
        page.keyboard.type("experience")
        user.press("Escape")  # closes the edit form; its values stay
        user.press("c")
        user.said("onfirmed")
        gap = next(g for g in _gaps(sessions, journey) if g.id == first.id)
        assert (gap.category, gap.status) == ("experience", "edited")
        analysis = _analysis(sessions, journey)
        assert (analysis.company, analysis.review_status) == ("Harbourline Ltd", "reviewed")
        kinds = [kind for message, kind, _ in _log(sessions) if message == journey]
        assert kinds == ["company_role", "gap_edit", "company_role", "gap_accept", "confirm"]
        assert page.errors == []
    finally:
        context.close()


def test_double_presses_store_one_action(
    chromium: Any,
    journey_server: ReviewServer,
    journey_db: tuple[sessionmaker[Session], dict[str, int]],
) -> None:
    sessions, ids = journey_db
    context, page = _open(chromium, journey_server)
    user = Reviewer(page, sessions)
    journey = ids["journey"]
    twice = """(key) => { for (let n = 0; n < 2; n++) document.activeElement.dispatchEvent(
        new KeyboardEvent("keydown", { key: key, bubbles: true, cancelable: true })); }"""
    try:
        first, second = (g.id for g in _gaps(sessions, journey))
        # a with no gap selected shows the gap first instead of acting on it unseen.
        user.press("a")
        user.said("press a again")
        assert user.focused == f"gap-{first}" and _log(sessions) == []
        # Two presses in the same instant (a bouncing key): one accept.
        page.evaluate(twice, "a")
        user.said("Gap accepted")
        assert _log(sessions) == [(journey, "gap_accept", first)]
        assert user.focused == f"gap-{second}"
        # The same form posted twice (a retry, a double click): the second writes nothing.
        replay = """async (gap) => {
            const form = document.querySelector(`#gap-${gap} .act-dismiss`);
            const send = () => fetch(form.action, { method: "POST",
                headers: { "X-Bounceback-Fetch": "1" },
                body: new URLSearchParams(new FormData(form)) }).then((r) => r.json());
            return Promise.all([send(), send()]);
        }"""
        answers = page.evaluate(replay, second)
        assert all(a["ok"] for a in answers)
        assert sorted(a["said"] for a in answers)[0] == "Already saved."
        assert _log(sessions) == [(journey, "gap_accept", first), (journey, "gap_dismiss", second)]
        # And c twice: one confirmation, one step to the next email.
        page.reload()
        page.evaluate(twice, "c")
        user.said("onfirmed")
        assert [kind for _, kind, _ in _log(sessions)].count("confirm") == 1
        assert user.email != journey
        assert page.errors == []
    finally:
        context.close()


def test_moving_between_emails_and_switching_shortcuts_off(
    chromium: Any,
    journey_server: ReviewServer,
    journey_db: tuple[sessionmaker[Session], dict[str, int]],
) -> None:
    from playwright.sync_api import expect

    sessions, ids = journey_db
    context, page = _open(chromium, journey_server)
    user = Reviewer(page, sessions)
    try:
        user.press("j")
        user.said("Now: Thanks for applying to Brightledger")
        assert user.email == ids["01-ack-brightledger"]
        assert page.url.endswith(f"/?m={ids['01-ack-brightledger']}")
        assert page.title().startswith("Thanks for applying to Brightledger")
        assert user.focused == "email-title"
        assert "current" in (page.locator(".row").nth(1).get_attribute("class") or "")
        user.press("k")
        user.said("Now: Your interview")
        assert user.email == ids["journey"]
        page.go_back()  # the browser's Back follows the emails too
        expect(page.locator("#detail")).to_have_attribute(
            "data-message", str(ids["01-ack-brightledger"])
        )

        # ? opens the key list with the switch in focus; Space turns single keys off.
        user.press("?")
        expect(page.locator("#help")).to_be_visible()
        assert user.focused == "keys-on"
        user.press("Space")
        user.said("shortcuts off")
        user.press("Escape")
        expect(page.locator("#help")).to_be_hidden()
        page.reload()
        user.press("n", "j")
        assert user.focused == "" and user.email == ids["01-ack-brightledger"]
        assert page.locator(".gapitem.focused").count() == 0
        # The Keys button still opens the list, to switch them back on.
        assert user.tab_to("#help-toggle") <= 6
        user.press("Enter", "Space", "Escape", "j")
        user.said("Now:")
        assert user.email != ids["01-ack-brightledger"]
        assert _log(sessions) == [], "moving around changes nothing"
        assert page.errors == []
    finally:
        context.close()


def test_xss_corpus_runs_nothing_and_loads_nothing_remote(
    chromium: Any,
    review_server: ReviewServer,
    review_db: tuple[sessionmaker[Session], dict[str, int]],
) -> None:
    _, ids = review_db
    shots = artifacts_dir()
    context = chromium.new_context(viewport={"width": 1360, "height": 1000})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.goto(review_server.login_url)
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
            original = page.locator("details.original")
            assert original.get_attribute("open") is None, "the original is collapsed"
            page.locator("details.original summary").click()
            frame_element = page.locator("details.original iframe")
            assert frame_element.get_attribute("sandbox") == "", name
            # Hover and click everything in the email text, as a curious user would.
            page.locator("#mailtext").hover()
            page.locator("#mailtext").click()
            frame = frame_element.element_handle().content_frame()
            assert frame is not None
            assert name in frame.locator("body").inner_text(), name
            assert page.evaluate("window.__pwned") is None, name
            subject = f"Your application <script>window.__pwned=1</script> [{name}]"
            assert page.title() == f"{subject} · Review · bounceback", "no script set it"
            assert page.evaluate("document.cookie") == "", "the page's cookies are HttpOnly"
        page.screenshot(path=str(shots / "xss-last.png"), full_page=True)
    finally:
        context.close()
    assert dialogs == []
    assert escaped == []
    local = review_server.base_url + "/"
    assert [url for url in requests if not url.startswith((local, "data:", "about:"))] == []
    assert any("/?status=all&m=" in url for url in requests)
