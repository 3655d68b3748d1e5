"""Tests for the pure weekly digest builder: sections, counts, themes, steps, form."""

from __future__ import annotations

import html
import random
import re
from dataclasses import replace
from datetime import datetime

import pytest

from bounceback.digest.build import build_digest, digest_context
from bounceback.digest.charts import glance
from bounceback.digest.model import DigestInput, GapItem, WeekStats
from bounceback.digest.themes import themes
from bounceback.digest.words import period_label
from bounceback.mail.message import EmailData
from tests.support.digest_pages import (
    SECTION_TITLES,
    flat_text,
    gap_item,
    page_section,
)


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
    glance_html = page_section(digest.html, 4)
    # Four rejections this week against 1 a week before (1 + 2 + 1 + 0) / 4.
    assert ">4</p>" in glance_html
    assert "up from 1 a week" in glance_html
    # The chart is tables with inline heights and colours, never an image.
    assert 'bgcolor="#ea580c"' in glance_html
    assert "<img" not in digest.html
    glance_text = page_section(digest.text, 4)
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
    section_html = page_section(digest.html, 3)
    section_text = flat_text(page_section(digest.text, 3))
    for gap in week_gaps:
        assert html.escape(gap.text) in section_html
        assert flat_text(gap.text) in section_text
        assert f"{gap.company} · {gap.role}" in section_html
    # Earlier feedback is counted in the themes but not quoted as this week's.
    assert "gaps in SQL joins" not in section_html


def test_recurring_themes_count_employers_and_recency(digest: EmailData) -> None:
    section = flat_text(page_section(digest.text, 3))
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
    section_text = flat_text(page_section(digest.text, 2))
    assert "Why: Northwind Analytics and Contoso Retail both raised SQL." in section_text
    # the quotes themselves are in the feedback section only: nothing appears twice
    assert "We felt your SQL" not in section_text
    assert "We felt your SQL" in page_section(digest.text, 3)


def test_most_recent_wins_between_equally_frequent_themes() -> None:
    older = gap_item(1, "skill", "Needs Excel.", "Excel", "A Ltd", None, datetime(2026, 11, 2))
    newer = gap_item(2, "skill", "Needs Python.", "Python", "B Ltd", None, datetime(2026, 11, 25))
    found = themes((older, newer), (newer,), datetime(2026, 11, 30))
    assert [t.skill for t in found] == ["Python", "Excel"]


def test_empty_week_still_gives_a_useful_digest(empty_input: DigestInput) -> None:
    email = build_digest(empty_input)
    assert email.subject == "Your week in job search: a quiet week, and a plan for it — 2026-W48"
    for title in SECTION_TITLES:
        assert title in email.html
        assert title in email.text
    text = flat_text(email.text)
    assert "No employer gave specific feedback this week." in text
    assert "Your first week on record" in email.html
    steps = flat_text(page_section(email.text, 2)).lower()
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
