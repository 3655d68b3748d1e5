"""One account's digest for one week, rendered to wire bytes (nothing is stored or sent)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bounceback.digest.build import build_digest
from bounceback.digest.collect import Week, collect_digest_input
from bounceback.mail.message import EmailData, compose
from bounceback.storage.models import Account, JobPosting


@dataclass(frozen=True, slots=True)
class RenderedDigest:
    """The built email, its wire bytes and Message-ID, and the postings it shows."""

    email: EmailData
    raw: bytes
    message_id: str
    postings: tuple[JobPosting, ...]


def digest_message_id(account: Account, week: str) -> str:
    """A Message-ID fixed for the account and week, so a resend is recognisably the same mail."""
    token = hashlib.sha256(f"{account.id}:{account.address}:{week}".encode()).hexdigest()[:16]
    return f"<digest.{week.lower()}.{token}@bounceback.invalid>"


def render_week(
    account: Account,
    week: Week,
    *,
    session: Session,
    now: datetime,
    review_url: str | None = None,
) -> RenderedDigest:
    """Collect the week's records, build the digest and compose it; changes nothing.

    Dated actions are computed at the end of the digest week, not at `now` (the moment
    the mail is written), so what lies ahead of the reader is what the box shows.
    """
    data, postings = collect_digest_input(account, week, session=session, review_url=review_url)
    email = build_digest(data)
    message_id = digest_message_id(account, week.label)
    raw = compose(
        email,
        sender=account.address,
        to=account.digest_to,
        message_id=message_id,
        date=now,
        unsubscribe=account.address,
    )
    return RenderedDigest(email, raw, message_id, tuple(postings))
