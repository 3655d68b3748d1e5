"""Pure helpers behind the review page: plain words for scores, highlighted text, spans."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from bounceback.nlp.segment import segment

#: One colour per gap category, shared by the highlights, the chips and the chart.
CATEGORY_COLOURS: dict[str, str] = {
    "skill": "#3b6fd8",
    "experience": "#8a4fd0",
    "communication": "#d0613b",
    "preparation": "#c99a16",
    "motivation": "#d43f7c",
    "evidence": "#1f9a8a",
    "fit": "#5f7a2a",
}

#: Below this certainty the page says "not sure" (the analyser's review threshold,
#: ``review_below`` in the models' thresholds.json); the exact figure shows on hover.
NOT_SURE_BELOW = 0.7

#: What each gap status is called on the page.
GAP_STATES = {
    "auto": "to check",
    "accepted": "accepted",
    "edited": "edited by you",
    "dismissed": "dismissed",
}


def label_certainty(score: float) -> float:
    """How sure a label decision was, 0.5 to 1, from its calibrated score."""
    return max(float(score), 1.0 - float(score))


def not_sure(certainty: float | None) -> bool:
    """True when the model was unsure enough for the page to say so."""
    return certainty is not None and certainty < NOT_SURE_BELOW


def sure_title(certainty: float | None) -> str:
    """The exact figure, for a tooltip: "bounceback was 62% sure"."""
    if certainty is None:
        return "not scored"
    return f"bounceback was {round(certainty * 100)}% sure"


def gap_state(status: str, *, added: bool) -> str:
    """A gap's status in plain words; a gap the user added says so."""
    if added and status != "dismissed":
        return "added by you"
    return GAP_STATES.get(status, status)


def sentence_spans(body: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence or clause, for choosing a missed gap with the keyboard."""
    return [(piece.start, piece.end) for piece in segment(body)]


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of the email text, highlighted when it belongs to a gap."""

    text: str
    gap_id: int | None = None
    category: str | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class SpanGap:
    """What highlighting needs to know about a gap."""

    id: int
    start: int
    end: int
    category: str
    status: str


def highlight(body: str, gaps: Sequence[SpanGap]) -> list[Piece]:
    """Split ``body`` into plain and highlighted pieces; overlaps go to the earlier gap."""
    pieces: list[Piece] = []
    position = 0
    for gap in sorted(gaps, key=lambda g: (g.start, g.end)):
        start, end = max(gap.start, position), min(gap.end, len(body))
        if start >= end:
            continue
        if start > position:
            pieces.append(Piece(body[position:start]))
        pieces.append(Piece(body[start:end], gap.id, gap.category, gap.status))
        position = end
    if position < len(body):
        pieces.append(Piece(body[position:]))
    return pieces


#: A line that starts a list item or quote keeps the line break before it.
_KEEPS_BREAK = re.compile(r"^\s*(?:[-*•>|]|\d{1,2}[.)])")
#: Lines at least this long that go on into the next line were wrapped by the sender.
WRAPPED_LINE = 40


def soft_breaks(body: str) -> set[int]:
    """Offsets of line breaks that only wrap a paragraph (hard-wrapped mail).

    The page shows them as spaces so the text reflows to the screen's width; the text
    itself (and every offset into it) stays exactly as the model read it.
    """
    soft: set[int] = set()
    position = 0
    lines = body.split("\n")
    for line, following in pairwise(lines):
        position += len(line)
        if (
            len(line.strip()) >= WRAPPED_LINE
            and following.strip()
            and not _KEEPS_BREAK.match(following)
            and not _KEEPS_BREAK.match(line)
        ):
            soft.add(position)
        position += 1
    return soft


def with_soft_breaks(pieces: Sequence[Piece], soft: set[int]) -> list[list[tuple[str, bool]]]:
    """Each piece's text cut into runs, True for a run that is one soft line break."""
    runs: list[list[tuple[str, bool]]] = []
    position = 0
    for piece in pieces:
        parts: list[tuple[str, bool]] = []
        last = 0
        for index, char in enumerate(piece.text):
            if char == "\n" and position + index in soft:
                if index > last:
                    parts.append((piece.text[last:index], False))
                parts.append(("\n", True))
                last = index + 1
        if last < len(piece.text):
            parts.append((piece.text[last:], False))
        runs.append(parts)
        position += len(piece.text)
    return runs


class SpanError(ValueError):
    """A selected span does not match the email text."""


def resolve_span(body: str, start: int, end: int, text: str | None) -> tuple[int, int, str]:
    """Check a span chosen in the browser against the body; trims surrounding whitespace.

    Browsers may count characters differently (line endings), so when ``text`` is given
    and ``body[start:end]`` differs, the occurrence of ``text`` nearest ``start`` wins.
    """
    if text is not None and "\r" not in body:
        text = text.replace("\r\n", "\n")  # form posts send line breaks as CRLF
    if text is not None and text.strip() and body[start:end] != text:
        wanted = text.strip()
        hits = []
        at = body.find(wanted)
        while at != -1:
            hits.append(at)
            at = body.find(wanted, at + 1)
        if not hits:
            raise SpanError("the selected text is not in this email's text")
        start = min(hits, key=lambda hit: abs(hit - start))
        end = start + len(wanted)
    if not 0 <= start < end <= len(body):
        raise SpanError("select some of the email's text first")
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    if start == end:
        raise SpanError("select some of the email's text first")
    return start, end, body[start:end]
