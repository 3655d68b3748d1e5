"""A stored, analysed mailbox for the application tests: the demo samples, for real."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from bounceback.demo.run import sample_messages
from bounceback.flows.analyse import analyse_pending
from bounceback.nlp.analyzer import Analyzer
from bounceback.storage import accounts
from tests.review.corpus import store_raw

#: The samples' "now": the Thursday after the busiest week (see samples/README.md).
SAMPLES_NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def new_account(sessions: sessionmaker[Session], *, timezone: str = "Europe/London") -> int:
    """A connected account (no secret needed: nothing is fetched)."""
    with sessions.begin() as session:
        account = accounts.save_account(
            {
                "address": "alex.morgan@example.com",
                "username": "alex",
                "imap_host": "127.0.0.1",
                "imap_port": 993,
                "imap_security": "ssl",
                "secret_ref": "env:PW",
                "digest_to": "alex.morgan@example.com",
                "timezone": timezone,
            },
            ["INBOX"],
            session=session,
        )
        return account.id


def store_samples(
    sessions: sessionmaker[Session], analyzer: Analyzer, *, analyse: bool = True
) -> tuple[int, dict[str, int]]:
    """An account holding every bundled sample, analysed; message ids by file stem."""
    account_id = new_account(sessions)
    samples = sample_messages()
    ids = store_raw(sessions, account_id, [raw for _, raw in samples], 1)
    if analyse:
        analyse_pending(account_id, analyzer, sessions=sessions)
    return account_id, {
        name.removesuffix(".eml"): i for (name, _), i in zip(samples, ids, strict=True)
    }


def store_mail(
    sessions: sessionmaker[Session],
    account_id: int,
    mails: list[tuple[bytes, list[str], str | None, str | None]],
    first_uid: int,
) -> list[int]:
    """Store raw mail with the analysis given (labels, company, role): no model involved."""
    from bounceback.storage import analyses
    from bounceback.storage.models import Message

    ids = store_raw(sessions, account_id, [raw for raw, *_ in mails], first_uid)
    with sessions.begin() as session:
        for message_id, (_, labels, company, role) in zip(ids, mails, strict=True):
            analyses.save_analysis(
                session.get_one(Message, message_id), model_version="test", labels=labels,
                scores={}, company=company, role=role, gaps=[], postings=[], session=session,
            )  # fmt: skip
    return ids


def mail(
    subject: str,
    body: str,
    *,
    sender: str = "Careers <careers@acme.example>",
    when: datetime = SAMPLES_NOW,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
) -> bytes:
    """A plain-text email."""
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid

    message = EmailMessage()
    message["From"] = sender
    message["To"] = "alex.morgan@example.com"
    message["Subject"] = subject
    message["Date"] = format_datetime(when)
    message["Message-ID"] = message_id or make_msgid(domain="test.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    message.set_content(body)
    return bytes(message)
