"""The digest outbox: render once per account and ISO week, then send those same bytes.

Delivery is exactly once from the recipient's point of view:

1. `prepare_digest` stores the rendered bytes and a deterministic Message-ID in a row
   that is UNIQUE(account, week) before anything is sent.
2. `send_digest` claims the row with a conditional UPDATE (pending, or a claim whose
   lease ran out), so two runs started together cannot both send.
3. Before any attempt after the first, it searches the account's Sent folder for the
   Message-ID (RFC 1047: the server may have taken the message before the run died).
4. Each call makes one SMTP attempt. A 4xx reply or a dropped connection puts the row
   back to pending and raises `TemporarySendError`, which the Prefect task retries (see
   `send_digest`); a 5xx reply marks the row failed with a clear message, and the next
   run (`digest --send`, serve's schedule) claims that row again, looks in Sent first and
   resends once the server accepts. The same stored bytes go out on every attempt.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bounceback.account.endpoints import imap_endpoint, smtp_endpoint
from bounceback.digest.collect import Week
from bounceback.digest.render import render_week
from bounceback.flows import hooks
from bounceback.mail.sentcheck import already_delivered
from bounceback.mail.smtp import (
    PermanentSendError,
    TemporarySendError,
    send,
)
from bounceback.storage import accounts, digests
from bounceback.storage.models import Account, Digest, utcnow

log = logging.getLogger(__name__)

#: How long a run's claim on a row holds before another run may take over (a dead run).
SEND_LEASE = timedelta(minutes=10)
#: The durable steps of a send, reported to `hooks.step_listeners` as "outbox:<step>".
SEND_STEPS = ("prepared", "claimed", "delivered", "recorded")

SentCheck = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A digest ready to send (or already sent)."""

    digest_id: int
    week: str
    subject: str
    raw: bytes
    status: str
    message_id: str = ""


def prepare_digest(
    account_id: int,
    week: Week,
    *,
    sessions: sessionmaker[Session],
    now: datetime | None = None,
    review_url: str | None = None,
) -> OutboxItem:
    """Create the week's outbox row once; later calls return the same row and bytes."""
    now = now or utcnow()
    try:
        with sessions.begin() as session:
            account = accounts.account_by_id(account_id, session=session)
            existing = digests.digest_for_week(account_id, week.label, session=session)
            if existing is not None:
                return outbox_item(existing)
            rendered = render_week(account, week, session=session, now=now, review_url=review_url)
            digest = digests.create_digest(
                account,
                week.label,
                message_id=rendered.message_id,
                subject=rendered.email.subject,
                raw=rendered.raw,
                steps=rendered.email.steps,
                postings=rendered.postings,
                session=session,
            )
            item = outbox_item(digest)
    except IntegrityError:
        # Another run created the row first: UNIQUE(account, week) decided; use theirs.
        with sessions.begin() as session:
            digest = digests.digest_for_week(account_id, week.label, session=session)
            assert digest is not None
            return outbox_item(digest)
    hooks.durable_step("outbox:prepared")
    return item


def sent_check_for(account: Account, password: str) -> SentCheck:
    """Search the account's own mailbox (read-only) for a Message-ID."""
    endpoint = imap_endpoint(account)
    own = account.digest_to.casefold() == account.address.casefold()
    return lambda message_id: already_delivered(endpoint, password, message_id, check_inbox=own)


def send_digest(
    item: OutboxItem,
    account: Account,
    password: str,
    *,
    sessions: sessionmaker[Session],
    lease: timedelta = SEND_LEASE,
    sent_check: SentCheck | None = None,
) -> bool:
    """Make one attempt to send a pending digest; False when it was sent before or is busy.

    Raises `TemporarySendError` on a 4xx reply or a dropped connection (the row is left
    pending, to be retried) and `PermanentSendError` when the server refused it (failed).
    """
    # Retries live in one layer only: the Prefect task `send_account_digest` (flows/tasks.py,
    # retries=3, retry_condition_fn=_retry_unless_auth) calls this again after a
    # TemporarySendError. So a 4xx outage costs at most 1 + 3 = 4 SMTP attempts per digest per
    # flow run; the row then stays pending and the next run (the hourly digest catch-up) tries
    # again. Every retry claims the row again, so it counts in `attempts` and looks in the Sent
    # folder before resending. Authentication and configuration errors are never retried.
    if item.status == "sent":
        return False
    token = uuid.uuid4().hex
    with sessions.begin() as session:
        refused = digests.refused_before(item.digest_id, session=session)
        earlier_attempts = digests.claim_digest(item.digest_id, token, lease, session=session)
        message_id = item.message_id
    if earlier_attempts is None:
        log.info("digest %s is sent already or another run is sending it", item.week)
        return False
    if refused is not None:
        log.info("digest %s: the server refused it last time; trying again", item.week)
    hooks.durable_step("outbox:claimed")
    if earlier_attempts:
        # An earlier attempt may have reached the server (RFC 1047): look before resending.
        check = sent_check or sent_check_for(account, password)
        if _found_sent(item, token, check, message_id or "", sessions=sessions):
            return False
    _deliver(item, account, password, token, again=refused is not None,
             attempt=earlier_attempts + 1, sessions=sessions)  # fmt: skip
    hooks.durable_step("outbox:delivered")
    _finish(item, token, "sent", None, sessions=sessions)
    hooks.durable_step("outbox:recorded")
    if refused is not None:
        log.warning(
            "digest %s: sent now, after the server had refused it (%d attempts in all); "
            "it was delivered once",
            item.week,
            earlier_attempts + 1,
        )
    return True


def _finish(
    item: OutboxItem,
    token: str,
    status: str,
    error: str | None,
    *,
    sessions: sessionmaker[Session],
) -> None:
    """Record how this attempt ended and release the claim, in its own transaction."""
    with sessions.begin() as session:
        digests.finish_digest(item.digest_id, token, status, error, session=session)


def _found_sent(
    item: OutboxItem,
    token: str,
    check: SentCheck,
    message_id: str,
    *,
    sessions: sessionmaker[Session],
) -> bool:
    """Whether an earlier attempt did reach the mailbox (then the digest is marked sent)."""
    try:
        found = check(message_id)
    except Exception as exc:
        _finish(item, token, "pending", str(exc), sessions=sessions)
        raise
    if found:
        _finish(item, token, "sent", None, sessions=sessions)
    return bool(found)


def _deliver(
    item: OutboxItem,
    account: Account,
    password: str,
    token: str,
    *,
    again: bool,
    attempt: int,
    sessions: sessionmaker[Session],
) -> None:
    """Hand the digest to the SMTP server; a failure is recorded on the row, then raised."""
    endpoint = smtp_endpoint(account)
    try:
        send(endpoint, password, sender=account.address, to=account.digest_to, raw=item.raw)
    except PermanentSendError as exc:
        _finish(item, token, "failed", str(exc), sessions=sessions)
        raise PermanentSendError(
            f"digest {item.week} was not sent{' again' if again else ''}: {exc}"
        ) from None
    except Exception as exc:  # deferred (4xx, dropped), or an auth or configuration error
        if isinstance(exc, TemporarySendError):
            log.warning("digest %s: attempt %d deferred: %s", item.week, attempt, exc)
        _finish(item, token, "pending", str(exc), sessions=sessions)
        raise


def unsent_weeks(account_id: int, *, sessions: sessionmaker[Session]) -> list[str]:
    """Weeks whose digest is prepared but not sent yet (pending or interrupted), oldest first."""
    with sessions.begin() as session:
        return digests.unsent_weeks(account_id, session=session)


def outbox_item(digest: Digest) -> OutboxItem:
    """The plain-value view of an outbox row."""
    return OutboxItem(
        digest.id,
        digest.iso_week,
        digest.subject,
        digest.raw,
        digest.status,
        digest.header_message_id,
    )
