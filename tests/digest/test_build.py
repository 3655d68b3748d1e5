"""Tests for the pure weekly digest builder (records in, rendered email out)."""

from __future__ import annotations

import html
import random
import re
from dataclasses import replace
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import pytest

from bounceback.digest.build import build_digest, digest_context
from bounceback.digest.charts import glance
from bounceback.digest.model import (
    DigestInput,
    GapItem,
    PostingItem,
    SilentRejection,
    WeekStats,
)
from bounceback.digest.themes import themes
from bounceback.digest.words import period_label
from bounceback.mail.message import EmailData

SECTION_TITLES = (
    "This week",
    "Next steps",
    "What the feedback says",
    "The week at a glance",
    "Ask for feedback",
    "Fresh job alerts",
    "For your learning diary",
)


def _gap(
    gap_id: int,
    category: str,
    text: str,
    skill: str | None,
    company: str | None,
    role: str | None,
    when: datetime,
) -> GapItem:
    return GapItem(
        gap_id=gap_id,
        category=category,
        text=text,
        skill=skill,
        company=company,
        role=role,
        received_at=when,
        subject=f"Your application to {company}",
    )


def _flat(text: str) -> str:
    """Collapse wrapping so assertions don't depend on where lines break."""
    return " ".join(text.split())


def _mailtos(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'href="(mailto:[^"]*)"', page)]


def _decode_mailto(link: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(link)
    params = dict(pair.split("=", 1) for pair in parts.query.split("&"))
    return unquote(parts.path), {key: unquote(value) for key, value in params.items()}


def _section(page: str, number: int) -> str:
    """The part of a rendered email between heading `number` and the next one."""
    start = page.index(SECTION_TITLES[number - 1])
    end = page.index(SECTION_TITLES[number]) if number < len(SECTION_TITLES) else len(page)
    return page[start:end]


@pytest.fixture
def week_gaps() -> tuple[GapItem, ...]:
    """Four pieces of feedback from two employers in week 48."""
    return (
        _gap(
            11,
            "skill",
            "We felt your SQL was not yet at the level the role needs, "
            "particularly around window functions.",
            "SQL",
            "Northwind Analytics",
            "Data Analyst",
            datetime(2026, 11, 24, 9, 30),
        ),
        _gap(
            12,
            "communication",
            "Some answers ran long and it was hard to follow the main point.",
            None,
            "Northwind Analytics",
            "Data Analyst",
            datetime(2026, 11, 24, 9, 30),
        ),
        _gap(
            13,
            "skill",
            "The panel wanted to hear more about how you have managed senior stakeholders.",
            "stakeholder management",
            "Brightside Health",
            "Business Analyst",
            datetime(2026, 11, 26, 15, 0),
        ),
        _gap(
            14,
            "evidence",
            "It would have helped to quantify the impact of your projects.",
            None,
            "Brightside Health",
            "Business Analyst",
            datetime(2026, 11, 26, 15, 0),
        ),
    )


@pytest.fixture
def earlier_gaps() -> tuple[GapItem, ...]:
    """Feedback from earlier weeks: SQL and stakeholder management come up again."""
    return (
        _gap(
            3,
            "skill",
            "The technical test showed gaps in SQL joins.",
            "sql",
            "Contoso Retail",
            "Insight Analyst",
            datetime(2026, 11, 10, 11, 0),
        ),
        _gap(
            2,
            "skill",
            "We need more experience of stakeholder management at director level.",
            "Stakeholder management",
            "Fabrikam",
            "Operations Analyst",
            datetime(2026, 11, 5, 10, 0),
        ),
        _gap(
            1,
            "skill",
            "We were looking for someone with stronger stakeholder management.",
            "stakeholder management",
            "Tailspin Toys",
            "Junior Analyst",
            datetime(2026, 9, 15, 14, 0),
        ),
        _gap(
            4,
            "preparation",
            "You didn't seem to know much about our products.",
            None,
            "Fabrikam",
            "Operations Analyst",
            datetime(2026, 11, 5, 10, 0),
        ),
    )


@pytest.fixture
def silent_rejections() -> tuple[SilentRejection, ...]:
    """Two rejections without feedback; the one after an interview is older."""
    return (
        SilentRejection(
            message_id="<a1@globex.example>",
            subject="Your application for Data Analyst",
            sender_name="Globex Careers",
            sender_address="careers@globex.example",
            company="Globex",
            role="Data Analyst",
            received_at=datetime(2026, 11, 27, 8, 0),
            after_interview=False,
        ),
        SilentRejection(
            message_id="<b2@initech.example>",
            subject="Interview outcome – Reporting Analyst & next steps",
            sender_name="Priya Shah",
            sender_address="priya.shah@initech.example",
            company="Initech",
            role="Reporting Analyst",
            received_at=datetime(2026, 11, 23, 16, 0),
            after_interview=True,
        ),
    )


def _posting(title: str, company: str, where: str, pay: str | None, url: str, source: str):
    return PostingItem(title, company, where, pay, url, source, datetime(2026, 11, 25, 7))


@pytest.fixture
def postings() -> tuple[PostingItem, ...]:
    """Job alerts from several boards, one role listed twice and one unsafe link."""
    return (
        _posting(
            "Marketing Coordinator", "Umbrella", "Leeds", None, "https://j.example/1", "Indeed"
        ),
        _posting("Senior Data Analyst", "Acme", "London", "£55,000", "https://j.example/7", "Reed"),
        _posting(
            "Senior Data Analyst", "Acme", "London", "£55,000", "https://k.example/7", "CWJobs"
        ),
        _posting("SQL Developer", "Hooli", "Remote", None, "javascript:alert(1)", "Totaljobs"),
    )


@pytest.fixture
def digest_input(
    week_gaps: tuple[GapItem, ...],
    earlier_gaps: tuple[GapItem, ...],
    silent_rejections: tuple[SilentRejection, ...],
    postings: tuple[PostingItem, ...],
) -> DigestInput:
    """A realistic hard week: three rejections, two with feedback, two interviews."""
    history = (
        WeekStats("2026-W44", acknowledged=5, interviews=1, rejections=1),
        WeekStats("2026-W45", acknowledged=3, interviews=0, rejections=2, feedback=1),
        WeekStats("2026-W46", acknowledged=4, interviews=1, rejections=1),
        WeekStats("2026-W47", acknowledged=2, interviews=2, rejections=0),
        WeekStats("2026-W48", acknowledged=4, interviews=2, rejections=4, offers=0, feedback=2),
    )
    return DigestInput(
        account_address="sam.taylor@example.com",
        week="2026-W48",
        period_start=datetime(2026, 11, 23),
        period_end=datetime(2026, 11, 30),
        history=history,
        week_gaps=week_gaps,
        all_gaps=earlier_gaps + week_gaps,
        silent_rejections=silent_rejections,
        postings=postings,
        user_name="Sam",
        target_keywords=("data analyst", "business analyst"),
    )


@pytest.fixture
def empty_input() -> DigestInput:
    """A week with nothing at all: no history, gaps, rejections or postings."""
    return DigestInput(
        account_address="sam.taylor@example.com",
        week="2026-W48",
        period_start=datetime(2026, 11, 23),
        period_end=datetime(2026, 11, 30),
        history=(),
        week_gaps=(),
        all_gaps=(),
        silent_rejections=(),
        postings=(),
    )


@pytest.fixture
def digest(digest_input: DigestInput) -> EmailData:
    """The rendered digest for the realistic week."""
    return build_digest(digest_input)


def test_sections_appear_in_order_in_both_parts(digest: EmailData) -> None:
    for part in (digest.html, digest.text):
        positions = [part.index(title) for title in SECTION_TITLES]
        assert positions == sorted(positions)


def test_subject_summarises_the_week(digest: EmailData) -> None:
    assert digest.subject == (
        "Your week in job search: 2 interview emails, 4 rejections, 2 with feedback — 2026-W48"
    )
    assert "\n" not in digest.subject


def test_subject_leads_with_good_news(digest_input: DigestInput) -> None:
    history = (*digest_input.history[:-1], WeekStats("2026-W48", offers=1, interviews=1))
    quiet = replace(digest_input, history=history, week_gaps=(), silent_rejections=())
    email = build_digest(quiet)
    assert email.subject == "Good news in your job search: 1 offer, 1 interview email — 2026-W48"
    assert email.text.count("An offer came in this week.") == 1


def test_glance_shows_counts_and_comparison(digest: EmailData) -> None:
    glance_html = _section(digest.html, 4)
    # Four rejections this week against 1 a week before (1 + 2 + 1 + 0) / 4.
    assert ">4</p>" in glance_html
    assert "up from 1 a week" in glance_html
    # The chart is tables with inline heights and colours, never an image.
    assert 'bgcolor="#ea580c"' in glance_html
    assert "<img" not in digest.html
    glance_text = _section(digest.text, 4)
    assert re.search(r"Rejections\s+4  ▇▇▇▇▇▇▇▇  up from 1 a week", glance_text)
    assert re.search(r"Rejections\s+1\s+2\s+1\s+0\s+4\n", glance_text)


def test_glance_counts_a_missing_week_as_empty() -> None:
    history = tuple(WeekStats(f"2026-W{n}", rejections=n - 40) for n in range(38, 48))
    result = glance(history, "2026-W48")
    assert result.last_week == "2026-W48"
    assert result.earlier_weeks == 7  # eight columns in all
    assert result.value("rejections") == 0
    rejections = next(row for row in result.rows if row.key == "rejections")
    assert rejections.average == pytest.approx(sum(range(1, 8)) / 7)
    assert [c.value for c in rejections.columns] == [1, 2, 3, 4, 5, 6, 7, 0]
    assert rejections.columns[-2].height > rejections.columns[0].height > 0


def test_period_label_treats_a_midnight_end_as_exclusive() -> None:
    assert period_label(datetime(2026, 11, 23), datetime(2026, 11, 30)) == "23–29 Nov 2026"
    assert period_label(datetime(2026, 12, 28), datetime(2027, 1, 4)) == (
        "28 Dec 2026 – 3 Jan 2027"
    )


def test_feedback_section_quotes_this_weeks_gaps(
    digest: EmailData, week_gaps: tuple[GapItem, ...]
) -> None:
    section_html = _section(digest.html, 3)
    section_text = _flat(_section(digest.text, 3))
    for gap in week_gaps:
        assert html.escape(gap.text) in section_html
        assert _flat(gap.text) in section_text
        assert f"{gap.company} · {gap.role}" in section_html
    # Earlier feedback is counted in the themes but not quoted as this week's.
    assert "gaps in SQL joins" not in section_html


def test_recurring_themes_count_employers_and_recency(digest: EmailData) -> None:
    section = _flat(_section(digest.text, 3))
    assert (
        "3 employers raised stakeholder management: Brightside Health, Fabrikam and Tailspin Toys"
        in section
    )
    assert "Northwind Analytics and Contoso Retail both raised SQL (raised again" in section
    # Communication came from one employer only: not a recurring theme.
    assert "employers raised how you communicate" not in section
    assert "All feedback so far: 8 points from 5 employers." in section


def test_themes_group_skills_case_insensitively(digest_input: DigestInput) -> None:
    found = themes(digest_input.all_gaps, digest_input.week_gaps, digest_input.period_end)
    by_key = {t.key: t for t in found}
    assert [t.key for t in found[:2]] == ["topic:stakeholder management", "skill:sql"]
    assert by_key["skill:sql"].label == "SQL"  # a tie between spellings always breaks one way
    assert (by_key["skill:sql"].employers, by_key["skill:sql"].this_week) == (2, 1)
    stakeholder = by_key["topic:stakeholder management"]
    assert (stakeholder.employers, stakeholder.recent_employers) == (3, 2)
    assert stakeholder.gaps[0].company == "Brightside Health"  # newest first
    assert stakeholder.badge == "raised again this week"
    assert by_key["category:communication"].badge == "new this week"
    assert by_key["category:preparation"].badge is None


def test_next_steps_are_prioritised_and_cite_evidence(digest_input: DigestInput) -> None:
    actions = digest_context(digest_input)["actions"]
    assert 3 <= len(actions) <= 4
    first, second = actions[0], actions[1]
    assert first.why.startswith("3 employers raised stakeholder management")
    # one step per theme, citing every employer behind it
    assert [e.source.split(",")[0] for e in first.evidence] == [
        "Brightside Health",
        "Fabrikam",
        "Tailspin Toys",
    ]
    assert first.evidence[0].source == "Brightside Health, Business Analyst"
    assert first.evidence[0].quote is not None
    assert first.evidence[0].quote.startswith("The panel wanted to hear more")
    assert second.why.startswith("Northwind Analytics and Contoso Retail both raised SQL")
    assert "SQL" in second.title
    assert second.evidence[0].source == "Northwind Analytics, Data Analyst"
    # The feedback requests have their own section: no step repeats it.
    assert not any("ask for feedback" in a.title.lower() for a in actions)
    assert len({a.key for a in actions}) == len(actions)


def test_next_steps_section_shows_the_evidence(digest: EmailData) -> None:
    section_text = _flat(_section(digest.text, 2))
    assert "Why: Northwind Analytics and Contoso Retail both raised SQL." in section_text
    # the quotes themselves are in the feedback section only: nothing appears twice
    assert "We felt your SQL" not in section_text
    assert "We felt your SQL" in _section(digest.text, 3)


def test_most_recent_wins_between_equally_frequent_themes() -> None:
    older = _gap(1, "skill", "Needs Excel.", "Excel", "A Ltd", None, datetime(2026, 11, 2))
    newer = _gap(2, "skill", "Needs Python.", "Python", "B Ltd", None, datetime(2026, 11, 25))
    found = themes((older, newer), (newer,), datetime(2026, 11, 30))
    assert [t.skill for t in found] == ["Python", "Excel"]


def test_feedback_requests_mailto_round_trip(digest: EmailData) -> None:
    links = _mailtos(digest.html)
    assert len(links) == 2
    address, params = _decode_mailto(links[0])  # after an interview comes first
    assert address == "priya.shah@initech.example"
    assert params["subject"] == "Re: Interview outcome – Reporting Analyst & next steps"
    body = params["body"]
    assert body.startswith("Hi Priya,\r\n\r\nThank you for letting me know about the ")
    assert "Reporting Analyst role at Initech" in body
    assert "feedback on my interview" in body
    assert body.endswith("Best wishes,\r\nSam")
    assert "\n" not in body.replace("\r\n", "")
    address, params = _decode_mailto(links[1])
    assert address == "careers@globex.example"
    assert params["body"].startswith("Hello Globex team,")  # not "Hi Globex,"
    assert "feedback on my application" in params["body"]
    # The same draft is readable in the plain-text part.
    assert "To: priya.shah@initech.example" in digest.text
    assert "  | Hi Priya," in digest.text


def test_reply_subject_is_not_doubled(digest_input: DigestInput) -> None:
    rejection = replace(digest_input.silent_rejections[0], subject="RE: Data Analyst")
    page = build_digest(replace(digest_input, silent_rejections=(rejection,))).html
    _, params = _decode_mailto(_mailtos(page)[0])
    assert params["subject"] == "RE: Data Analyst"


def test_postings_ranked_deduplicated_and_safe(digest: EmailData) -> None:
    section = _section(digest.html, 6)
    assert section.count("Senior Data Analyst") == 1
    assert section.index("Senior Data Analyst") < section.index("SQL Developer")
    assert section.index("SQL Developer") < section.index("Marketing Coordinator")
    kept = [url for url in ("https://j.example/7", "https://k.example/7") if url in section]
    assert len(kept) == 1
    assert re.search(rf'<a class="link"[^>]* href="{re.escape(kept[0])}"', section)
    assert "2 of 3 match your target roles or the skills in your feedback" in section
    assert "Acme · London · £55,000" in section
    assert "Why: mentions data analyst" in section
    assert "asks for SQL, which your feedback named" in section  # a skill from the feedback
    assert "javascript:" not in digest.html
    text = _section(digest.text, 6)
    assert kept[0] in text
    assert "javascript:" not in text


def test_untrusted_text_is_escaped_in_html(digest_input: DigestInput) -> None:
    evil_gap = _gap(
        99,
        "skill",
        "<script>alert('gap')</script> needs more SQL",
        "SQL<b>",
        '"onerror=alert(1) <img src=x>',
        "Analyst</td><td>",
        datetime(2026, 11, 27),
    )
    evil_posting = _posting(
        '<img src=x onerror="alert(2)">',
        '"onerror=x',
        "<b>Leeds</b>",
        None,
        'https://jobs.example/"onmouseover="alert(3)',
        "Evil<script>",
    )
    evil_rejection = replace(
        digest_input.silent_rejections[0],
        company='"onerror=alert(4)',
        sender_name="<script>x</script>",
        subject='<script>alert(5)</script>"',
    )
    data = replace(
        digest_input,
        user_name="<b>Sam</b>",
        week_gaps=(evil_gap,),
        all_gaps=(*digest_input.all_gaps, evil_gap),
        postings=(evil_posting,),
        silent_rejections=(evil_rejection,),
    )
    page = build_digest(data).html
    assert "<script>" not in page
    assert "<img" not in page
    assert "</td><td>" not in page
    assert "<b>Sam</b>" not in page
    # Parse the page as a browser would: no element or attribute came from the email text.
    tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append((tag, attrs))

    Collect().feed(page)
    assert not {t for t, _ in tags} & {"script", "img", "b", "iframe"}
    assert not [name for _, attrs in tags for name, _ in attrs if name.startswith("on")]
    hrefs = [value or "" for _, attrs in tags for name, value in attrs if name == "href"]
    assert not [h for h in hrefs if h.startswith(("javascript:", "https://jobs.example/"))]
    assert "&lt;script&gt;alert('gap')&lt;/script&gt;" in page  # shown as text
    assert '"onerror=alert(1) &lt;img src=x&gt;' in page
    _, params = _decode_mailto(_mailtos(page)[0])
    assert params["subject"] == 'Re: <script>alert(5)</script>"'


def test_empty_week_still_gives_a_useful_digest(empty_input: DigestInput) -> None:
    email = build_digest(empty_input)
    assert email.subject == "Your week in job search: a quiet week, and a plan for it — 2026-W48"
    for title in SECTION_TITLES:
        assert title in email.html
        assert title in email.text
    text = _flat(email.text)
    assert "No employer gave specific feedback this week." in text
    assert "Your first week on record" in email.html
    steps = _flat(_section(email.text, 2)).lower()
    assert "feedback" in steps
    assert "job boards" in steps or "agencies" in steps or "alerts" in steps
    actions = digest_context(empty_input)["actions"]
    assert 3 <= len(actions) <= 5
    titles = " ".join(a.title.lower() for a in actions)
    assert "feedback" in titles
    assert any(w in titles for w in ("agencies", "job boards", "alerts", "network"))
    assert "No job-alert emails arrived this week" in text
    assert "mailto:" not in email.html


def test_week_without_feedback_keeps_old_themes_but_widens_search(
    digest_input: DigestInput,
) -> None:
    quiet = replace(digest_input, week_gaps=(), silent_rejections=(), postings=())
    actions = digest_context(quiet)["actions"]
    assert len(actions) == 4
    assert actions[0].why.startswith("3 employers raised stakeholder management")
    assert actions[2].title in {
        "Make asking for feedback a habit",
        "Ask the agencies and interviewers you spoke to",
    }
    widen = {
        "Introduce yourself to two recruitment agencies",
        "Refresh your CV on the job boards",
        "Set up email job alerts",
        "Reach out to three people in your network",
    }
    assert {a.title for a in actions[3:]} <= widen
    assert len({a.why for a in actions}) == len(actions)  # each says its own reason


def test_output_is_deterministic_and_independent_of_input_order(
    digest_input: DigestInput,
) -> None:
    first = build_digest(digest_input)
    assert build_digest(digest_input) == first
    rng = random.Random(7)
    shuffled = replace(
        digest_input,
        all_gaps=tuple(rng.sample(digest_input.all_gaps, len(digest_input.all_gaps))),
        week_gaps=tuple(reversed(digest_input.week_gaps)),
        postings=tuple(reversed(digest_input.postings)),
        silent_rejections=tuple(reversed(digest_input.silent_rejections)),
    )
    assert build_digest(shuffled) == first


def test_wording_varies_from_week_to_week(digest_input: DigestInput) -> None:
    this_week = digest_context(digest_input)
    next_week = digest_context(replace(digest_input, week="2026-W49"))
    assert this_week["diary_prompt"] != next_week["diary_prompt"]
    titles = [a.title for a in this_week["actions"]]
    assert titles != [a.title for a in next_week["actions"]]


def test_plain_text_part_is_wrapped_and_tag_free(digest: EmailData) -> None:
    for line in digest.text.splitlines():
        if "http" not in line:
            assert len(line) <= 72, line
    assert "<td" not in digest.text
    assert "&lt;" not in digest.text and "&#" not in digest.text
    assert digest.text.startswith(
        "bounceback weekly digest, 2026-W48 (23–29 Nov 2026)\n\nHi Sam,\n"
    )


def test_html_is_a_single_column_email_layout(digest: EmailData) -> None:
    page = digest.html
    assert re.search(r"max-width:\s?640px", page)
    assert 'name="color-scheme" content="light dark"' in page
    assert "prefers-color-scheme: dark" in page
    assert "<script" not in page and "<link" not in page
    assert page.rstrip().endswith("</html>")
