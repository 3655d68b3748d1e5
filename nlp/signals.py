"""What a message's headers say beside its words: a calendar part, bulk or automated sending,
and where replies go.

Read once from the raw message, in :func:`bounceback.nlp.mail.parse_email` and (for a stored
message) :func:`read_signals`, and carried to the analyser on
:class:`~bounceback.nlp.records.EmailText`. The analyser uses them where words are not
enough: a calendar invitation with no hiring word in it is not an interview, bulk or
machine-sent mail that never mentions a job is not job mail, and an ATS message whose
replies go to the employer's own domain names the employer. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from typing import Any

__all__ = ["NO_SIGNALS", "SIGNAL_HEADERS", "Signals", "read_signals", "signals_from_headers"]


@dataclass(frozen=True, slots=True)
class Signals:
    """Header facts about one message (all false / None when nothing is known)."""

    #: A ``text/calendar`` part or ``.ics`` file: an invitation, an update or a cancellation.
    calendar: bool = False
    #: Sent to a list: ``List-Unsubscribe``, ``List-Id`` or ``Precedence: bulk/list/junk``.
    bulk: bool = False
    #: Sent by a program: ``Auto-Submitted`` other than "no" (RFC 3834).
    automated: bool = False
    #: The ``Reply-To`` address when its domain differs from the sender's, lower-cased.
    reply_to: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The fields as a JSON object (for corpus records)."""
        return asdict(self)

    @classmethod
    def from_json(cls, value: Mapping[str, Any] | None) -> Signals:
        """The inverse of :meth:`to_json`; anything missing or unknown is ignored."""
        if not value:
            return NO_SIGNALS
        return cls(
            calendar=bool(value.get("calendar")),
            bulk=bool(value.get("bulk")),
            automated=bool(value.get("automated")),
            reply_to=str(value["reply_to"]) if value.get("reply_to") else None,
        )


NO_SIGNALS = Signals()

_BULK_PRECEDENCE = re.compile(r"^\s*(?:bulk|list|junk)\b", re.IGNORECASE)
_HEADER_PARSER = BytesHeaderParser(policy=compat32)
# A calendar part announces itself in its Content-Type or in an .ics file name.
_CALENDAR_MARK = re.compile(
    rb"content-type:\s*(?:text/calendar|application/ics|text/x-vcalendar)|\.ics\b",
    re.IGNORECASE,
)


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()


#: The headers the signals come from (a JSON-lines input may give these).
SIGNAL_HEADERS = ("Reply-To", "List-Unsubscribe", "List-Id", "Precedence", "Auto-Submitted")


def signals_from_headers(
    headers: Mapping[str, str], raw: bytes = b"", *, calendar: bool = False
) -> Signals:
    """Signals from raw header values keyed by lower-cased name (``from`` included).

    ``raw`` (the whole message, if there is one) is only searched for a calendar part's
    Content-Type or ``.ics`` name; ``calendar`` says there is one when no raw is at hand.
    """
    auto = headers.get("auto-submitted", "").strip().lower()
    bulk = bool(
        headers.get("list-unsubscribe")
        or headers.get("list-id")
        or _BULK_PRECEDENCE.match(headers.get("precedence", ""))
    )
    reply_to = None
    if headers.get("reply-to"):  # most mail has none: no address parsing at all
        replies = [a for _, a in getaddresses([headers["reply-to"]]) if "@" in a]
        senders = [a for _, a in getaddresses([headers.get("from", "")]) if "@" in a]
        if replies and senders and _domain(replies[0]) != _domain(senders[0]):
            reply_to = replies[0].strip().lower()
    return Signals(
        calendar=calendar or (bool(raw) and _CALENDAR_MARK.search(raw) is not None),
        bulk=bulk,
        automated=bool(auto) and not auto.startswith("no"),
        reply_to=reply_to,
    )


def read_signals(raw: bytes | None) -> Signals:
    """Signals of a raw message, from its header block alone; damaged headers give none."""
    if not raw:
        return NO_SIGNALS
    try:
        message = _HEADER_PARSER.parsebytes(raw)
        headers: dict[str, str] = {}
        for name, value in message.items():
            headers.setdefault(name.lower(), str(value))
    except Exception:  # malformed mail: no signals, never a crash
        return NO_SIGNALS
    return signals_from_headers(headers, raw)
