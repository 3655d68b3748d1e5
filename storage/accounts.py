"""Accounts and their profiles: look-up, save, delete, poll bookkeeping and status counts.

Each function takes `*, session` and never commits: callers own transactions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from bounceback.errors import ConfigError, NotFoundError
from bounceback.storage.digests import sent_digests
from bounceback.storage.mailbox import folder_for
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


def get_account(address: str, *, session: Session) -> Account | None:
    """The account with this address, or None."""
    return session.scalar(select(Account).where(Account.address == address.lower()))


def account_by_id(account_id: int, *, session: Session) -> Account:
    """The account with this primary key (it must exist)."""
    return session.get_one(Account, account_id)


def require_account(address: str, *, session: Session) -> Account:
    """The account with this address; NotFoundError saying how to connect it otherwise."""
    account = get_account(address, session=session)
    if account is None:
        raise NotFoundError(
            f"no account {address} is connected; run bounceback connect {address} "
            "(bounceback status lists the connected ones)"
        )
    return account


def only_account(address: str | None, *, session: Session) -> Account:
    """The named account, or the only one when none is named (ConfigError if several)."""
    if address:
        return require_account(address, session=session)
    accounts = list_accounts(session=session)
    if not accounts:
        raise NotFoundError("no account is connected yet; run bounceback connect first")
    if len(accounts) > 1:
        raise ConfigError("several accounts are connected; say which with --account ADDRESS")
    return accounts[0]


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


def record_poll(account: Account, error: str | None, *, session: Session) -> None:
    """Remember when the account was last polled and how it ended."""
    account.last_poll_at = utcnow()
    account.last_error = error
    session.flush()


def record_error(account_id: int, error: str, *, session: Session) -> None:
    """Remember a failure after the poll itself (the analysis) for `status`."""
    session.get_one(Account, account_id).last_error = error
    session.flush()


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


@dataclass(frozen=True, slots=True)
class FolderCursor:
    """How far a folder has been read: its UIDVALIDITY (None before the first poll), last UID."""

    name: str
    uidvalidity: int | None
    last_uid: int


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """What `bounceback status` shows for one account."""

    address: str
    messages: int
    analysed: int
    quarantined: int
    #: Where the latest set-aside message is and why, as one line; None if there is none.
    last_quarantined: str | None
    #: Analysed messages per label, by label name ("other" for those with none).
    labels: Mapping[str, int]
    gaps: int
    postings: int
    digests_sent: int
    last_poll: datetime | None
    last_error: str | None
    unparseable_messages: int
    folders: tuple[FolderCursor, ...]


def account_summary(account: Account, *, session: Session) -> AccountSummary:
    """Counts for `bounceback status`: messages, labels, gaps, postings, digests."""
    mine = Message.account_id == account.id
    quarantined, last_quarantined = _quarantined(account, session=session)
    return AccountSummary(
        address=account.address,
        messages=_count(select(func.count(Message.id)).where(mine), session=session),
        analysed=_count(
            select(func.count(Analysis.id))
            .join(Message, Analysis.message_id == Message.id)
            .where(mine),
            session=session,
        ),
        quarantined=quarantined,
        last_quarantined=last_quarantined,
        labels=_label_counts(account, session=session),
        gaps=_count(
            select(func.count(Gap.id))
            .join(Message, Gap.message_id == Message.id)
            .where(mine, Gap.status != "dismissed"),
            session=session,
        ),
        postings=_count(
            select(func.count(JobPosting.id)).where(JobPosting.account_id == account.id),
            session=session,
        ),
        digests_sent=sent_digests(account.id, session=session),
        last_poll=account.last_poll_at,
        last_error=account.last_error,
        unparseable_messages=_count(
            select(func.count(Message.id)).where(mine, Message.parse_status == "failed"),
            session=session,
        ),
        folders=tuple(FolderCursor(f.name, f.uidvalidity, f.last_uid) for f in account.folders),
    )


def _count(query: Select[int], *, session: Session) -> int:
    return session.scalar(query) or 0


def _label_counts(account: Account, *, session: Session) -> dict[str, int]:
    """How many of the account's analysed messages carry each label, by label name."""
    counts: Counter[str] = Counter()
    rows = session.scalars(
        select(Analysis.labels)
        .join(Message, Analysis.message_id == Message.id)
        .where(Message.account_id == account.id)
    )
    for labels in rows:
        counts.update(labels or ["other"])
    return dict(sorted(counts.items()))


def _quarantined(account: Account, *, session: Session) -> tuple[int, str | None]:
    """How many messages were set aside, and a line on the latest one and why."""
    where = (
        Message.account_id == account.id,
        or_(Message.quarantine_reason.is_not(None), Message.fetch_status == "quarantined"),
    )
    count = session.scalar(select(func.count(Message.id)).where(*where)) or 0
    latest = session.execute(
        select(Folder.name, Message.uid, Message.quarantine_reason, Message.defects)
        .join(Folder, Message.folder_id == Folder.id)
        .where(*where)
        .order_by(Message.id.desc())
        .limit(1)
    ).one_or_none()
    if latest is None:
        return count, None
    why = latest[2] or "; ".join(str(d) for d in latest[3] or ()) or "fetching it failed"
    return count, f"folder {latest[0]!r} UID {latest[1]}: {why}"
