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
   `send_digest`); a 5xx reply marks the row failed with a clear message. The same stored
   bytes go out on every attempt.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bounceback.flows.digest.build import build_digest
from bounceback.flows.digest.collect import Week, collect_digest_input
from bounceback.flows.imap import ImapEndpoint
from bounceback.flows.sentcheck import already_delivered
from bounceback.flows.smtp import (
    PermanentSendError,
    SmtpEndpoint,
    TemporarySendError,
    compose,
    send,
)
from bounceback.storage import queries
from bounceback.storage.models import Account, Digest, DigestStep, utcnow

log = logging.getLogger(__name__)

#: How long a run's claim on a row holds before another run may take over (a dead run).
SEND_LEASE = timedelta(minutes=10)
#: Fault injection for the crash tests: the process kills itself right after this step.
FAULT_ENV = "BOUNCEBACK_FAULT_AFTER"
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


def _fault_point(step: str) -> None:
    """Die like `kill -9` after `step` when the crash tests ask for it."""
    if os.environ.get(FAULT_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def digest_message_id(account: Account, week: str) -> str:
    """A Message-ID fixed for the account and week, so a resend is recognisably the same mail."""
    token = hashlib.sha256(f"{account.id}:{account.address}:{week}".encode()).hexdigest()[:16]
    return f"<digest.{week.lower()}.{token}@bounceback.invalid>"


def render_digest(account: Account, week: Week, *, session: Session, now: datetime) -> bytes:
    """Build the week's digest as wire bytes, without storing anything."""
    data, _ = collect_digest_input(account, week, session=session)
    email = build_digest(data)
    return compose(
        email,
        sender=account.address,
        to=account.digest_to,
        message_id=digest_message_id(account, week.label),
        date=now,
    )


def prepare_digest(
    account_id: int, week: Week, *, sessions: sessionmaker[Session], now: datetime | None = None
) -> OutboxItem:
    """Create the week's outbox row once; later calls return the same row and bytes."""
    now = now or utcnow()
    try:
        with sessions.begin() as session:
            account = session.get_one(Account, account_id)
            existing = queries.digest_for_week(account_id, week.label, session=session)
            if existing is not None:
                return outbox_item(existing)
            data, postings = collect_digest_input(account, week, session=session)
            email = build_digest(data)
            message_id = digest_message_id(account, week.label)
            raw = compose(
                email,
                sender=account.address,
                to=account.digest_to,
                message_id=message_id,
                date=now,
            )
            digest = Digest(
                account_id=account_id,
                iso_week=week.label,
                header_message_id=message_id,
                subject=email.subject,
                to_address=account.digest_to,
                raw=raw,
                status="pending",
                attempts=0,
            )
            session.add(digest)
            session.flush()
            for number, (key, title) in enumerate(email.steps, 1):
                session.add(DigestStep(digest_id=digest.id, number=number, key=key, title=title))
            for posting in postings:
                posting.digest_id = digest.id  # shown once, never repeated in a later digest
            item = outbox_item(digest)
    except IntegrityError:
        # Another run created the row first: UNIQUE(account, week) decided; use theirs.
        with sessions.begin() as session:
            digest = queries.digest_for_week(account_id, week.label, session=session)
            assert digest is not None
            return outbox_item(digest)
    _fault_point("prepared")
    return item


def smtp_endpoint(account: Account) -> SmtpEndpoint:
    """Where the account's digests are submitted."""
    return SmtpEndpoint(
        host=account.smtp_host or account.imap_host,
        port=account.smtp_port or 465,
        security=account.smtp_security or "ssl",
        username=account.username,
        allow_insecure_loopback=account.allow_insecure_loopback,
    )


def sent_check_for(account: Account, password: str) -> SentCheck:
    """Search the account's own mailbox (read-only) for a Message-ID."""
    endpoint = ImapEndpoint(
        host=account.imap_host,
        port=account.imap_port,
        security=account.imap_security,
        username=account.username,
        allow_insecure_loopback=account.allow_insecure_loopback,
    )
    own = account.digest_to.casefold() == account.address.casefold()
    return lambda message_id: already_delivered(endpoint, password, message_id, check_inbox=own)


def _claim(digest_id: int, token: str, lease: timedelta, *, session: Session) -> int | None:
    """Take the row for this run; returns how many attempts came before, or None if busy."""
    now = utcnow()
    result = session.execute(
        update(Digest)
        .where(
            Digest.id == digest_id,
            or_(
                Digest.status == "pending",
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


def _finish(
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
    # Retries live in one layer only: the Prefect task `send_account_digest` (flows/pipeline.py,
    # retries=3, retry_condition_fn=_retry_unless_auth) calls this again after a
    # TemporarySendError. So a 4xx outage costs at most 1 + 3 = 4 SMTP attempts per digest per
    # flow run; the row then stays pending and the next run (the hourly digest catch-up) tries
    # again. Every retry claims the row again, so it counts in `attempts` and looks in the Sent
    # folder before resending. Authentication and configuration errors are never retried.
    if item.status == "sent":
        return False
    token = uuid.uuid4().hex
    with sessions.begin() as session:
        earlier_attempts = _claim(item.digest_id, token, lease, session=session)
        message_id = session.scalar(
            select(Digest.header_message_id).where(Digest.id == item.digest_id)
        )
    if earlier_attempts is None:
        with sessions.begin() as session:
            row = session.get_one(Digest, item.digest_id)
            if row.status == "failed":
                raise PermanentSendError(row.last_error or f"the digest for {item.week} failed")
        log.info("digest %s is sent already or another run is sending it", item.week)
        return False
    _fault_point("claimed")
    if earlier_attempts:
        # An earlier attempt may have reached the server (RFC 1047): look before resending.
        check = sent_check or sent_check_for(account, password)
        try:
            found = check(message_id or "")
        except Exception as exc:
            with sessions.begin() as session:
                _finish(item.digest_id, token, "pending", str(exc), session=session)
            raise
        if found:
            with sessions.begin() as session:
                _finish(item.digest_id, token, "sent", None, session=session)
            return False
    endpoint = smtp_endpoint(account)
    try:
        send(endpoint, password, sender=account.address, to=account.digest_to, raw=item.raw)
    except PermanentSendError as exc:
        with sessions.begin() as session:
            _finish(item.digest_id, token, "failed", str(exc), session=session)
        raise
    except Exception as exc:  # deferred (4xx, dropped), or an auth or configuration error
        if isinstance(exc, TemporarySendError):
            log.warning("digest %s: attempt %d deferred: %s", item.week, earlier_attempts + 1, exc)
        with sessions.begin() as session:
            _finish(item.digest_id, token, "pending", str(exc), session=session)
        raise
    _fault_point("delivered")
    with sessions.begin() as session:
        _finish(item.digest_id, token, "sent", None, session=session)
    _fault_point("recorded")
    return True


def unsent_weeks(account_id: int, *, sessions: sessionmaker[Session]) -> list[str]:
    """Weeks whose digest is prepared but not sent yet (pending or interrupted), oldest first."""
    with sessions.begin() as session:
        return list(
            session.scalars(
                select(Digest.iso_week)
                .where(Digest.account_id == account_id, Digest.status.in_(("pending", "sending")))
                .order_by(Digest.iso_week)
            )
        )


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
