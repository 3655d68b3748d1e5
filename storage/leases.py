"""Poll leases: at most one poller per account, fenced by a token at every commit.

Each function takes `*, session` and never commits: callers own transactions.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bounceback.storage.models import (
    Account,
)


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
