"""Poll leases: at most one poller per account, fenced by a token at every commit.

Each function takes `*, session` and never commits: callers own transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bounceback.storage.models import (
    Account,
)


@dataclass(frozen=True, slots=True)
class LeaseHolder:
    """Who holds an account's lease now: its token and where its process runs."""

    token: int
    host: str | None
    pid: int | None


def acquire_poll_lease(
    account_id: int,
    holder: str,
    ttl: timedelta,
    *,
    now: datetime,
    host: str | None = None,
    pid: int | None = None,
    replacing: int | None = None,
    session: Session,
) -> int | None:
    """Take the account's poll lease if it is free or expired; the new fencing token, or None.

    One conditional UPDATE, so two pollers racing for the lease cannot both win: the
    database serialises the writes and only the first finds the lease free. With
    replacing (a token whose holder is known to be dead), a live lease is taken over too,
    as long as that token still holds it.
    """
    free = or_(Account.poll_lease_expires_at.is_(None), Account.poll_lease_expires_at <= now)
    if replacing is not None:
        free = or_(free, Account.poll_lease_token == replacing)
    statement = (
        update(Account)
        .where(Account.id == account_id, free)
        .values(
            poll_lease_holder=holder[:200],
            poll_lease_token=Account.poll_lease_token + 1,
            poll_lease_expires_at=now + ttl,
            poll_lease_host=host[:255] if host else None,
            poll_lease_pid=pid,
        )
        .returning(Account.poll_lease_token)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).scalar_one_or_none()


def lease_holder(account_id: int, *, session: Session) -> LeaseHolder | None:
    """The current holder of the account's lease, or None when it is free."""
    row = session.execute(
        select(
            Account.poll_lease_token,
            Account.poll_lease_holder,
            Account.poll_lease_host,
            Account.poll_lease_pid,
        ).where(Account.id == account_id)
    ).one_or_none()
    if row is None or row[1] is None:
        return None
    return LeaseHolder(int(row[0]), row[2], row[3])


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
        .values(
            poll_lease_holder=None,
            poll_lease_expires_at=None,
            poll_lease_host=None,
            poll_lease_pid=None,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))
