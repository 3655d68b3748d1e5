"""Data functions of the review page's reading side: the queue, one email, the trends.

Corrections (the writing side) live in :mod:`bounceback.storage.corrections`. Like every
data function here, each takes ``*, session`` and never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, literal, select, tuple_
from sqlalchemy.orm import Session, defer

from bounceback.storage.models import Analysis, Correction, Gap, Message


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One message in the review queue, without its body or raw bytes."""

    message_id: int
    subject: str
    from_header: str
    received_at: datetime
    labels: list[str]
    company: str | None
    role: str | None
    review_status: str
    priority: float | None
    gaps: int


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the queue shows: label ("other" for non-job mail), company, status, gap category."""

    label: str | None = None
    company: str | None = None
    status: str | None = "auto"  # "auto" (to review), "reviewed", or None for both
    category: str | None = None  # only mail with a kept gap of this category


def review_priority(scores: dict[str, float], gap_confidences: Iterable[float]) -> float:
    """How sure the model was of its least sure decision on a message, 0.5 to 1.

    Each label decision counts as sure as its calibrated score says (``max(s, 1 - s)``),
    each gap as its confidence; the queue shows the lowest first.
    """
    label_certainty = [max(float(s), 1.0 - float(s)) for s in scores.values()]
    return round(min([*label_certainty, *gap_confidences, 1.0]), 4)


def index_for_review(analysis: Analysis, gap_confidences: Iterable[float]) -> None:
    """Give an analysis its place in the review queue (called when it is stored)."""
    analysis.review_priority = review_priority(analysis.scores or {}, gap_confidences)
    analysis.label_key = label_key(analysis.labels or [])


def index_pending(limit: int = 1000, *, session: Session) -> int:
    """Index up to ``limit`` analyses stored before they were indexed on save; returns how many.

    Analyses are indexed as they are stored; this catches databases written by older
    versions. The review server runs it once when it starts, never on a page view.
    """
    found = list(
        session.scalars(
            select(Analysis)
            .where(Analysis.review_priority.is_(None))
            .order_by(Analysis.id)
            .limit(limit)
        )
    )
    confidences: dict[int, list[float]] = {a.message_id: [] for a in found}
    if found:
        rows = session.execute(
            select(Gap.message_id, Gap.confidence).where(Gap.message_id.in_(list(confidences)))
        )
        for message_id, confidence in rows:
            confidences[message_id].append(confidence)
    for analysis in found:
        index_for_review(analysis, confidences[analysis.message_id])
    session.flush()
    return len(found)


def label_key(labels: Iterable[str]) -> str:
    """The searchable form of a label list: " a b " (empty for other mail)."""
    names = sorted(set(labels))
    return f" {' '.join(names)} " if names else ""


def _queue_conditions(view: QueueFilter) -> list[Any]:
    conditions: list[Any] = [Analysis.label_key.is_not(None)]
    if view.label == "other":
        conditions.append(Analysis.label_key == "")
    elif view.label:
        conditions.append(Analysis.label_key.like(f"% {view.label} %"))
    else:
        conditions.append(Analysis.label_key != "")
    if view.company:
        conditions.append(Analysis.company == view.company)
    if view.status:
        conditions.append(Analysis.review_status == view.status)
    if view.category:
        conditions.append(
            exists().where(
                Gap.message_id == Analysis.message_id,
                Gap.category == view.category,
                Gap.status != "dismissed",
            )
        )
    return conditions


def review_queue(
    view: QueueFilter, *, offset: int, limit: int, session: Session
) -> tuple[list[QueueRow], int]:
    """One page of the queue, least confident first, and how many messages match."""
    conditions = _queue_conditions(view)
    total = session.scalar(select(func.count(Analysis.id)).where(*conditions)) or 0
    query = (
        select(
            Message.id,
            Message.subject,
            Message.from_header,
            Message.received_at,
            Analysis.labels,
            Analysis.company,
            Analysis.role,
            Analysis.review_status,
            Analysis.review_priority,
        )
        .join(Message, Analysis.message_id == Message.id)
        .where(*conditions)
        .order_by(Analysis.review_status, Analysis.review_priority, Message.id)
        .offset(offset)
        .limit(limit)
    )
    rows = list(session.execute(query))
    counts: dict[int, int] = {}
    if rows:
        counts = {
            message_id: count
            for message_id, count in session.execute(
                select(Gap.message_id, func.count(Gap.id))
                .where(Gap.message_id.in_([r[0] for r in rows]), Gap.status != "dismissed")
                .group_by(Gap.message_id)
            )
        }
    return [
        QueueRow(
            r[0], r[1], r[2], r[3], list(r[4] or []), r[5], r[6], r[7], r[8], counts.get(r[0], 0)
        )
        for r in rows
    ], total


def queue_neighbours(
    view: QueueFilter, message_id: int, *, session: Session
) -> tuple[int | None, int | None]:
    """The messages before and after message_id in the queue's order (None at the ends)."""
    current = session.execute(
        select(Analysis.review_status, Analysis.review_priority).where(
            Analysis.message_id == message_id
        )
    ).first()
    if current is None or current[1] is None:
        return None, None
    key = tuple_(Analysis.review_status, Analysis.review_priority, Analysis.message_id)
    here = tuple_(literal(current[0]), literal(current[1]), literal(message_id))
    base = select(Analysis.message_id).where(*_queue_conditions(view))
    before = session.scalar(
        base.where(key < here)
        .order_by(
            Analysis.review_status.desc(),
            Analysis.review_priority.desc(),
            Analysis.message_id.desc(),
        )
        .limit(1)
    )
    after = session.scalar(
        base.where(key > here)
        .order_by(Analysis.review_status, Analysis.review_priority, Analysis.message_id)
        .limit(1)
    )
    return before, after


def review_companies(*, session: Session) -> list[str]:
    """Companies named in job-search mail, for the queue's filter."""
    return list(
        session.scalars(
            select(Analysis.company)
            .where(Analysis.company.is_not(None), Analysis.label_key != "")
            .distinct()
            .order_by(Analysis.company)
        )
    )


def message_for_review(
    message_id: int, *, session: Session
) -> tuple[Message, Analysis, list[Gap]] | None:
    """A message with its analysis and gaps (in text order), or None."""
    row = session.execute(
        select(Message, Analysis)
        .join(Analysis, Analysis.message_id == Message.id)
        .where(Message.id == message_id)
        .options(defer(Message.raw))
    ).first()
    if row is None:
        return None
    gaps = list(
        session.scalars(select(Gap).where(Gap.message_id == message_id).order_by(Gap.start, Gap.id))
    )
    return row[0], row[1], gaps


def gaps_added_by_user(message_id: int, *, session: Session) -> set[int]:
    """Ids of the message's gaps that the user added (not found by the model)."""
    return set(
        session.scalars(
            select(Correction.gap_id).where(
                Correction.message_id == message_id,
                Correction.kind == "gap_add",
                Correction.gap_id.is_not(None),
            )
        )
    )


def gap_weeks(*, session: Session) -> list[tuple[datetime, str, str | None]]:
    """(received_at, category, skill) of every gap not dismissed, oldest first."""
    query = (
        select(Message.received_at, Gap.category, Gap.skill)
        .join(Message, Gap.message_id == Message.id)
        .where(Gap.status != "dismissed")
        .order_by(Message.received_at)
    )
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


def list_corrections(*, session: Session) -> list[Correction]:
    """Every correction, oldest first."""
    return list(session.scalars(select(Correction).order_by(Correction.created_at, Correction.id)))


def corrected_messages(*, session: Session) -> list[tuple[Message, Analysis, list[Gap]]]:
    """Messages the user corrected or confirmed, with their current analysis and gaps."""
    ids = select(Correction.message_id).distinct()
    rows = list(
        session.execute(
            select(Message, Analysis)
            .join(Analysis, Analysis.message_id == Message.id)
            .where(Message.id.in_(ids))
            .order_by(Message.id)
        )
    )
    gaps: dict[int, list[Gap]] = {row[0].id: [] for row in rows}
    if gaps:
        for gap in session.scalars(
            select(Gap).where(Gap.message_id.in_(list(gaps))).order_by(Gap.start, Gap.id)
        ):
            gaps[gap.message_id].append(gap)
    return [(row[0], row[1], gaps[row[0].id]) for row in rows]
