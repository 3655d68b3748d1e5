"""Data functions of the review page: the queue, and corrections recorded as they are made.

Like :mod:`queries`, each function takes ``*, session`` and never commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal, select, tuple_
from sqlalchemy.orm import Session, defer

from bounceback.storage.models import Analysis, Correction, Gap, Message, utcnow


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
    """What the review queue shows: label ("other" for non-job mail), company, status."""

    label: str | None = None
    company: str | None = None
    status: str | None = "auto"  # "auto" (to review), "reviewed", or None for both


def unscored_analyses(limit: int, *, session: Session) -> list[tuple[Analysis, list[float]]]:
    """Analyses the review queue has not indexed yet, with their gaps' confidences."""
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
    return [(a, confidences[a.message_id]) for a in found]


def index_for_review(analysis: Analysis, priority: float, *, session: Session) -> None:
    """Put an analysis into the review queue with its priority (low = look first)."""
    analysis.review_priority = priority
    analysis.label_key = label_key(analysis.labels or [])


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


def gap_weeks(*, session: Session) -> list[tuple[datetime, str, str | None]]:
    """(received_at, category, skill) of every gap not dismissed, oldest first."""
    query = (
        select(Message.received_at, Gap.category, Gap.skill)
        .join(Message, Gap.message_id == Message.id)
        .where(Gap.status != "dismissed")
        .order_by(Message.received_at)
    )
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


def _gap_state(gap: Gap) -> dict[str, Any]:
    return {
        "category": gap.category,
        "text": gap.text,
        "start": gap.start,
        "end": gap.end,
        "skill": gap.skill,
        "status": gap.status,
    }


def _correct(
    message_id: int,
    kind: str,
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    gap_id: int | None,
    model_version: str | None,
    session: Session,
) -> Correction:
    correction = Correction(
        message_id=message_id,
        gap_id=gap_id,
        kind=kind,
        old=old,
        new=new,
        model_version=model_version,
    )
    session.add(correction)
    return correction


def _model_version(message_id: int, *, session: Session) -> str | None:
    return session.scalar(select(Analysis.model_version).where(Analysis.message_id == message_id))


def change_gap(
    gap: Gap,
    *,
    status: str,
    category: str | None = None,
    skill: str | None = None,
    span: tuple[int, int, str] | None = None,
    session: Session,
) -> Correction:
    """Accept, edit or dismiss a gap, recording what changed."""
    old = _gap_state(gap)
    if category is not None:
        gap.category = category
    if skill is not None:
        gap.skill = skill or None
    if span is not None:
        gap.start, gap.end, gap.text = span
    gap.status = status
    gap.updated_at = utcnow()
    kind = {"accepted": "gap_accept", "dismissed": "gap_dismiss"}.get(status, "gap_edit")
    correction = _correct(
        gap.message_id,
        kind,
        old,
        _gap_state(gap),
        gap_id=gap.id,
        model_version=_model_version(gap.message_id, session=session),
        session=session,
    )
    session.flush()
    return correction


def add_gap(
    message: Message,
    analysis: Analysis,
    *,
    category: str,
    span: tuple[int, int, str],
    skill: str | None,
    session: Session,
) -> Gap:
    """Store a gap the model missed (status "edited", confidence 1) and the correction."""
    start, end, text = span
    gap = Gap(
        message_id=message.id,
        category=category,
        text=text,
        start=start,
        end=end,
        skill=skill or None,
        confidence=1.0,
        company=analysis.company,
        role=analysis.role,
        status="edited",
    )
    session.add(gap)
    session.flush()
    _correct(
        message.id,
        "gap_add",
        {},
        _gap_state(gap),
        gap_id=gap.id,
        model_version=analysis.model_version,
        session=session,
    )
    session.flush()
    return gap


def relabel(analysis: Analysis, labels: Sequence[str], *, session: Session) -> Correction | None:
    """Replace the message's labels (None when nothing changed)."""
    new = sorted(set(labels))
    old = sorted(analysis.labels or [])
    if new == old:
        return None
    analysis.labels = new
    analysis.label_key = label_key(new)
    correction = _correct(
        analysis.message_id,
        "labels",
        {"labels": old},
        {"labels": new},
        gap_id=None,
        model_version=analysis.model_version,
        session=session,
    )
    session.flush()
    return correction


def set_company_role(
    analysis: Analysis, company: str | None, role: str | None, *, session: Session
) -> Correction | None:
    """Fix the company and role of a message and of its gaps (None when nothing changed)."""
    if (company, role) == (analysis.company, analysis.role):
        return None
    old = {"company": analysis.company, "role": analysis.role}
    analysis.company, analysis.role = company, role
    for gap in session.scalars(select(Gap).where(Gap.message_id == analysis.message_id)):
        gap.company, gap.role = company, role
    correction = _correct(
        analysis.message_id,
        "company_role",
        old,
        {"company": company, "role": role},
        gap_id=None,
        model_version=analysis.model_version,
        session=session,
    )
    session.flush()
    return correction


def mark_reviewed(analysis: Analysis, *, session: Session) -> Correction:
    """The user confirmed the message as it now stands; its remaining auto gaps are accepted."""
    for gap in session.scalars(
        select(Gap).where(Gap.message_id == analysis.message_id, Gap.status == "auto")
    ):
        change_gap(gap, status="accepted", session=session)
    analysis.review_status = "reviewed"
    analysis.reviewed_at = utcnow()
    correction = _correct(
        analysis.message_id,
        "confirm",
        {},
        {"labels": list(analysis.labels), "company": analysis.company, "role": analysis.role},
        gap_id=None,
        model_version=analysis.model_version,
        session=session,
    )
    session.flush()
    return correction


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
