"""Small wording helpers the digest's sections share: days, periods, links, mentions."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_label(moment: datetime) -> str:
    """A date like "26 Nov", independent of the locale."""
    return f"{moment.day} {_MONTHS[moment.month - 1]}"


def period_label(start: datetime, end: datetime) -> str:
    """The covered days, e.g. "23–29 Nov 2026"; a midnight end is exclusive."""
    if end.time() == datetime.min.time() and end > start:
        end = end - timedelta(days=1)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{day_label(end)} {end.year}"
    if start.year == end.year:
        return f"{day_label(start)} – {day_label(end)} {end.year}"
    return f"{day_label(start)} {start.year} – {day_label(end)} {end.year}"


def moment_label(at: datetime, zone: str, all_day: bool) -> str:
    local = at if all_day else at.astimezone(ZoneInfo(zone))
    day = f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}"
    return day if all_day else f"{day}, {local:%H:%M}"


def safe_url(url: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    if any(ch in url for ch in "\"'<>\\ `") or any(ord(ch) < 32 for ch in url):
        return None  # no real job link needs these; an attack would
    parts = urlsplit(url)
    return url if parts.scheme.lower() in {"http", "https"} and parts.netloc else None


def mentions(phrase: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase.casefold())}(?!\w)", text.casefold()) is not None
