"""What the queue page shows, read in one transaction: the queue and the open email.

Reading only: nothing here writes to the database, so a page view never changes data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from bounceback.nlp.taxonomy import GAP_CATEGORIES, LABELS
from bounceback.review.location import PAGE_SIZE, Location
from bounceback.review.sanitize import frame_document
from bounceback.review.view import (
    Piece,
    SpanGap,
    gap_state,
    highlight,
    label_certainty,
    not_sure,
    sentence_spans,
    soft_breaks,
    sure_title,
    with_soft_breaks,
)
from bounceback.storage import review as store
from bounceback.storage.models import Analysis, Gap, Message

MAX_HTML_CHARS = 400_000  # beyond this the original is cut (newsletters with inline images)


@dataclass(frozen=True, slots=True)
class LabelView:
    """One label checkbox: whether it is set, and how sure the model was."""

    name: str
    checked: bool
    not_sure: bool
    title: str


@dataclass(frozen=True, slots=True)
class GapView:
    """One gap as the page lists it, numbered like its highlight."""

    gap: Gap
    number: int
    state: str
    added: bool
    not_sure: bool
    title: str


@dataclass(frozen=True, slots=True)
class EmailView:
    """The open email with everything its section of the page shows."""

    message: Message
    analysis: Analysis
    labels: list[LabelView]
    gaps: list[GapView]
    pieces: list[tuple[Piece, list[tuple[str, bool]]]]  # with runs, soft line breaks marked
    numbers: dict[int, int]  # gap id -> its number in the list
    sentences: str  # JSON [[start, end], ...] for choosing a missed gap by keyboard
    frame: str | None
    frame_cut: bool
    previous: int | None
    next: int | None

    @property
    def body(self) -> str:
        """The text the model read (what gaps' offsets point into)."""
        return self.message.analysed_text or self.message.body_text or ""

    @property
    def unchecked(self) -> int:
        """Gaps nobody has looked at yet."""
        return sum(1 for view in self.gaps if view.gap.status == "auto")


@dataclass(frozen=True, slots=True)
class QueueView:
    """One page of the queue with its filters."""

    rows: list[store.QueueRow]
    total: int
    pages: int
    companies: list[str]
    location: Location
    not_sure: set[int] = field(default_factory=set)  # message ids the model was unsure of


def load_queue(location: Location, *, session: Session) -> QueueView:
    """The queue page the location points at."""
    rows, total = store.review_queue(
        location.queue_filter, offset=location.offset, limit=PAGE_SIZE, session=session
    )
    unsure = {row.message_id for row in rows if not_sure(row.priority)}
    pages = max(1, -(-total // PAGE_SIZE))
    companies = store.review_companies(session=session)
    return QueueView(rows, total, pages, companies, location, unsure)


def _labels(analysis: Analysis) -> list[LabelView]:
    views = []
    for name in LABELS:
        score = (analysis.scores or {}).get(name)
        certainty = None if score is None else label_certainty(score)
        views.append(
            LabelView(
                name, name in (analysis.labels or []), not_sure(certainty), sure_title(certainty)
            )
        )
    return views


def _gaps(gaps: list[Gap], added: set[int]) -> list[GapView]:
    return [
        GapView(
            gap,
            number,
            gap_state(gap.status, added=gap.id in added),
            gap.id in added,
            gap.status == "auto" and not_sure(gap.confidence),
            sure_title(gap.confidence) if gap.id not in added else "added by you",
        )
        for number, gap in enumerate(gaps, start=1)
    ]


def _pieces(body: str, spans: list[SpanGap]) -> list[tuple[Piece, list[tuple[str, bool]]]]:
    pieces = highlight(body, spans)
    return list(zip(pieces, with_soft_breaks(pieces, soft_breaks(body)), strict=True))


def load_email(location: Location, message_id: int, *, session: Session) -> EmailView | None:
    """The email with its analysis, gaps and queue neighbours, or None if there is none."""
    found = store.message_for_review(message_id, session=session)
    if found is None:
        return None
    message, analysis, gaps = found
    body = message.analysed_text or message.body_text or ""
    spans = [SpanGap(g.id, g.start, g.end, g.category, g.status) for g in gaps]
    before, after = store.queue_neighbours(location.queue_filter, message_id, session=session)
    html = message.html
    return EmailView(
        message=message,
        analysis=analysis,
        labels=_labels(analysis),
        gaps=_gaps(gaps, store.gaps_added_by_user(message_id, session=session)),
        pieces=_pieces(body, spans),
        numbers={gap.id: number for number, gap in enumerate(gaps, start=1)},
        sentences=json.dumps(sentence_spans(body), separators=(",", ":")),
        frame=frame_document(html[:MAX_HTML_CHARS]) if html else None,
        frame_cut=bool(html and len(html) > MAX_HTML_CHARS),
        previous=before,
        next=after,
    )


def page_context(location: Location, *, session: Session) -> dict[str, Any]:
    """Everything the queue page's templates need; the first email opens when none is chosen."""
    queue = load_queue(location, session=session)
    selected = location.message
    if selected is None and queue.rows:
        selected = queue.rows[0].message_id
    email = load_email(location, selected, session=session) if selected is not None else None
    if email is not None:
        location = replace(location, message=email.message.id)
    return {
        "queue": queue,
        "email": email,
        "location": location,
        "here": location.url(),
        "labels": LABELS,
        "categories": GAP_CATEGORIES,
        "missing": selected is not None and email is None,
    }


def page_title(context: dict[str, Any]) -> str:
    """The browser tab's title: the open email's subject, or the queue."""
    email: EmailView | None = context.get("email")
    if email is None:
        return "Review queue · bounceback"
    subject = " ".join((email.message.subject or "(no subject)").split())
    return f"{subject[:80]} · Review · bounceback"
