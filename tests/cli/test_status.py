"""`bounceback status`: the counts storage returns, printed as JSON and as text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bounceback.cli.app import app
from bounceback.settings import load_settings
from bounceback.storage import accounts, analyses, mailbox
from bounceback.storage.db import sessions_for
from bounceback.storage.models import Account

runner = CliRunner()
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ADDRESS = "sam@example.com"


def stored_mail(uid: int, **overrides: object) -> mailbox.NewMessage:
    fields: dict[str, object] = {
        "uid": uid,
        "header_message_id": f"<{uid}@hr.example>",
        "in_reply_to": None,
        "subject": f"Your application ({uid})",
        "from_header": "Talent <talent@hr.example>",
        "sender_name": "Talent",
        "sender_address": "talent@hr.example",
        "received_at": T0 + timedelta(hours=uid),
        "size": 120,
        "content_hash": f"{uid:064x}",
        "raw": b"raw",
        "body_text": "Thank you for applying.",
        "analysed_text": "Thank you for applying.",
        "html": None,
        "parse_status": "ok",
        "defects": (),
    }
    fields.update(overrides)
    return mailbox.NewMessage(**fields)  # type: ignore[arg-type]


def populated(sessions: sessionmaker[Session]) -> int:
    """An account with two folders, three messages (one analysed, one quarantined), a poll."""
    fields = {
        "address": ADDRESS,
        "username": "sam",
        "imap_host": "imap.example.com",
        "imap_port": 993,
        "imap_security": "ssl",
        "smtp_host": "smtp.example.com",
        "smtp_port": 465,
        "smtp_security": "ssl",
        "secret_ref": "env:PW",
        "digest_to": ADDRESS,
    }
    with sessions.begin() as session:
        account = accounts.save_account(fields, ["INBOX", "Jobs"], session=session)
        inbox = mailbox.list_folders(account.id, session=session)[0]
        mail = [
            stored_mail(7),
            stored_mail(9, parse_status="failed"),
            stored_mail(12, fetch_status="quarantined", quarantine_reason="too many parts"),
        ]
        mailbox.store_messages(inbox, 4242, mail, last_uid=12, session=session)
        account.last_poll_at = T0 + timedelta(days=1)
        account.last_error = "the server closed the connection"
        account_id = account.id
    with sessions.begin() as session:
        first = analyses.messages_to_analyse(account_id, 10, session=session)[0]
        analyses.save_analysis(
            first,
            model_version="t",
            labels=["rejection", "feedback"],
            scores={},
            company="Acme",
            role="Analyst",
            gaps=[analyses.NewGap("skill", "more SQL", 0, 8, "SQL", 0.9)],
            postings=[],
            session=session,
        )
    return account_id


def test_status_json_is_the_documented_document(bounceback_home: Path) -> None:
    sessions = sessions_for(load_settings().database_url)
    account_id = populated(sessions)
    with sessions.begin() as session:
        summary = accounts.account_summary(session.get_one(Account, account_id), session=session)
    assert isinstance(summary, accounts.AccountSummary)
    assert summary.labels == {"feedback": 1, "rejection": 1}

    result = runner.invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    # The exact text: keys in this order, the poll time in ISO 8601 (as before the typed value).
    assert result.stdout == json.dumps({"accounts": [EXPECTED]}) + "\n"

    text = runner.invoke(app, ["status"]).stdout
    assert "messages 3: analysed 1, quarantined 1 (feedback 1, rejection 1)" in text
    assert "gaps 1, postings 0, digests sent 0" in text
    assert "last poll 2026-11-24T09:00:00+00:00; last error" in text
    assert "last quarantined: folder 'INBOX' UID 12: too many parts" in text


#: What `status --json` printed for `populated` when account_summary still returned a dict.
EXPECTED: dict[str, object] = {
    "address": ADDRESS,
    "messages": 3,
    "analysed": 1,
    "quarantined": 1,
    "last_quarantined": "folder 'INBOX' UID 12: too many parts",
    "labels": {"feedback": 1, "rejection": 1},
    "gaps": 1,
    "postings": 0,
    "digests_sent": 0,
    "last_poll": "2026-11-24T09:00:00+00:00",
    "last_error": "the server closed the connection",
    "unparseable_messages": 1,
    "folders": [
        {"name": "INBOX", "uidvalidity": 4242, "last_uid": 12},
        {"name": "Jobs", "uidvalidity": None, "last_uid": 0},
    ],
}
