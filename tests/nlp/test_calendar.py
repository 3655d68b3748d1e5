"""Calendar parts read with icalendar: zones, daylight saving, floating and all-day times."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

from bounceback.nlp.calendar import calendar_events

_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


def _invite(start: str, *, method: str = "REQUEST", extra: str = "", tz: bool = True) -> bytes:
    calendar = (
        "BEGIN:VCALENDAR\r\nPRODID:-//test//EN\r\nVERSION:2.0\r\n"
        f"METHOD:{method}\r\n"
        + (_VTIMEZONE.replace("\n", "\r\n") if tz else "")
        + "BEGIN:VEVENT\r\nUID:abc-123@example.com\r\nDTSTAMP:20261020T120000Z\r\n"
        f"{start}\r\nSUMMARY:Interview: Data Analyst\r\nLOCATION:Video call\r\n{extra}"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    message = EmailMessage()
    message["From"] = "Scheduling <noreply@goodtime.example>"
    message["Subject"] = "Invitation: Interview"
    message.set_content("You have been invited.")
    message.add_attachment(
        calendar.encode(), maintype="text", subtype="calendar", params={"method": method}
    )
    return bytes(message)


def test_a_time_with_a_tzid_lands_on_the_right_instant_either_side_of_dst() -> None:
    (before,) = calendar_events(
        _invite("DTSTART;TZID=Europe/Berlin:20261023T100000"), "Europe/London"
    )
    (after,) = calendar_events(
        _invite("DTSTART;TZID=Europe/Berlin:20261026T100000"), "Europe/London"
    )
    assert before.start == datetime(2026, 10, 23, 8, 0, tzinfo=UTC)  # CEST, UTC+2
    assert after.start == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)  # CET, UTC+1
    assert before.summary == "Interview: Data Analyst" and before.location == "Video call"
    assert not before.cancelled


def test_utc_floating_and_all_day_times() -> None:
    (utc,) = calendar_events(_invite("DTSTART:20261102T143000Z", tz=False), "Europe/London")
    assert utc.start == datetime(2026, 11, 2, 14, 30, tzinfo=UTC)
    (floating,) = calendar_events(_invite("DTSTART:20260615T100000", tz=False), "Europe/London")
    assert floating.start == datetime(2026, 6, 15, 9, 0, tzinfo=UTC)  # 10:00 BST
    (day,) = calendar_events(_invite("DTSTART;VALUE=DATE:20261204", tz=False), "UTC")
    assert day.all_day and day.start == datetime(2026, 12, 4, tzinfo=UTC)


def test_a_cancellation_is_marked_and_damaged_parts_are_skipped() -> None:
    (event,) = calendar_events(
        _invite("DTSTART:20261102T143000Z", method="CANCEL", tz=False), "UTC"
    )
    assert event.cancelled
    broken = _invite("DTSTART:not-a-date", tz=False)
    assert calendar_events(broken, "UTC") == []
    assert calendar_events(b"Subject: hi\r\n\r\nno calendar here", "UTC") == []
