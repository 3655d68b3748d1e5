"""Events in the `text/calendar` parts of a message (interview invitations), via icalendar.

Scheduling tools and calendar servers send an invitation as a `text/calendar` part
(METHOD:REQUEST) or an `.ics` attachment, often with almost no text around it. The
times are read with icalendar, which resolves TZID parameters to zoneinfo zones, so a
time written in another zone, or across a daylight-saving change, lands on the right
instant; floating times (no zone) are the user's local time; all-day events are dates.
Pure: raw bytes in, records out; never raises on a damaged part.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email import policy
from email.message import Message
from email.parser import BytesParser
from zoneinfo import ZoneInfo

__all__ = ["CalendarEvent", "calendar_events", "calendar_parts"]

log = logging.getLogger(__name__)
_PARSER = BytesParser(policy=policy.compat32)
_CALENDAR_TYPES = frozenset({"text/calendar", "application/ics", "text/x-vcalendar"})
_MAX_PART_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One VEVENT: when (UTC), what, and whether it was cancelled."""

    start: datetime
    end: datetime | None
    all_day: bool
    summary: str
    location: str | None
    cancelled: bool
    uid: str | None


def _is_calendar(part: Message) -> bool:
    kind = part.get_content_type()
    if kind in _CALENDAR_TYPES:
        return True
    name = (part.get_filename() or "").lower()
    return name.endswith(".ics")


def calendar_parts(raw: bytes) -> Iterator[bytes]:
    """The decoded bytes of every calendar part of a raw message."""
    if b"calendar" not in raw and b".ics" not in raw:  # most mail: no parse at all
        return
    try:
        message = _PARSER.parsebytes(raw)
        for part in message.walk():
            if part.is_multipart() or not _is_calendar(part):
                continue
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload and len(payload) <= _MAX_PART_BYTES:
                yield payload
    except Exception as exc:  # damaged MIME: no calendar, never a crash
        log.debug("calendar parts unreadable: %s", type(exc).__name__)


def _instant(value: object, zone: ZoneInfo) -> tuple[datetime, bool] | None:
    if isinstance(value, datetime):
        local = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        return local.astimezone(UTC), False
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC), True
    return None


def _events(data: bytes, zone: ZoneInfo) -> Iterator[CalendarEvent]:
    from icalendar import Calendar  # imported on first use: most mail has no calendar

    calendar = Calendar.from_ical(data)
    cancelled_all = str(calendar.get("METHOD", "")).upper() == "CANCEL"
    for event in calendar.walk("VEVENT"):
        start_prop = event.get("DTSTART")
        start = _instant(start_prop.dt, zone) if start_prop is not None else None
        if start is None:
            continue
        end_prop = event.get("DTEND")
        end = _instant(end_prop.dt, zone) if end_prop is not None else None
        status = str(event.get("STATUS", "")).upper()
        yield CalendarEvent(
            start=start[0],
            end=end[0] if end else None,
            all_day=start[1],
            summary=str(event.get("SUMMARY", "")).strip()[:300],
            location=(str(event.get("LOCATION")).strip()[:300] or None)
            if event.get("LOCATION")
            else None,
            cancelled=cancelled_all or status == "CANCELLED",
            uid=str(event.get("UID")) if event.get("UID") else None,
        )


def calendar_events(raw: bytes, zone: str) -> list[CalendarEvent]:
    """Every event in the message's calendar parts; floating times read in ``zone``."""
    where = ZoneInfo(zone)
    found: list[CalendarEvent] = []
    for data in calendar_parts(raw):
        try:
            found.extend(_events(data, where))
        except Exception as exc:  # a damaged calendar part is skipped, not fatal
            log.debug("calendar part unreadable: %s", type(exc).__name__)
    return found
