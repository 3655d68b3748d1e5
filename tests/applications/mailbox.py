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
    return account_id, {name.removesuffix(".eml"): i for (name, _), i in zip(samples, ids, strict=True)}
