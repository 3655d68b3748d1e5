"""The demo's digest read as a job seeker reads it: what to do this week comes first.

Built from the bundled samples the way the application tests build them (stored,
analysed by the shipped model, linked into applications), with the demo's profile.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bounceback.demo.run import DEMO_PROFILE
from bounceback.digest.alerts import mark_postings, rank_postings
from bounceback.digest.build import PALETTE, digest_context
from bounceback.digest.collect import Week, collect_digest_input
from bounceback.digest.model import DigestInput
from bounceback.digest.render import RenderedDigest, render_week
from bounceback.flows.link import link_pending
from bounceback.nlp.analyzer import Analyzer
from bounceback.storage import accounts
from bounceback.storage.db import make_engine, session_factory, upgrade
from tests.support.applications import store_samples

REVIEW = "http://127.0.0.1:8765"
SAMPLES = Path(__file__).parents[2] / "src" / "bounceback" / "demo" / "samples"
#: The samples' busiest week; the digest is written the Monday morning after it.
WEEK, WRITTEN = "2026-W48", datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
#: The demo digest's plain-text part may not grow past this many words.
WORD_BUDGET = 1_300
#: ... and what to do (the box and the next steps) fits in this many.
ACTIONS_BUDGET = 450


@pytest.fixture(scope="module")
def demo_sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    """The demo mailbox, analysed and linked, with the demo's profile."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo-digest') / 'demo.db'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    account_id, _ = store_samples(sessions, Analyzer.load())
    link_pending(account_id, sessions=sessions)
    with sessions.begin() as session:
        accounts.save_profile(account_id, dict(DEMO_PROFILE), session=session)
    yield sessions
    engine.dispose()


@pytest.fixture(scope="module")
def demo(demo_sessions: sessionmaker[Session]) -> tuple[RenderedDigest, DigestInput]:
    with demo_sessions.begin() as session:
        account = accounts.list_accounts(session=session)[0]
        week = Week.parse(WEEK, account.timezone)
        rendered = render_week(account, week, session=session, now=WRITTEN, review_url=REVIEW)
        data, _ = collect_digest_input(account, week, session=session, review_url=REVIEW)
        session.rollback()
    return rendered, data


def _parts(rendered: RenderedDigest) -> tuple[EmailMessage, str, str]:
    message = message_from_bytes(rendered.raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    html, text = (message.get_body(preferencelist=(kind,)) for kind in ("html", "plain"))
    assert html is not None and text is not None
    return message, html.get_content(), text.get_content().replace("\r\n", "\n")


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_this_week_comes_first_and_names_the_weeks_actions(
    demo: tuple[RenderedDigest, DigestInput],
) -> None:
    _, html, text = _parts(demo[0])
    for part in (_flat(text), _flat(html)):
        start, end = part.index("This week"), part.index("Next steps")
        assert start < end < part.index("What the feedback says") < part.index("Fresh job alerts")
        box = part[start:end]
        # the Monday final round is ahead of the reader, in their zone, with its time
        assert "Mon 30 Nov, 09:30" in box and "Kestrel Analytics: final-round interview" in box
        # the offer by name, with its salary, condition and the answer owed
        assert "Offer from Greyfriars Data Co: Analyst, Customer Insights, £46,500" in box
        assert "two satisfactory references" in box and "Answer owed since Fri 27 Nov" in box
        # the take-home with its due day and the reply it waits for
        assert "Ridgeback Retail: take-home task" in box and "Fri 4 Dec" in box
        assert "which day you'd like to start" in box
        assert "Ask Holloway Insurance for feedback" in box
        assert box.index("Greyfriars") < box.index("Kestrel") < box.index("Ridgeback")
    # each line leads to its email on the review page
    assert html.count(f'href="{REVIEW}/?status=all&amp;m=') >= 4
    intro = _flat(text[: text.index("This week")])
    assert "You had" not in intro and "An offer came in" not in intro
    assert "Greyfriars Data Co offered you the Analyst, Customer Insights role" in intro
    assert "Kestrel Analytics invited you to a final-round interview" in intro


def test_the_box_uses_the_digest_moment_not_the_wall_clock(
    demo_sessions: sessionmaker[Session],
) -> None:
    with demo_sessions.begin() as session:
        account = accounts.list_accounts(session=session)[0]
        week = Week.parse(WEEK, account.timezone)
        late = render_week(account, week, session=session, now=datetime(2026, 12, 9, tzinfo=UTC))
        session.rollback()
    _, _, text = _parts(late)
    assert "Mon 30 Nov, 09:30" in _flat(text)  # a late send still shows the week it covers


def test_name_headers_and_footer(demo: tuple[RenderedDigest, DigestInput]) -> None:
    message, html, text = _parts(demo[0])
    assert text.splitlines()[2] == "Hi Alex,"
    assert "Best wishes,\nAlex Morgan" in text.replace("  | ", "")
    assert message["List-Unsubscribe"] == "<mailto:alex.morgan@example.com?subject=pause>"
    assert message["List-Unsubscribe-Post"] is None  # one-click needs an HTTPS address
    flat = _flat(text)
    assert "bounceback profile --digest-day" in flat and "To pause them, reply “pause”" in flat
    assert f"Correct it on the review page: {REVIEW}" in flat
    assert "<img" not in html.lower() and "url(" not in html.lower()  # no remote images


def test_alerts_drop_roles_applied_for_and_mark_known_employers(
    demo: tuple[RenderedDigest, DigestInput],
) -> None:
    data = demo[1]
    ranked = rank_postings(
        data.postings, data.target_keywords, (), roles=data.target_roles, locations=data.locations
    )
    kept, left_out = mark_postings(ranked, data.applications, data.period_end)
    titles = {(p.company, p.title): p for p in kept}
    assert ("Greyfriars Data Co", "Analyst, Customer Insights") not in titles  # offered
    assert ("Ridgeback Retail", "Marketing Data Analyst") not in titles  # applied, in progress
    assert any("Greyfriars Data Co" in line and "offer" in line for line in left_out)
    stages = {a.employer: a.stage for a in data.applications}
    for employer, stage in (
        ("Kestrel Analytics", "interview"),
        ("Loomwell", "rejected"),
        ("Tamsin & Vale", "rejected"),
        ("Ridgeback Retail", "assessment"),
    ):
        assert stages[employer] == stage
        shown = [p for p in kept if p.company and p.company.startswith(employer)]
        assert shown, employer
        for posting in shown:  # every one of their postings carries its mark
            assert posting.mark, (employer, posting.title)
            word = "Turned you down" if stage == "rejected" else "here for"
            assert word in posting.mark, posting.mark
    tamsin = titles[("Tamsin & Vale", "Data Analyst")]
    assert tamsin.mark == "Turned you down for this role on 26 Nov"
    assert all(p.why for p in kept)  # each says why it is shown
    # the rendered alerts carry the marks too
    _, _, text = _parts(demo[0])
    alerts = _flat(text[text.index("Fresh job alerts") :])
    assert "[You are interviewing here for Data Analyst]" in alerts


def test_next_steps_merge_themes_and_skip_unsure_points(
    demo: tuple[RenderedDigest, DigestInput],
) -> None:
    context = digest_context(demo[1])
    whys = [a.why for a in context["actions"]]
    # Loomwell and Tillerman said "numbers in your examples" in different words: one step
    assert sum("numbers and results in your examples" in why for why in whys) == 1
    assert not any("raised examples" in why or "mentioned examples" in why for why in whys)
    # Harrowgate's Power BI point is the model's unsure reading: no step is built on it
    assert not any("Power BI" in why for why in whys)
    assert not any("feedback" in a.title.lower() for a in context["actions"])


def _same_point(expected: str, found: str) -> bool:
    """True if a stored gap is the expected point (or a part of it), whitespace aside."""
    a, b = _flat(expected), _flat(found)
    return a in b or b in a


def test_stakeholder_step_names_every_employer_that_raised_it(
    demo: tuple[RenderedDigest, DigestInput],
) -> None:
    # Which samples raise stakeholder management is read from the samples' expected gaps.
    expected = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
    points = [
        text
        for entry in expected.values()
        for text in entry.get("gap_texts", [])
        if re.search(r"stakeholder", text, re.IGNORECASE)
    ]
    assert len(points) >= 3
    data = demo[1]
    employers = set()
    for text in points:
        found = [g for g in data.all_gaps if _same_point(text, g.text)]
        assert found, f"no stored gap for {text!r}"
        assert found[0].company, text
        employers.add(found[0].company)
    context = digest_context(data)
    steps = [a for a in context["actions"] if a.skill == "stakeholder management"]
    assert len(steps) == 1, [a.why for a in context["actions"]]
    why = _flat(steps[0].why)
    assert why.startswith(f"{len(employers)} employers raised stakeholder management"), why
    for employer in sorted(employers):
        assert employer in why, (employer, why)


def test_word_budget(demo: tuple[RenderedDigest, DigestInput]) -> None:
    _, _, text = _parts(demo[0])
    words = len(text.split())
    actions = len(text[: text.index("What the feedback says")].split())
    print(f"demo digest: {words} words, {actions} before the feedback section")
    assert words <= WORD_BUDGET
    assert actions <= ACTIONS_BUDGET


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("ink", "card"), ("muted", "card"), ("muted", "page"), ("accent", "card"),
        ("ink", "box"), ("accent", "box"), ("mark", "mark_bg"), ("good", "card"),
        ("dark_ink", "dark_card"), ("dark_muted", "dark_card"), ("dark_muted", "dark_page"),
        ("dark_link", "dark_card"), ("dark_ink", "dark_box"), ("dark_link", "dark_box"),
        ("dark_mark", "dark_mark_bg"),
    ],
)  # fmt: skip
def test_palette_meets_wcag_aa(text: str, background: str) -> None:
    assert contrast(PALETTE[text], PALETTE[background]) >= 4.5


def test_contrast_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#6b7280", "#f3f4f6") < 4.5  # the old grey on the page: too faint


@pytest.mark.slow
def test_this_week_fits_the_first_two_phone_screens(
    demo: tuple[RenderedDigest, DigestInput], chromium: Any
) -> None:
    _, html, _ = _parts(demo[0])
    artifacts = Path(__file__).parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page = chromium.new_page(viewport={"width": 390, "height": 844})
    try:
        page.set_content(html)
        box = page.locator("#this-week-box").bounding_box()
        steps = page.locator("#next-steps").bounding_box()
        smallest = page.evaluate(
            """() => Math.min(...[...document.body.querySelectorAll('*')]
                .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
                             && e.offsetParent !== null)
                .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
        )
        width = page.evaluate("() => document.documentElement.scrollWidth")
        page.screenshot(path=str(artifacts / "digest-390.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(artifacts / "digest-1280.png"), full_page=True)
    finally:
        page.close()
    assert box is not None and steps is not None
    print(f"390 px: This-week box {box['y']:.0f}-{box['y'] + box['height']:.0f} px, "
          f"next steps from {steps['y']:.0f} px")  # fmt: skip
    assert box["y"] + box["height"] <= 1_700  # two phone screens
    assert steps["y"] <= 1_700
    assert smallest >= 12  # no label below 12 px
    assert width <= 390  # nothing scrolls sideways
