"""The digest's records: a week's analyses, gaps and postings, the outbox, steps and diary.

Each function takes `*, session` and never commits: callers own transactions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bounceback.errors import NotFoundError
from bounceback.storage.models import (
    Account,
    Analysis,
    DiaryEntry,
    Digest,
    DigestStep,
    Gap,
    JobPosting,
    Message,
    utcnow,
)


def analysed_between(
    account_id: int, start: datetime, end: datetime, *, session: Session
) -> list[tuple[Message, Analysis]]:
    """Messages received in [start, end) with their analyses, oldest first."""
    query = (
        select(Message, Analysis)
        .join(Analysis, Analysis.message_id == Message.id)
        .where(
            Message.account_id == account_id,
            Message.received_at >= start,
            Message.received_at < end,
        )
        .order_by(Message.received_at, Message.id)
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def gaps_until(account_id: int, end: datetime, *, session: Session) -> list[tuple[Gap, Message]]:
    """Every gap not dismissed from messages received before end, oldest first."""
    query = (
        select(Gap, Message)
        .join(Message, Gap.message_id == Message.id)
        .where(
            Message.account_id == account_id,
            Message.received_at < end,
            Gap.status != "dismissed",
        )
        .order_by(Message.received_at, Gap.start)
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def undigested_postings(account_id: int, end: datetime, *, session: Session) -> list[JobPosting]:
    """Postings received before end that no earlier digest has shown."""
    query = (
        select(JobPosting)
        .where(
            JobPosting.account_id == account_id,
            JobPosting.digest_id.is_(None),
            JobPosting.received_at < end,
        )
        .order_by(JobPosting.received_at.desc(), JobPosting.id)
    )
    return list(session.scalars(query))


def shown_postings(account_id: int, *, session: Session) -> list[tuple[str, str | None]]:
    """(title, company) of every posting an earlier digest has already shown."""
    query = select(JobPosting.title, JobPosting.company).where(
        JobPosting.account_id == account_id, JobPosting.digest_id.is_not(None)
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def done_step_keys(account_id: int, *, session: Session) -> frozenset[str]:
    """Playbook keys of every next step the user marked done."""
    query = (
        select(DigestStep.key)
        .join(Digest, DigestStep.digest_id == Digest.id)
        .where(Digest.account_id == account_id, DigestStep.done_at.is_not(None))
    )
    return frozenset(session.scalars(query))


def digest_by_message_id(account_id: int, message_id: str, *, session: Session) -> Digest | None:
    """The account's digest with that Message-ID header, if it sent one."""
    return session.scalar(
        select(Digest).where(
            Digest.account_id == account_id, Digest.header_message_id == message_id.strip()
        )
    )


def mark_step_done(digest_id: int, number: int, when: datetime, *, session: Session) -> bool:
    """Mark step `number` of a digest done; False when the digest had no such step."""
    step = session.scalar(
        select(DigestStep).where(DigestStep.digest_id == digest_id, DigestStep.number == number)
    )
    if step is None:
        return False
    if step.done_at is None:
        step.done_at = when
    return True


def add_diary_entry(
    account_id: int,
    message_id: int,
    digest_id: int | None,
    text: str,
    written_at: datetime,
    *,
    session: Session,
) -> DiaryEntry:
    """Store a learning-diary entry (one per message)."""
    entry = DiaryEntry(
        account_id=account_id,
        message_id=message_id,
        digest_id=digest_id,
        text=text,
        created_at=written_at,
    )
    session.add(entry)
    session.flush()
    return entry


def diary_entries(
    account_id: int, before: datetime, limit: int = 20, *, session: Session
) -> list[DiaryEntry]:
    """The account's diary entries written before a moment, newest first."""
    query = (
        select(DiaryEntry)
        .where(DiaryEntry.account_id == account_id, DiaryEntry.created_at < before)
        .order_by(DiaryEntry.created_at.desc(), DiaryEntry.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def digest_for_week(account_id: int, iso_week: str, *, session: Session) -> Digest | None:
    """The outbox row of that week, if one was created."""
    return session.scalar(
        select(Digest).where(Digest.account_id == account_id, Digest.iso_week == iso_week)
    )


def create_digest(
    account: Account,
    iso_week: str,
    *,
    message_id: str,
    subject: str,
    raw: bytes,
    steps: Sequence[tuple[str, str]],
    postings: Iterable[JobPosting],
    session: Session,
) -> Digest:
    """The week's outbox row, pending, with its numbered steps; its postings count as shown.

    UNIQUE(account, week) makes a second run's insert fail with IntegrityError.
    """
    digest = Digest(
        account_id=account.id,
        iso_week=iso_week,
        header_message_id=message_id,
        subject=subject,
        to_address=account.digest_to,
        raw=raw,
        status="pending",
        attempts=0,
    )
    session.add(digest)
    session.flush()
    for number, (key, title) in enumerate(steps, 1):
        session.add(DigestStep(digest_id=digest.id, number=number, key=key, title=title))
    for posting in postings:
        posting.digest_id = digest.id  # shown once, never repeated in a later digest
    return digest


def require_digest(account: Account, iso_week: str, *, session: Session) -> Digest:
    """The outbox row of that week; NotFoundError saying how to make it otherwise."""
    digest = digest_for_week(account.id, iso_week, session=session)
    if digest is None:
        raise NotFoundError(
            f"no digest for {iso_week} is in the outbox of {account.address}; "
            f"run bounceback digest --send --week {iso_week} to make and send it"
        )
    return digest


def sent_digests(account_id: int, *, session: Session) -> int:
    """How many digests have been sent to the account."""
    return (
        session.scalar(
            select(func.count(Digest.id)).where(
                Digest.account_id == account_id, Digest.status == "sent"
            )
        )
        or 0
    )


def refused_before(digest_id: int, *, session: Session) -> str | None:
    """The refusal a failed digest carries (None unless the server refused it last time)."""
    row = session.execute(
        select(Digest.status, Digest.last_error).where(Digest.id == digest_id)
    ).one_or_none()
    return (row[1] or "refused") if row is not None and row[0] == "failed" else None


def claim_digest(digest_id: int, token: str, lease: timedelta, *, session: Session) -> int | None:
    """Take the row for this run; returns how many attempts came before, or None if busy."""
    now = utcnow()
    result = session.execute(
        update(Digest)
        .where(
            Digest.id == digest_id,
            or_(
                # A week the server refused (5xx) is tried again by the next run (issue 16).
                Digest.status.in_(("pending", "failed")),
                (Digest.status == "sending") & (Digest.claimed_at <= now - lease),
            ),
        )
        .values(
            status="sending",
            claim_token=token,
            claimed_at=now,
            attempts=Digest.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return int(session.scalar(select(Digest.attempts).where(Digest.id == digest_id)) or 1) - 1


def finish_digest(
    digest_id: int, token: str, status: str, error: str | None, *, session: Session
) -> None:
    """Record how this run's claim ended; a claim taken over by another run is left alone."""
    values: dict[str, object] = {"status": status, "last_error": error, "claim_token": None}
    if status == "sent":
        values["sent_at"] = utcnow()
    session.execute(
        update(Digest)
        .where(Digest.id == digest_id, Digest.claim_token == token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def unsent_weeks(account_id: int, *, session: Session) -> list[str]:
    """Weeks whose digest is prepared but not sent yet (pending, interrupted or refused)."""
    return list(
        session.scalars(
            select(Digest.iso_week)
            .where(
                Digest.account_id == account_id,
                Digest.status.in_(("pending", "sending", "failed")),
            )
            .order_by(Digest.iso_week)
        )
    )
