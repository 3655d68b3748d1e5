"""Small, well-formed test messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

BASE = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def make_mail(
    number: int,
    *,
    subject: str | None = None,
    body: str | None = None,
    sender: str = "Talent Team <talent@acme-analytics.test>",
    when: datetime | None = None,
) -> bytes:
    """A plain-text message with a unique Message-ID."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "Alex Morgan <alex@example.com>"
    message["Subject"] = subject or f"Update on your application ({number})"
    message["Date"] = format_datetime(when or BASE + timedelta(hours=number))
    message["Message-ID"] = f"<test-{number}@acme-analytics.test>"
    message.set_content(body or f"Hello Alex,\n\nThis is message number {number}.\n")
    return message.as_bytes()
