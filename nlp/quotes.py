"""Find the new part of an email body: drop quoted history and the signature."""

from __future__ import annotations

import re
from typing import Final

# "On Mon, 23 Nov 2026 at 10:02, Jane <jane@x.org> wrote:" — clients wrap it over two lines.
_ON_WROTE: Final = re.compile(r"^\s*On\b.{4,300}\bwrote:\s*$", re.IGNORECASE | re.DOTALL)
_ORIGINAL: Final = re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE)
_FORWARDED: Final = re.compile(
    r"^\s*(?:-{2,}\s*Forwarded message\s*-{2,}|Begin forwarded message:)\s*$", re.IGNORECASE
)
_OUTLOOK_RULE: Final = re.compile(r"^\s*_{10,}\s*$")
_HEADER_FROM: Final = re.compile(r"^\s*\*?From:\*?\s+\S", re.IGNORECASE)
_HEADER_NEXT: Final = re.compile(r"^\s*\*?(?:Sent|Date|To|Subject|Cc):\*?\s", re.IGNORECASE)
_SIGNATURE: Final = re.compile(r"^(?:-- ?|Sent from my \w+.*|Get Outlook for \w+.*)$")
_BLANK_LINES: Final = re.compile(r"\n{3,}")
# The sender says the message below is passed on, not replied to.
_FORWARD_INTENT: Final = re.compile(
    r"\bforward(?:ed|ing)?\b|\bpass(?:ing|ed)? (?:it|this|these|them|that|their \w+) on\b|"
    r"\bin (?:their|his|her) own words\b|\bsee (?:what|their|his|her) \w+ (?:said|wrote)\b",
    re.IGNORECASE,
)


def _is_header_block(lines: list[str], index: int) -> bool:
    """True when an Outlook-style 'From: … Sent: …' header block starts at `index`."""
    if index >= len(lines) or not _HEADER_FROM.match(lines[index]):
        return False
    following = lines[index + 1 : index + 5]
    return sum(1 for line in following if _HEADER_NEXT.match(line)) >= 2


#: First characters of every line the patterns above can match: other lines are skipped
#: without running any of them (most lines of most mail).
_MARKER_STARTS: Final = frozenset("-_*BbFfOo")


def _history_start(lines: list[str]) -> tuple[int, bool] | None:
    """Index of the first line of quoted history, and whether it is a forward."""
    for index, line in enumerate(lines):
        if line.lstrip()[:1] not in _MARKER_STARTS:
            continue
        if _FORWARDED.match(line):
            return index, True
        if _ORIGINAL.match(line) or _is_header_block(lines, index):
            return index, False
        if _OUTLOOK_RULE.match(line) and _is_header_block(lines, index + 1):
            return index, False
        if line.lstrip().startswith("On ") and len(line) < 400:
            if _ON_WROTE.match(line):
                return index, False
            if index + 1 < len(lines) and _ON_WROTE.match(line + " " + lines[index + 1]):
                return index, False
    return None


def strip_history(text: str) -> str:
    """Return only the new part of a plain-text body: no quoted history, no signature.

    A forwarded block is part of what the sender is saying (a recruiter forwarding the
    hiring manager's notes), so it is kept, read the same way; only replies' history goes.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return _BLANK_LINES.sub("\n\n", "\n".join(_new_lines(lines))).strip()


def _new_lines(lines: list[str]) -> list[str]:
    found = _history_start(lines)
    forwarded: list[str] = []
    if found is not None:
        start, forward = found
        if forward:
            headers, body = _forward_headers(lines[start + 1 :])
            forwarded = [lines[start].strip(), *headers, *_new_lines(body)]
        elif _FORWARD_INTENT.search("\n".join(lines[:start])) and _HEADER_FROM.match(lines[start]):
            # Outlook forwards with a bare From/Sent/To block: "I've forwarded their email
            # below so you can see it in their words" says it is not history.
            headers, body = _forward_headers(lines[start:])
            forwarded = [*headers, *_new_lines(body)]
        lines = lines[:start]
    kept: list[str] = []
    for line in lines:
        if _SIGNATURE.match(line.rstrip("\r")):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return kept + forwarded if forwarded else kept


def _forward_headers(lines: list[str]) -> tuple[list[str], list[str]]:
    """(the forwarded message's own From/Date/Subject/To lines, the rest): kept as they
    are, but not read as the header block of quoted history, which would drop the
    whole forward."""
    index = 0
    while index < len(lines) and (
        not lines[index].strip()
        or _HEADER_FROM.match(lines[index])
        or _HEADER_NEXT.match(lines[index])
    ):
        index += 1
    return [line.rstrip() for line in lines[:index]], lines[index:]
