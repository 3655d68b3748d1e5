"""The review page over plain HTTP: reads never write, each change is stored once, both ways.

"Both ways": the page's script posts with a header and gets JSON to swap in; a browser
without the script posts the form and follows a redirect. Both must keep what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.review.pages import FETCH_HEADER, INTRO_COOKIE
from bounceback.review.server import ReviewServer
from bounceback.storage.models import Analysis, Correction, Gap
from tests.review.conftest import TOKEN

FETCH = {FETCH_HEADER: "1"}


@pytest.fixture
def client(journey_server: ReviewServer) -> Iterator[httpx.Client]:
    """A logged-in client of the journey database's server."""
    with httpx.Client(base_url=journey_server.base_url) as http:
        assert http.get(f"/?token={TOKEN}").status_code == 303
        yield http


def _form(page: str, form_id: str) -> dict[str, str]:
    """The hidden fields of one form as the page rendered it."""
    start = page.index(f'id="{form_id}"')
    end = page.index("</form>", start)
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page[start:end]))


def _log(sessions: sessionmaker[Session]) -> list[tuple[int, str]]:
    with sessions.begin() as session:
        return [
            (c.message_id, c.kind)
            for c in session.scalars(select(Correction).order_by(Correction.id))
        ]


def test_reading_pages_writes_nothing(
    client: httpx.Client, journey_db: tuple[sessionmaker[Session], dict[str, int]]
) -> None:
    sessions, ids = journey_db
    engine = sessions.kw["bind"]
    writes: list[str] = []

    def spy(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SELECT", "BEGIN", "PRAGMA")):
            writes.append(statement)

    event.listen(engine, "before_cursor_execute", spy)
    try:
        for path in ("/", f"/?m={ids['journey']}", "/?status=all&category=skill", "/trends"):
            assert client.get(path).status_code == 200, path
            assert client.get(path, headers=FETCH).status_code == 200, path
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    assert writes == []


def test_script_posts_get_fragments_focus_and_words(
    client: httpx.Client, journey_db: tuple[sessionmaker[Session], dict[str, int]]
) -> None:
    sessions, ids = journey_db
    journey = ids["journey"]
    page = client.get(f"/?m={journey}").text
    first = next(g for g in _gaps(sessions, journey))
    answer = client.post(
        f"/gaps/{first.id}/accept", data=_form(page, f"accept-{first.id}"), headers=FETCH
    ).json()
    assert answer["ok"] and answer["said"] == "Gap accepted."
    assert (answer["focus"], answer["advance"]) == (f"gap-{first.id}", True)
    assert answer["url"] == f"/?m={journey}"
    assert answer["title"].startswith("Your interview for Junior Data Engineer")
    detail = answer["fragments"]["detail"]
    assert detail.startswith('<section class="detail" id="detail"')
    assert f'id="gap-{first.id}"' in detail and "accepted" in detail
    assert answer["fragments"]["queue"].startswith('<section class="queue" id="queue"')

    # A change the page cannot make says why (422) and writes nothing.
    refused = client.post(
        f"/messages/{journey}/gaps",
        data={**_form(page, "add-form"), "category": "skill", "start": "0", "end": "0"},
        headers=FETCH,
    )
    assert refused.status_code == 422
    assert refused.json() == {"ok": False, "error": "select some of the email's text first"}
    damaged = client.post(
        f"/gaps/{first.id}/dismiss",
        data={**_form(page, f"dismiss-{first.id}"), "rid": "x"},
        headers=FETCH,
    )
    assert damaged.status_code == 422 and "reload the page" in damaged.json()["error"]
    assert _log(sessions) == [(journey, "gap_accept")]


def test_the_same_form_posted_twice_is_stored_once(
    client: httpx.Client, journey_db: tuple[sessionmaker[Session], dict[str, int]]
) -> None:
    sessions, ids = journey_db
    journey = ids["journey"]
    page = client.get(f"/?m={journey}").text
    data = {**_form(page, "facts"), "label": ["rejection", "feedback"], "company": "Harbourline"}
    once = client.post(f"/messages/{journey}/facts", data=data, headers=FETCH).json()
    again = client.post(f"/messages/{journey}/facts", data=data, headers=FETCH).json()
    assert (once["said"], again["said"]) == ("Saved labels.", "Already saved.")
    without_script = client.post(f"/messages/{journey}/facts", data=data)
    assert without_script.status_code == 303
    assert _log(sessions) == [(journey, "labels")]


def test_confirm_without_the_script_keeps_the_company_typed(
    client: httpx.Client, journey_db: tuple[sessionmaker[Session], dict[str, int]]
) -> None:
    """The reported loss: type a company, press "Looks right — next"; it must be stored."""
    sessions, ids = journey_db
    journey = ids["journey"]
    page = client.get(f"/?m={journey}").text
    data = {**_form(page, "facts"), "label": "rejection", "company": "Ridgeback Retail"}
    response = client.post(f"/messages/{journey}/reviewed", data=data)
    assert response.status_code == 303
    assert response.headers["location"] == f"/?m={ids['01-ack-brightledger']}"
    with sessions.begin() as session:
        analysis = session.scalars(select(Analysis).where(Analysis.message_id == journey)).one()
        assert (analysis.company, analysis.review_status) == ("Ridgeback Retail", "reviewed")
        confirm = session.scalars(select(Correction).where(Correction.kind == "confirm")).one()
        assert confirm.new["company"] == "Ridgeback Retail", "retraining learns the fix"
    assert _log(sessions) == [
        (journey, "company_role"),
        (journey, "gap_accept"),
        (journey, "gap_accept"),
        (journey, "confirm"),
    ]
    # The script's confirm answers where to go instead of the fragments.
    page = client.get("/").text
    current = ids["01-ack-brightledger"]
    with sessions.begin() as session:
        shown = session.scalars(select(Analysis).where(Analysis.message_id == current)).one()
        as_shown = {"label": shown.labels, "company": shown.company, "role": shown.role}
    answer = client.post(
        f"/messages/{current}/reviewed", data={**_form(page, "facts"), **as_shown}, headers=FETCH
    ).json()
    with sessions.begin() as session:  # the least sure email still to review
        following = session.scalars(
            select(Analysis.message_id)
            .where(Analysis.review_status == "auto")
            .order_by(Analysis.review_priority, Analysis.message_id)
        ).first()
    assert following not in (journey, current)
    assert answer == {"ok": True, "said": "Confirmed.", "go_to": f"/?m={following}"}


def test_the_instruction_can_be_dismissed_for_good(client: httpx.Client) -> None:
    page = client.get("/").text
    assert 'id="intro"' in page
    response = client.post("/intro", data=_form(page, "intro"))
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith(f"{INTRO_COOKIE}=seen") and "httponly" in cookie
    assert 'id="intro"' not in client.get("/").text


def test_a_gap_deleted_meanwhile_is_a_clear_404(
    client: httpx.Client, journey_db: tuple[sessionmaker[Session], dict[str, int]]
) -> None:
    sessions, ids = journey_db
    page = client.get(f"/?m={ids['journey']}").text
    gap = _gaps(sessions, ids["journey"])[0]
    with sessions.begin() as session:
        session.delete(session.get_one(Gap, gap.id))
    response = client.post(f"/gaps/{gap.id}/accept", data=_form(page, f"accept-{gap.id}"))
    assert response.status_code == 404
    assert response.text == "no such gap: it may have been deleted; reload the page"
    assert client.get("/?m=99999").status_code == 404


def _gaps(sessions: sessionmaker[Session], message_id: int) -> list[Gap]:
    with sessions.begin() as session:
        found = session.scalars(
            select(Gap).where(Gap.message_id == message_id).order_by(Gap.start, Gap.id)
        )
        return list(found)
