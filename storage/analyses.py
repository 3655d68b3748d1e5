"""What the language model said about each message: labels, gaps, job postings.

Each function takes `*, session` and never commits: callers own transactions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from bounceback.storage import review
from bounceback.storage.models import (
    Analysis,
    Correction,
    Gap,
    JobPosting,
    Message,
)

#: The model version stored for bounceback's own mail (its digests, replies to them):
#: acted on, never classified.
DIGEST_REPLY_VERSION = "digest-reply"


@dataclass(frozen=True, slots=True)
class NewGap:
    """A gap found by the analyser."""

    category: str
    text: str
    start: int
    end: int
    skill: str | None
    confidence: float


@dataclass(frozen=True, slots=True)
class NewPosting:
    """A posting parsed from a job alert."""

    dedupe_key: str
    title: str
    company: str | None
    location: str | None
    salary: str | None
    url: str | None
    source: str
    posted_at: datetime | None = None


def messages_to_analyse(account_id: int, limit: int, *, session: Session) -> list[Message]:
    """Messages of the account with no analysis yet, oldest first."""
    query = (
        select(Message)
        .outerjoin(Analysis, Analysis.message_id == Message.id)
        .where(
            Message.account_id == account_id,
            Analysis.id.is_(None),
            Message.quarantine_reason.is_(None),
        )
        .order_by(Message.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def save_analysis(
    message: Message,
    *,
    model_version: str,
    labels: Sequence[str],
    scores: dict[str, float],
    company: str | None,
    role: str | None,
    gaps: Iterable[NewGap],
    postings: Iterable[NewPosting],
    session: Session,
) -> int:
    """Store one message's analysis with its gaps and new postings; returns postings added."""
    gaps = list(gaps)
    analysis = Analysis(
        message_id=message.id,
        model_version=model_version,
        labels=list(labels),
        scores=scores,
        company=company,
        role=role,
    )
    review.index_for_review(analysis, [gap.confidence for gap in gaps])
    session.add(analysis)
    for gap in gaps:
        session.add(_gap_row(message, gap, company=company, role=role))
    added = 0
    for posting in postings:
        if _posting_seen(message.account_id, posting.dedupe_key, session=session):
            continue
        session.add(_posting_row(message, posting))
        session.flush()
        added += 1
    return added


def _gap_row(message: Message, gap: NewGap, *, company: str | None, role: str | None) -> Gap:
    return Gap(
        message_id=message.id,
        category=gap.category,
        text=gap.text,
        start=gap.start,
        end=gap.end,
        skill=gap.skill,
        confidence=gap.confidence,
        company=company,
        role=role,
    )


def _posting_seen(account_id: int, dedupe_key: str, *, session: Session) -> bool:
    """Whether the account already holds this posting (the same role from any board)."""
    seen = session.scalar(
        select(JobPosting.id).where(
            JobPosting.account_id == account_id,
            JobPosting.dedupe_key == dedupe_key,
        )
    )
    return seen is not None


def _posting_row(message: Message, posting: NewPosting) -> JobPosting:
    return JobPosting(
        account_id=message.account_id,
        message_id=message.id,
        dedupe_key=posting.dedupe_key,
        title=posting.title,
        company=posting.company,
        location=posting.location,
        salary=posting.salary,
        url=posting.url,
        source=posting.source,
        received_at=message.received_at,
        posted_at=posting.posted_at,
    )


def _rereadable(account_id: int) -> list[ColumnElement[bool]]:
    """Conditions for an analysed message the user never reviewed or corrected."""
    corrected = select(Correction.id).where(Correction.message_id == Message.id).exists()
    return [
        Message.account_id == account_id,
        Message.quarantine_reason.is_(None),
        Analysis.review_status == "auto",
        Analysis.model_version != DIGEST_REPLY_VERSION,
        ~corrected,
    ]


def messages_to_reread(
    account_id: int, after_id: int, limit: int, *, session: Session
) -> list[Message]:
    """Analysed messages of the account that a newer reader may read again, by id after
    ``after_id``: the ones the user never reviewed or corrected (their word stands)."""
    query = (
        select(Message)
        .join(Analysis, Analysis.message_id == Message.id)
        .where(Message.id > after_id, *_rereadable(account_id))
        .order_by(Message.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def count_kept_as_reviewed(account_id: int, *, session: Session) -> int:
    """Analysed job mail of the account the user reviewed or corrected."""
    analysed = select(func.count(Analysis.id)).join(Message, Message.id == Analysis.message_id)
    everything = session.scalar(
        analysed.where(
            Message.account_id == account_id,
            Message.quarantine_reason.is_(None),
            Analysis.model_version != DIGEST_REPLY_VERSION,
        )
    )
    rereadable = session.scalar(analysed.where(*_rereadable(account_id)))
    return int(everything or 0) - int(rereadable or 0)


def drop_analysis(message: Message, *, session: Session) -> tuple[tuple[str, ...], int]:
    """Delete what the model said about ``message`` (its analysis and gaps, not the
    postings it brought); returns the labels it had and how many gaps."""
    analysis = session.scalars(select(Analysis).where(Analysis.message_id == message.id)).one()
    labels = tuple(analysis.labels)
    gaps = session.scalar(select(func.count(Gap.id)).where(Gap.message_id == message.id)) or 0
    session.execute(delete(Gap).where(Gap.message_id == message.id))
    session.delete(analysis)
    session.flush()
    return labels, int(gaps)
