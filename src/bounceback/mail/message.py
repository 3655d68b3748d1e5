"""Outgoing mail: a rendered email and its composition into MIME wire bytes (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from bounceback.errors import ConfigError


@dataclass(frozen=True, slots=True)
class EmailData:
    """A rendered email, before headers are attached."""

    subject: str
    html: str
    text: str
    steps: tuple[tuple[str, str], ...] = ()  # (playbook key, title) of each numbered next step


_ADDRESS = re.compile(r"[^@\s<>()\[\]\\,;:\"]+@[^@\s<>()\[\]\\,;:\"]+")


def one_line(value: str) -> str:
    """A header value on one line: every run of whitespace, CR and LF included, is one space."""
    return " ".join(value.split())


def _address(value: str, what: str) -> str:
    if not _ADDRESS.fullmatch(value):
        raise ConfigError(f"the {what} address {value!r} is not a plain email address; fix it")
    return value


def compose(
    email: EmailData,
    *,
    sender: str,
    to: str,
    message_id: str,
    date: datetime,
    in_reply_to: str | None = None,
    unsubscribe: str | None = None,
) -> bytes:
    """A multipart/alternative message (plain text first, then HTML) as wire bytes.

    Header values are flattened to one line and addresses checked, so nothing taken
    from an email (subjects, names) can start a header of its own. With `unsubscribe`
    (an address) the List-Unsubscribe headers point a "pause" request there.
    """
    message = EmailMessage()
    message["Subject"] = one_line(email.subject)
    message["From"] = formataddr(("bounceback", _address(sender, "sender")))
    message["To"] = _address(to, "digest")
    message["Date"] = format_datetime(date)
    if not (message_id.startswith("<") and message_id.endswith(">")):
        raise ConfigError(f"{message_id!r} is not a Message-ID")
    message["Message-ID"] = "<" + _address(message_id[1:-1], "Message-ID") + ">"
    if in_reply_to:
        message["In-Reply-To"] = one_line(in_reply_to)
    if unsubscribe:
        # RFC 2369: mail apps show an unsubscribe button; ours asks for a pause by mail,
        # which the next poll reads. (No List-Unsubscribe-Post: RFC 8058 one-click needs
        # an HTTPS address, and bounceback serves nothing on the internet.)
        pause = "mailto:" + _address(unsubscribe, "unsubscribe") + "?subject=pause"
        message["List-Unsubscribe"] = f"<{pause}>"
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    # quoted-printable keeps every line under SMTP's 998-octet limit, whatever the HTML
    message.set_content(email.text, cte="quoted-printable")
    message.add_alternative(email.html, subtype="html", cte="quoted-printable")
    return message.as_bytes(policy=policy.SMTP)
