"""Test helpers for the digest builder: sample records and ways to read a rendered digest."""

from __future__ import annotations

import html
import re
from datetime import datetime
from urllib.parse import unquote, urlsplit

from bounceback.digest.model import GapItem, PostingItem

SECTION_TITLES = (
    "This week",
    "Next steps",
    "What the feedback says",
    "The week at a glance",
    "Ask for feedback",
    "Fresh job alerts",
    "For your learning diary",
)


def gap_item(
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


def flat_text(text: str) -> str:
    """Collapse wrapping so assertions don't depend on where lines break."""
    return " ".join(text.split())


def mailto_links(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'href="(mailto:[^"]*)"', page)]


def decode_mailto(link: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(link)
    params = dict(pair.split("=", 1) for pair in parts.query.split("&"))
    return unquote(parts.path), {key: unquote(value) for key, value in params.items()}


def page_section(page: str, number: int) -> str:
    """The part of a rendered email between heading `number` and the next one."""
    start = page.index(SECTION_TITLES[number - 1])
    end = page.index(SECTION_TITLES[number]) if number < len(SECTION_TITLES) else len(page)
    return page[start:end]


def posting_item(
    title: str, company: str, where: str, pay: str | None, url: str, source: str
) -> PostingItem:
    return PostingItem(title, company, where, pay, url, source, datetime(2026, 11, 25, 7))
