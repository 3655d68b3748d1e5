"""The IMAP wire, without a connection: sequence sets, FETCH answers, the read-only guard.

Pure functions over what imaplib hands back, tested without a server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

#: The numeric items of a FETCH answer, in whatever order the server lists them.
_FETCH_NUMBER = re.compile(rb"(?<![\w.-])(UID|RFC822\.SIZE|X-GM-MSGID) (\d+)", re.IGNORECASE)
#: The start of an untagged FETCH answer ("12 (..."), as imaplib hands it over.
_FETCH_START = re.compile(rb"\s*\d+ \(")
#: Every command a read-only session may send. Anything else (STORE, COPY, MOVE, EXPUNGE,
#: APPEND, CREATE, SELECT, ...) is refused before it reaches the server.
READ_ONLY_COMMANDS = frozenset(
    {
        "CAPABILITY", "LOGIN", "AUTHENTICATE", "STARTTLS", "ID", "ENABLE", "NAMESPACE",
        "LIST", "LSUB", "STATUS", "EXAMINE", "NOOP", "LOGOUT",
    }
)  # fmt: skip
READ_ONLY_UID_COMMANDS = frozenset({"SEARCH", "FETCH"})
# A FETCH that names BODY[...] without .PEEK, or RFC822 / RFC822.TEXT, sets \Seen.
_FLAG_SETTING_FETCH = re.compile(r"BODY\[|RFC822(?!\.SIZE|\.HEADER)", re.IGNORECASE)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class RawMessage:
    """One message exactly as the server holds it."""

    uid: int
    size: int
    raw: bytes
    #: True when only the header was fetched (the body was over the size limit).
    header_only: bool = False
    #: Gmail's X-GM-MSGID: one id for the message under every label (None elsewhere).
    gmail_msgid: int | None = None


class ReadOnlyViolation(RuntimeError):
    """Code tried to send a command that changes the mailbox; it never reaches the server."""


def check_read_only(name: str, args: Sequence[Any]) -> None:
    """Refuse any IMAP command that could change the mailbox (a programming error)."""
    command = name.upper()
    if command == "UID":
        sub = str(args[0]).upper() if args else ""
        if sub not in READ_ONLY_UID_COMMANDS:
            raise ReadOnlyViolation(f"refusing to send UID {sub}: bounceback is read-only")
        if sub == "FETCH" and any(_FLAG_SETTING_FETCH.search(str(a)) for a in args[2:]):
            raise ReadOnlyViolation("refusing a FETCH without .PEEK: it would set \\Seen")
        return
    if command not in READ_ONLY_COMMANDS:
        raise ReadOnlyViolation(f"refusing to send {command}: bounceback is read-only")


def uid_set(uids: Sequence[int]) -> str:
    """A compact IMAP sequence set: 1:5,9,12:14."""
    ordered = sorted(set(uids))
    ranges: list[str] = []
    start = prev = ordered[0]
    for uid in ordered[1:]:
        if uid == prev + 1:
            prev = uid
            continue
        ranges.append(f"{start}:{prev}" if prev > start else str(start))
        start = prev = uid
    ranges.append(f"{start}:{prev}" if prev > start else str(start))
    return ",".join(ranges)


def fetch_numbers(line: bytes) -> dict[str, int]:
    """The UID, RFC822.SIZE and X-GM-MSGID items of one FETCH answer line, by upper-case name."""
    return {m.group(1).decode().upper(): int(m.group(2)) for m in _FETCH_NUMBER.finditer(line)}


def uid_and_size(line: bytes) -> tuple[int | None, int | None]:
    numbers = fetch_numbers(line)
    return numbers.get("UID"), numbers.get("RFC822.SIZE")


def quote_folder(name: str) -> str:
    from imap_tools.imap_utf7 import utf7_encode

    encoded = utf7_encode(name).decode("ascii")
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch_answers(data: list[Any]) -> Iterator[tuple[bytes, bytes]]:
    """(items, literal) of each FETCH answer that carries a literal, as imaplib splits them.

    imaplib cuts an answer at its literal: (`1 (UID 1 ... BODY[] {123}`, the bytes), then
    what follows the literal as its own line: `)`, or more items (` X-GM-MSGID 12)`).
    """
    pending: tuple[bytes, bytes] | None = None
    for item in data:
        if pending is not None and isinstance(item, bytes) and not _FETCH_START.match(item):
            yield pending[0] + b" " + item, pending[1]  # the rest of the same answer
            pending = None
            continue
        if pending is not None:
            yield pending
            pending = None
        if isinstance(item, tuple) and len(item) >= 2:
            items, raw = item[0], item[1]
            if isinstance(items, bytes) and isinstance(raw, bytes):
                pending = (items, raw)
        # anything else is an answer without a literal, e.g. a NIL body: left out
    if pending is not None:
        yield pending


def parse_fetch(data: list[Any], *, header_only: bool = False) -> list[RawMessage]:
    """Messages from a FETCH answer; a `BODY[] NIL` (expunged elsewhere) is left out."""
    messages: list[RawMessage] = []
    for items, raw in fetch_answers(data):
        numbers = fetch_numbers(items)
        uid = numbers.get("UID")
        if uid is None:
            continue
        messages.append(
            RawMessage(
                uid=uid,
                size=numbers.get("RFC822.SIZE", len(raw)),
                raw=raw,
                header_only=header_only,
                gmail_msgid=numbers.get("X-GM-MSGID"),
            )
        )
    return messages
