"""The poll lease: at most one poller per account, with a fencing token checked at every commit.

Prefect can start two runs of the same poll (a duplicate scheduled run, a backlog of late
runs after downtime, a retry racing a slow attempt). A Prefect concurrency limit keeps
that rare; this lease makes it harmless. A poller takes the account's lease with one
conditional UPDATE that also bumps a fencing token, and every transaction it commits
first checks (and renews) that token under a row lock. A poller that lost its lease
(it stalled past the expiry and another took over) fails that check and its commit is
rolled back, so nothing it fetched is written twice or over its successor's work.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from bounceback.errors import BouncebackError
from bounceback.storage import leases
from bounceback.storage.models import utcnow

log = logging.getLogger(__name__)

#: How long a lease lasts without a commit; every fenced commit renews it.
DEFAULT_TTL = timedelta(minutes=10)


class LeaseLostError(BouncebackError):
    """Another poller took over this account; this run's remaining writes were refused."""


@dataclass(frozen=True, slots=True)
class Lease:
    """A held poll lease: the account, the fencing token and how long each renewal lasts."""

    account_id: int
    token: int
    holder: str
    ttl: timedelta = DEFAULT_TTL


def holder_name(run_id: str | None = None) -> str:
    """Who holds a lease, for the logs: host, process and the Prefect run when there is one."""
    return f"{socket.gethostname()}:{os.getpid()}:{run_id or uuid.uuid4().hex[:12]}"


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (signal 0 checks, sends nothing)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def acquire(
    sessions: sessionmaker[Session],
    account_id: int,
    holder: str,
    ttl: timedelta = DEFAULT_TTL,
) -> Lease | None:
    """Take the account's lease, or None when a live lease is held by someone else.

    A lease held by a process that is gone from this machine (killed, crashed) is taken
    over at once instead of after its expiry; one held elsewhere waits for the expiry.
    """
    host, pid = socket.gethostname(), os.getpid()
    with sessions.begin() as session:
        token = leases.acquire_poll_lease(
            account_id, holder, ttl, now=utcnow(), host=host, pid=pid, session=session
        )
        if token is None:
            current = leases.lease_holder(account_id, session=session)
            if (
                current is not None
                and current.host == host
                and current.pid is not None
                and current.pid != pid
                and not process_alive(current.pid)
            ):
                log.warning(
                    "the poll lease was held by process %d on this machine, which is gone: "
                    "taken over",
                    current.pid,
                )
                token = leases.acquire_poll_lease(
                    account_id,
                    holder,
                    ttl,
                    now=utcnow(),
                    host=host,
                    pid=pid,
                    replacing=current.token,
                    session=session,
                )
    return None if token is None else Lease(account_id, token, holder, ttl)


def release(sessions: sessionmaker[Session], lease: Lease) -> bool:
    """Give the lease back (a no-op if it was already taken over); whether it was still ours."""
    with sessions.begin() as session:
        return leases.release_poll_lease(lease.account_id, lease.token, session=session)


def check_fence(
    session: Session, account_id: int, token: int, ttl: timedelta | None = DEFAULT_TTL
) -> None:
    """Raise LeaseLostError unless token still holds the account's lease; renew it for ttl.

    Call it in the transaction that commits synced rows, just before the commit.
    """
    renew_until = utcnow() + ttl if ttl is not None else None
    if not leases.fence_poll_lease(account_id, token, renew_until=renew_until, session=session):
        raise LeaseLostError(
            "another poll took over this account while this one was running; its last "
            "batch was not saved and the next poll carries on from the stored cursor"
        )


def fenced_sessions(sessions: sessionmaker[Session], lease: Lease) -> sessionmaker[Session]:
    """A session factory on the same engine whose every commit first passes check_fence.

    Code that owns its transactions (sync, analysis) needs no change to be fenced: give
    it this factory instead of the plain one.
    """
    fenced: sessionmaker[Session] = sessionmaker(**sessions.kw)

    def _before_commit(session: Session) -> None:
        check_fence(session, lease.account_id, lease.token, lease.ttl)

    event.listen(fenced, "before_commit", _before_commit)
    return fenced


@contextmanager
def held(
    sessions: sessionmaker[Session],
    account_id: int,
    holder: str,
    ttl: timedelta = DEFAULT_TTL,
) -> Iterator[Lease | None]:
    """Hold the lease for the block (None if someone else holds it); always released after."""
    lease = acquire(sessions, account_id, holder, ttl)
    try:
        yield lease
    finally:
        if lease is not None:
            release(sessions, lease)


def describe(lease: Lease | None) -> dict[str, Any]:
    """A small, log-safe description of a lease."""
    if lease is None:
        return {"lease": None}
    return {"lease_token": lease.token, "lease_holder": lease.holder}
