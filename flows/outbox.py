"""The digest outbox: render once per account and ISO week, then send those same bytes."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bounceback.flows.digest.build import build_digest
from bounceback.flows.digest.collect import Week, collect_digest_input
from bounceback.flows.smtp import SmtpEndpoint, compose, send
from bounceback.storage import queries
from bounceback.storage.models import Account, Digest, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A digest ready to send (or already sent)."""

    digest_id: int
    week: str
    subject: str
    raw: bytes
    status: str


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
            for posting in postings:
                posting.digest_id = digest.id  # shown once, never repeated in a later digest
            return outbox_item(digest)
    except IntegrityError:
        # Another run created the row first: UNIQUE(account, week) decided; use theirs.
        with sessions.begin() as session:
            digest = queries.digest_for_week(account_id, week.label, session=session)
            assert digest is not None
            return outbox_item(digest)


def send_digest(
    item: OutboxItem, account: Account, password: str, *, sessions: sessionmaker[Session]
) -> bool:
    """Send a pending digest; returns False when it had already been sent."""
    if item.status == "sent":
        return False
    endpoint = SmtpEndpoint(
        host=account.smtp_host or account.imap_host,
        port=account.smtp_port or 465,
        security=account.smtp_security or "ssl",
        username=account.username,
        allow_insecure_loopback=account.allow_insecure_loopback,
    )
    with sessions.begin() as session:
        digest = session.get_one(Digest, item.digest_id)
        if digest.status == "sent":
            return False
        digest.attempts += 1
    try:
        send(endpoint, password, sender=account.address, to=account.digest_to, raw=item.raw)
    except Exception as exc:
        with sessions.begin() as session:
            session.get_one(Digest, item.digest_id).last_error = str(exc)
        raise
    with sessions.begin() as session:
        digest = session.get_one(Digest, item.digest_id)
        digest.status = "sent"
        digest.sent_at = utcnow()
        digest.last_error = None
    return True


def outbox_item(digest: Digest) -> OutboxItem:
    """The plain-value view of an outbox row."""
    return OutboxItem(digest.id, digest.iso_week, digest.subject, digest.raw, digest.status)
