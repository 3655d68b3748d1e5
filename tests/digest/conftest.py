"""Fixtures for the digest tests: one busy week, an empty one, and the digest built from it."""

from __future__ import annotations

from datetime import datetime

import pytest

from bounceback.digest.build import build_digest
from bounceback.digest.model import DigestInput, GapItem, PostingItem, SilentRejection, WeekStats
from bounceback.mail.message import EmailData
from tests.support.digest_pages import gap_item, posting_item


@pytest.fixture
def week_gaps() -> tuple[GapItem, ...]:
    """Four pieces of feedback from two employers in week 48."""
    return (
        gap_item(
            11,
            "skill",
            "We felt your SQL was not yet at the level the role needs, "
            "particularly around window functions.",
            "SQL",
            "Northwind Analytics",
            "Data Analyst",
            datetime(2026, 11, 24, 9, 30),
        ),
        gap_item(
            12,
            "communication",
            "Some answers ran long and it was hard to follow the main point.",
            None,
            "Northwind Analytics",
            "Data Analyst",
            datetime(2026, 11, 24, 9, 30),
        ),
        gap_item(
            13,
            "skill",
            "The panel wanted to hear more about how you have managed senior stakeholders.",
            "stakeholder management",
            "Brightside Health",
            "Business Analyst",
            datetime(2026, 11, 26, 15, 0),
        ),
        gap_item(
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
        gap_item(
            3,
            "skill",
            "The technical test showed gaps in SQL joins.",
            "sql",
            "Contoso Retail",
            "Insight Analyst",
            datetime(2026, 11, 10, 11, 0),
        ),
        gap_item(
            2,
            "skill",
            "We need more experience of stakeholder management at director level.",
            "Stakeholder management",
            "Fabrikam",
            "Operations Analyst",
            datetime(2026, 11, 5, 10, 0),
        ),
        gap_item(
            1,
            "skill",
            "We were looking for someone with stronger stakeholder management.",
            "stakeholder management",
            "Tailspin Toys",
            "Junior Analyst",
            datetime(2026, 9, 15, 14, 0),
        ),
        gap_item(
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


@pytest.fixture
def postings() -> tuple[PostingItem, ...]:
    """Job alerts from several boards, one role listed twice and one unsafe link."""
    return (
        posting_item(
            "Marketing Coordinator", "Umbrella", "Leeds", None, "https://j.example/1", "Indeed"
        ),
        posting_item(
            "Senior Data Analyst", "Acme", "London", "£55,000", "https://j.example/7", "Reed"
        ),
        posting_item(
            "Senior Data Analyst", "Acme", "London", "£55,000", "https://k.example/7", "CWJobs"
        ),
        posting_item("SQL Developer", "Hooli", "Remote", None, "javascript:alert(1)", "Totaljobs"),
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
