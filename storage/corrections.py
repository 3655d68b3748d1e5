"""Corrections: every change the user makes on the review page, written with the change.

Each function changes the stored analysis or gap and records a :class:`Correction` with
the old and new state in the same transaction; a change that changes nothing records
nothing. One user action is stored once: the page sends a request id with each action and
:func:`claim_request` tags one of the action's rows with it (a unique column), so a
repeated post finds it and writes nothing. Each function takes ``*, session`` and never
commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bounceback.storage.models import Analysis, Correction, Gap, Message, utcnow
from bounceback.storage.review import label_key

#: The longest request id kept; longer ones are refused by the page before they get here.
REQUEST_ID_LENGTH = 64


def request_seen(request_id: str, *, session: Session) -> bool:
    """True if an action with this request id was already stored."""
    found = session.scalar(select(Correction.id).where(Correction.request_id == request_id))
    return found is not None


def claim_request(corrections: Sequence[Correction | None], request_id: str) -> bool:
    """Tag the first correction an action wrote with its request id; False if it wrote none.

    The column is unique: if the same action is stored concurrently, the second
    transaction fails on commit and writes nothing.
    """
    written = [c for c in corrections if c is not None]
    if not written:
        return False
    written[0].request_id = request_id[:REQUEST_ID_LENGTH]
    return True


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
) -> Correction | None:
    """Accept, edit or dismiss a gap, recording what changed (None when nothing did)."""
    old = _gap_state(gap)
    if category is not None:
        gap.category = category
    if skill is not None:
        gap.skill = skill or None
    if span is not None:
        gap.start, gap.end, gap.text = span
    gap.status = status
    new = _gap_state(gap)
    if new == old:
        return None
    gap.updated_at = utcnow()
    kind = {"accepted": "gap_accept", "dismissed": "gap_dismiss"}.get(status, "gap_edit")
    correction = _correct(
        gap.message_id,
        kind,
        old,
        new,
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
) -> Correction:
    """Store a gap the model missed (status "edited", confidence 1) and its correction."""
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
    correction = _correct(
        message.id,
        "gap_add",
        {},
        _gap_state(gap),
        gap_id=gap.id,
        model_version=analysis.model_version,
        session=session,
    )
    session.flush()
    return correction


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


def mark_reviewed(analysis: Analysis, *, session: Session) -> list[Correction]:
    """The user confirmed the message as it now stands: its unchecked gaps are accepted.

    Returns the corrections written: one ``gap_accept`` per gap still unchecked (what
    retraining replays as a kept gap), then the ``confirm``. Confirming a message already
    confirmed, with nothing left unchecked, writes nothing.
    """
    unchecked = list(
        session.scalars(
            select(Gap)
            .where(Gap.message_id == analysis.message_id, Gap.status == "auto")
            .order_by(Gap.start, Gap.id)
        )
    )
    if analysis.review_status == "reviewed" and not unchecked:
        return []
    written = [change_gap(gap, status="accepted", session=session) for gap in unchecked]
    analysis.review_status = "reviewed"
    analysis.reviewed_at = utcnow()
    confirm = _correct(
        analysis.message_id,
        "confirm",
        {},
        {"labels": list(analysis.labels), "company": analysis.company, "role": analysis.role},
        gap_id=None,
        model_version=analysis.model_version,
        session=session,
    )
    session.flush()
    return [c for c in written if c is not None] + [confirm]
