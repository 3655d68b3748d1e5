"""Data functions. Each takes `*, session` and never commits: callers own transactions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnDefault, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from bounceback.storage.models import (
    Account,
    Analysis,
    DiaryEntry,
    Digest,
    DigestStep,
    Folder,
    Gap,
    JobPosting,
    Message,
    Profile,
    utcnow,
)


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A fetched and parsed message, ready to store."""

    uid: int
    header_message_id: str | None
    in_reply_to: str | None
    subject: str
    from_header: str
    sender_name: str | None
    sender_address: str | None
    received_at: datetime
    size: int
    content_hash: str
    raw: bytes
    body_text: str
    analysed_text: str
    html: str | None
    parse_status: str
    defects: tuple[str, ...]
    fetch_status: str = "full"  # or "oversize" / "quarantined": stored without a body
    #: Gmail's X-GM-MSGID, the same under every label; None on other servers.
    gmail_msgid: int | None = None


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


# --- accounts -------------------------------------------------------------------------


def get_account(address: str, *, session: Session) -> Account | None:
    """The account with this address, or None."""
    return session.scalar(select(Account).where(Account.address == address.lower()))


def list_accounts(*, session: Session) -> list[Account]:
    """Every account, oldest first."""
    return list(session.scalars(select(Account).order_by(Account.id)))


def save_account(fields: dict[str, Any], folders: Sequence[str], *, session: Session) -> Account:
    """Create or update the account for fields['address'] and make sure its folders exist."""
    address = fields["address"].lower()
    account = get_account(address, session=session)
    if account is None:
        account = Account(**{**fields, "address": address})
        session.add(account)
    else:
        for key, value in fields.items():
            if key != "address":
                setattr(account, key, value)
    session.flush()
    for name in folders:
        folder_for(account, name, session=session)
    return account


def delete_account(account: Account, *, session: Session) -> None:
    """Delete an account and everything stored for it."""
    digest_ids = select(Digest.id).where(Digest.account_id == account.id)
    session.execute(delete(DigestStep).where(DigestStep.digest_id.in_(digest_ids)))
    for model in (DiaryEntry, Profile, JobPosting, Digest):
        session.execute(delete(model).where(model.account_id == account.id))
    message_ids = select(Message.id).where(Message.account_id == account.id)
    session.execute(delete(Gap).where(Gap.message_id.in_(message_ids)))
    session.execute(delete(Analysis).where(Analysis.message_id.in_(message_ids)))
    session.execute(delete(Message).where(Message.account_id == account.id))
    session.execute(delete(Folder).where(Folder.account_id == account.id))
    session.delete(account)


# --- sync -----------------------------------------------------------------------------


def folder_for(account: Account, name: str, *, session: Session) -> Folder:
    """The folder row for name, created when missing."""
    folder = session.scalar(
        select(Folder).where(Folder.account_id == account.id, Folder.name == name)
    )
    if folder is None:
        folder = Folder(account_id=account.id, name=name, last_uid=0)
        session.add(folder)
        session.flush()
    return folder


def list_folders(account_id: int, *, session: Session) -> list[Folder]:
    """The account's folders in the order they were added."""
    return list(
        session.scalars(select(Folder).where(Folder.account_id == account_id).order_by(Folder.id))
    )


def reset_folder(folder: Folder, uidvalidity: int, *, session: Session) -> None:
    """Start a folder over after its UIDVALIDITY changed (stored messages are kept)."""
    folder.uidvalidity = uidvalidity
    folder.last_uid = 0
    session.flush()


def note_uidvalidity(folder: Folder, uidvalidity: int, *, session: Session) -> int:
    """Record the UIDVALIDITY a poll found; how many polls in a row found a new one.

    A change restarts the folder's cursor (stored messages are kept and recognised
    again by Message-ID and content hash); an unchanged value resets the count.
    """
    if folder.uidvalidity is None or folder.uidvalidity == uidvalidity:
        folder.uidvalidity = uidvalidity
        folder.uidvalidity_changes = 0
    else:
        reset_folder(folder, uidvalidity, session=session)
        folder.uidvalidity_changes = (folder.uidvalidity_changes or 0) + 1
    folder.last_synced_at = utcnow()
    session.flush()
    return folder.uidvalidity_changes


def bytes_fetched_since(account_id: int, since: datetime, *, session: Session) -> int:
    """Bytes of mail the account downloaded since a moment (for a provider's daily cap)."""
    total = session.scalar(
        select(func.coalesce(func.sum(Message.size), 0)).where(
            Message.account_id == account_id,
            Message.fetched_at >= since,
            Message.fetch_status == "full",
        )
    )
    return int(total or 0)


def store_messages(
    folder: Folder,
    uidvalidity: int,
    batch: Sequence[NewMessage],
    *,
    last_uid: int,
    session: Session,
) -> int:
    """Insert the batch's new messages and advance the cursor in the same transaction.

    Returns how many rows were inserted; UIDs already stored are skipped, so a batch
    replayed after a crash stores nothing twice, and so is mail already stored for the
    account under another folder (same Gmail X-GM-MSGID, or Message-ID and content hash).
    """
    uids = [item.uid for item in batch]
    existing: set[int] = set()
    if uids:
        existing = set(
            session.scalars(
                select(Message.uid).where(
                    Message.folder_id == folder.id,
                    Message.uidvalidity == uidvalidity,
                    Message.uid.in_(uids),
                )
            )
        )
    # The same mail seen again under another UID (UIDVALIDITY reset, or another folder)
    # is recognised by Message-ID plus content hash and not stored twice; mail without a
    # Message-ID by its content hash alone.
    hashes = list({item.content_hash for item in batch})
    known: set[tuple[str | None, str]] = set()
    if hashes:
        known = {
            (row[0], row[1])
            for row in session.execute(
                select(Message.header_message_id, Message.content_hash).where(
                    Message.account_id == folder.account_id,
                    Message.content_hash.in_(hashes),
                )
            )
        }
    # On Gmail, labels are folders: one message appears under several of them, sometimes
    # with slightly different bytes, but always with the same X-GM-MSGID.
    msgids = {item.gmail_msgid for item in batch if item.gmail_msgid is not None}
    known_msgids: set[int | None] = set()
    if msgids:
        known_msgids = set(
            session.scalars(
                select(Message.gmail_msgid).where(
                    Message.account_id == folder.account_id,
                    Message.gmail_msgid.in_(msgids),
                )
            )
        )
    rows: list[dict[str, Any]] = []
    for item in batch:
        if item.uid in existing or (item.header_message_id, item.content_hash) in known:
            continue
        if item.gmail_msgid is not None and item.gmail_msgid in known_msgids:
            continue
        existing.add(item.uid)
        known.add((item.header_message_id, item.content_hash))
        known_msgids.add(item.gmail_msgid)
        rows.append(
            {
                "account_id": folder.account_id,
                "folder_id": folder.id,
                "uidvalidity": uidvalidity,
                "uid": item.uid,
                "header_message_id": item.header_message_id,
                "in_reply_to": item.in_reply_to,
                "subject": item.subject,
                "from_header": item.from_header,
                "sender_name": item.sender_name,
                "sender_address": item.sender_address,
                "received_at": item.received_at,
                "size": item.size,
                "content_hash": item.content_hash,
                "raw": item.raw,
                "body_text": item.body_text,
                "analysed_text": item.analysed_text,
                "html": item.html,
                "parse_status": item.parse_status,
                "defects": list(item.defects),
                "fetch_status": item.fetch_status,
                "gmail_msgid": item.gmail_msgid,
            }
        )
    if rows:
        _insert_messages(session, rows)
    inserted = len(rows)
    folder.uidvalidity = uidvalidity
    folder.last_uid = max(folder.last_uid, last_uid)
    folder.last_synced_at = utcnow()
    session.flush()
    return inserted


def _insert_messages(session: Session, rows: list[dict[str, Any]]) -> None:
    """One executemany for the batch: the ORM's per-object unit of work costs more than
    fetching the mail (see benchmarks/sync_bench.py).

    On SQLite the rows go to the driver with each column's own bind processor applied
    once, skipping the per-row parameter assembly of a Core insert, which is the largest
    cost of a first sync after the download.
    """
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        connection.execute(insert(Message.__table__), rows)
        return
    table = Message.__table__
    keys = list(rows[0])
    # Client-side column defaults (fetched_at, ...) that a Core insert would have filled in.
    defaults: dict[str, Any] = {}
    for column in table.c:
        default = column.default
        if column.key in keys or default is None or not isinstance(default, ColumnDefault):
            continue
        defaults[column.key] = default.arg(None) if default.is_callable else default.arg
    keys += list(defaults)
    processors = [table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in keys]
    statement = (
        f"INSERT INTO {table.name} ({', '.join(keys)}) VALUES ({', '.join('?' for _ in keys)})"
    )
    values = [
        tuple(
            value if process is None or value is None else process(value)
            for value, process in zip(
                [*(row[key] for key in rows[0]), *defaults.values()], processors, strict=True
            )
        )
        for row in rows
    ]
    connection.exec_driver_sql(statement, values)


def known_gmail_ids(account_id: int, gmail_ids: Iterable[int], *, session: Session) -> set[int]:
    """Which of these X-GM-MSGIDs the account already has stored (under any label)."""
    wanted = sorted(set(gmail_ids))
    known: set[int] = set()
    for start in range(0, len(wanted), 5000):  # within every database's parameter limit
        known.update(
            session.scalars(
                select(Message.gmail_msgid).where(
                    Message.account_id == account_id,
                    Message.gmail_msgid.in_(wanted[start : start + 5000]),
                )
            )
        )
    return known


def record_poll(account: Account, error: str | None, *, session: Session) -> None:
    """Remember when the account was last polled and how it ended."""
    account.last_poll_at = utcnow()
    account.last_error = error
    session.flush()


# --- analysis -------------------------------------------------------------------------


def messages_to_analyse(account_id: int, limit: int, *, session: Session) -> list[Message]:
    """Messages of the account with no analysis yet, oldest first."""
    query = (
        select(Message)
        .outerjoin(Analysis, Analysis.message_id == Message.id)
        .where(Message.account_id == account_id, Analysis.id.is_(None))
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
    session.add(
        Analysis(
            message_id=message.id,
            model_version=model_version,
            labels=list(labels),
            scores=scores,
            company=company,
            role=role,
        )
    )
    for gap in gaps:
        session.add(
            Gap(
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
        )
    added = 0
    for posting in postings:
        seen = session.scalar(
            select(JobPosting.id).where(
                JobPosting.account_id == message.account_id,
                JobPosting.dedupe_key == posting.dedupe_key,
            )
        )
        if seen is not None:
            continue
        session.add(
            JobPosting(
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
        )
        session.flush()
        added += 1
    return added


# --- digest ---------------------------------------------------------------------------


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


def get_profile(account_id: int, *, session: Session) -> Profile | None:
    """The account's search profile, if the user set one."""
    return session.scalar(select(Profile).where(Profile.account_id == account_id))


def save_profile(account_id: int, fields: dict[str, Any], *, session: Session) -> Profile:
    """Create or update the account's search profile with the given fields."""
    profile = get_profile(account_id, session=session)
    if profile is None:
        profile = Profile(account_id=account_id, target_roles=[], keywords=[], locations=[])
        session.add(profile)
    for key, value in fields.items():
        setattr(profile, key, value)
    profile.updated_at = utcnow()
    session.flush()
    return profile


def digest_for_week(account_id: int, iso_week: str, *, session: Session) -> Digest | None:
    """The outbox row of that week, if one was created."""
    return session.scalar(
        select(Digest).where(Digest.account_id == account_id, Digest.iso_week == iso_week)
    )


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


# --- status ---------------------------------------------------------------------------


def account_summary(account: Account, *, session: Session) -> dict[str, Any]:
    """Counts for `bounceback status`: messages, labels, gaps, postings, digests."""
    messages = (
        session.scalar(select(func.count(Message.id)).where(Message.account_id == account.id)) or 0
    )
    label_counts: Counter[str] = Counter()
    rows = session.scalars(
        select(Analysis.labels)
        .join(Message, Analysis.message_id == Message.id)
        .where(Message.account_id == account.id)
    )
    for labels in rows:
        label_counts.update(labels or ["other"])
    gaps = (
        session.scalar(
            select(func.count(Gap.id))
            .join(Message, Gap.message_id == Message.id)
            .where(Message.account_id == account.id, Gap.status != "dismissed")
        )
        or 0
    )
    postings = (
        session.scalar(select(func.count(JobPosting.id)).where(JobPosting.account_id == account.id))
        or 0
    )
    failed = (
        session.scalar(
            select(func.count(Message.id)).where(
                Message.account_id == account.id, Message.parse_status == "failed"
            )
        )
        or 0
    )
    return {
        "address": account.address,
        "messages": messages,
        "labels": dict(sorted(label_counts.items())),
        "gaps": gaps,
        "postings": postings,
        "digests_sent": sent_digests(account.id, session=session),
        "last_poll": account.last_poll_at.isoformat() if account.last_poll_at else None,
        "last_error": account.last_error,
        "unparseable_messages": failed,
        "folders": [
            {"name": f.name, "uidvalidity": f.uidvalidity, "last_uid": f.last_uid}
            for f in account.folders
        ],
    }


# --- poll leases ----------------------------------------------------------------------


def acquire_poll_lease(
    account_id: int, holder: str, ttl: timedelta, *, now: datetime, session: Session
) -> int | None:
    """Take the account's poll lease if it is free or expired; the new fencing token, or None.

    One conditional UPDATE, so two pollers racing for the lease cannot both win: the
    database serialises the writes and only the first finds the lease free.
    """
    statement = (
        update(Account)
        .where(
            Account.id == account_id,
            or_(Account.poll_lease_expires_at.is_(None), Account.poll_lease_expires_at <= now),
        )
        .values(
            poll_lease_holder=holder[:200],
            poll_lease_token=Account.poll_lease_token + 1,
            poll_lease_expires_at=now + ttl,
        )
        .returning(Account.poll_lease_token)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).scalar_one_or_none()


def fence_poll_lease(
    account_id: int, token: int, *, renew_until: datetime | None, session: Session
) -> bool:
    """Whether token is still the account's current lease; locks the row and renews it if so.

    Call it inside the transaction that writes synced rows: the row lock (PostgreSQL) or
    the write lock (SQLite) keeps a successor from taking the lease before that commit.
    """
    current = session.execute(
        select(Account.poll_lease_token, Account.poll_lease_holder)
        .where(Account.id == account_id)
        .with_for_update()
    ).one_or_none()
    if current is None or current[0] != token or current[1] is None:
        return False
    if renew_until is not None:
        session.execute(
            update(Account)
            .where(Account.id == account_id, Account.poll_lease_token == token)
            .values(poll_lease_expires_at=renew_until)
            .execution_options(synchronize_session=False)
        )
    return True


def release_poll_lease(account_id: int, token: int, *, session: Session) -> bool:
    """Give the lease back if token still holds it; whether it did."""
    result = session.execute(
        update(Account)
        .where(Account.id == account_id, Account.poll_lease_token == token)
        .values(poll_lease_holder=None, poll_lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


@dataclass(frozen=True, slots=True)
class PendingBody:
    """A stored message whose raw bytes still wait to be parsed."""

    id: int
    raw: bytes
    defects: tuple[str, ...]
    received_at: datetime


def messages_to_parse(account_id: int, limit: int, *, session: Session) -> list[PendingBody]:
    """Messages of the account the sync stored whose body is not parsed yet, oldest first."""
    query = (
        select(Message.id, Message.raw, Message.defects, Message.received_at)
        .where(Message.account_id == account_id, Message.parse_status == "pending")
        .order_by(Message.id)
        .limit(limit)
    )
    return [
        PendingBody(row.id, row.raw, tuple(row.defects or ()), row.received_at)
        for row in session.execute(query)
    ]


def save_parsed(values: Sequence[dict[str, Any]], *, session: Session) -> None:
    """Write parsed fields back by primary key ("id" in each dict), as one executemany."""
    if values:
        session.execute(update(Message), list(values))
