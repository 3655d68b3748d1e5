"""Poison mail never blocks the rest: it is stored safely or quarantined (issue 16)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.demo.servers import EmbeddedImapServer
from bounceback.flows.analyse import analyse_pending
from bounceback.flows.store_chunk import commit_chunk
from bounceback.flows.sync import sync_folder
from bounceback.flows.tasks import _ANALYSE_LOCK
from bounceback.mail.imap import ImapEndpoint, ImapReader
from bounceback.nlp.records import Analysis as Result
from bounceback.nlp.records import EmailText
from bounceback.nlp.registry import load_analyzer
from bounceback.storage import accounts, mailbox
from bounceback.storage.columns import CUT_MARK, KEY_PREFIX
from bounceback.storage.models import Analysis, Folder, Message, utcnow
from tests.flows.test_sync import add_account
from tests.servers.poison import ordinary_mail, poison_corpus

ORDINARY = 20


def sync(server: EmbeddedImapServer, sessions: sessionmaker[Session], folder_id: int) -> int:
    endpoint = ImapEndpoint(
        server.host, server.port, "none", server.user, allow_insecure_loopback=True, timeout=10
    )
    with ImapReader(endpoint, server.password) as reader:
        return sync_folder(reader, folder_id, sessions=sessions, chunk_size=50).new_messages


@pytest.fixture
def poisoned(
    imap_server: EmbeddedImapServer, sessions: sessionmaker[Session]
) -> tuple[EmbeddedImapServer, sessionmaker[Session], int]:
    """A mailbox of poison mail between ordinary mail, synced once."""
    ordinary = ordinary_mail(ORDINARY)
    imap_server.append(ordinary[:10] + poison_corpus() + ordinary[10:])
    folder_id = add_account(sessions, imap_server.host, imap_server.port, imap_server.user)
    return imap_server, sessions, folder_id


def test_poison_mail_is_stored_and_analysed_with_every_other_message(
    poisoned: tuple[EmbeddedImapServer, sessionmaker[Session], int],
) -> None:
    server, sessions, folder_id = poisoned
    total = ORDINARY + len(poison_corpus())
    assert sync(server, sessions, folder_id) == total
    with sessions.begin() as session:
        account_id = session.get_one(Folder, folder_id).account_id
    with _ANALYSE_LOCK:
        report = analyse_pending(account_id, load_analyzer(None), sessions=sessions)
    assert report.messages == total and report.quarantined == 0
    with sessions.begin() as session:
        analysed = session.scalar(select(func.count(Analysis.id))) or 0
        ids = set(session.scalars(select(Message.header_message_id)))
        rows = {m.uid: m for m in session.scalars(select(Message))}
    assert analysed == total
    assert {f"<test-{n}@acme-analytics.test>" for n in range(1000, 1000 + ORDINARY)} <= ids
    by_subject = {m.subject: m for m in rows.values()}
    # The 5,004-character Message-ID and In-Reply-To are kept as their hashes...
    long_id = next(i for i in ids if i and i.startswith(KEY_PREFIX))
    assert len(long_id) == len(KEY_PREFIX) + 64
    replied = by_subject["About your application (4)"]
    assert replied.in_reply_to is not None and replied.in_reply_to.startswith(KEY_PREFIX)
    # ...the 2,000-character name and the 809-character address are cut, with the marker.
    named = by_subject["About your application (2)"]
    assert named.sender_name is not None and len(named.sender_name) == 500
    assert named.sender_name.endswith(CUT_MARK)
    addressed = by_subject["About your application (3)"]
    assert addressed.sender_address is not None and addressed.sender_address.endswith(CUT_MARK)
    assert len(addressed.sender_address) == 320
    assert "\x00" not in "".join(m.subject for m in rows.values())
    # A second poll stores nothing twice, the over-long Message-ID included.
    assert sync(server, sessions, folder_id) == 0
    with sessions.begin() as session:
        folder = session.get_one(Folder, folder_id)
        mailbox.reset_folder(folder, folder.uidvalidity or 0, session=session)
    assert sync(server, sessions, folder_id) == 0


class FailsOn:
    """A real analyser that cannot cope with one subject, as a model with a bug might not."""

    def __init__(self, marker: str) -> None:
        self.inner = load_analyzer(None)
        self.version = self.inner.version
        self.marker = marker

    def analyze(self, emails: Iterable[EmailText], *, batch_size: int = 256) -> Iterator[Result]:
        emails = list(emails)
        if any(self.marker in email.subject for email in emails):
            raise RuntimeError("the model gave up on this message")
        return self.inner.analyze(emails, batch_size=batch_size)


def test_a_message_that_fails_analysis_is_quarantined_and_the_rest_analysed(
    poisoned: tuple[EmbeddedImapServer, sessionmaker[Session], int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, sessions, folder_id = poisoned
    sync(server, sessions, folder_id)
    with sessions.begin() as session:
        account_id = session.get_one(Folder, folder_id).account_id
    analyzer = FailsOn("application (3)")
    with _ANALYSE_LOCK, caplog.at_level(logging.WARNING):
        report = analyse_pending(account_id, analyzer, sessions=sessions)
        again = analyse_pending(account_id, analyzer, sessions=sessions)
    total = ORDINARY + len(poison_corpus())
    assert report.messages == total - 1 and report.quarantined == 1
    assert again.messages == 0 and again.quarantined == 0  # never tried again
    with sessions.begin() as session:
        bad = session.scalars(select(Message).where(Message.quarantine_reason.is_not(None))).one()
        assert bad.analysis is None
        summary = accounts.account_summary(
            accounts.list_accounts(session=session)[0], session=session
        )
    assert bad.subject == "About your application (3)"
    assert (
        bad.quarantine_reason
        == "analysing it failed: RuntimeError: the model gave up on this message"
    )
    assert summary.analysed == total - 1 and summary.quarantined == 1
    lines = [r.getMessage() for r in caplog.records if "quarantined" in r.getMessage()]
    assert lines == [
        f"folder 'INBOX' UID {bad.uid}: analysing it failed (RuntimeError: the model gave up "
        "on this message); the message is quarantined and skipped from now on, the rest of "
        "the mailbox goes on"
    ]


def test_a_row_that_cannot_be_stored_is_kept_quarantined_and_the_chunk_committed(
    sessions: sessionmaker[Session], imap_server: EmbeddedImapServer
) -> None:
    folder_id = add_account(sessions, imap_server.host, imap_server.port, imap_server.user)
    good = mailbox.NewMessage(
        uid=1, header_message_id="<a@x.test>", in_reply_to=None, subject="", from_header="",
        sender_name=None, sender_address=None, received_at=utcnow(), size=3,
        content_hash="a" * 64, raw=b"abc", body_text="", analysed_text="", html=None,
        parse_status="pending", defects=(),
    )  # fmt: skip
    # A timestamp without a zone is refused on its way to the database, as a bad value is.
    bad = mailbox.NewMessage(
        **{**_fields(good), "uid": 2, "header_message_id": "<b@x.test>",
           "content_hash": "b" * 64, "received_at": utcnow().replace(tzinfo=None)}
    )  # fmt: skip
    later = mailbox.NewMessage(**{**_fields(good), "uid": 3, "content_hash": "c" * 64,
                                  "header_message_id": "<c@x.test>",
                                  "received_at": utcnow() - timedelta(days=1)})  # fmt: skip
    assert commit_chunk(sessions, folder_id, 7, [good, bad, later], 3) == 3
    with sessions.begin() as session:
        rows = {m.uid: m for m in session.scalars(select(Message))}
        folder = session.get_one(Folder, folder_id)
    assert folder.last_uid == 3
    assert rows[1].quarantine_reason is None and rows[3].quarantine_reason is None
    assert rows[2].fetch_status == "full" and rows[2].raw == b"abc"
    assert rows[2].quarantine_reason == (
        "storing it failed: ValueError: naive datetime given to a UTC column"
    )


def _fields(message: mailbox.NewMessage) -> dict[str, object]:
    return {name: getattr(message, name) for name in message.__slots__}  # type: ignore[attr-defined]


def test_status_reports_analysed_quarantined_and_the_last_one_by_folder_and_uid(
    bounceback_home: Path, imap_server: EmbeddedImapServer
) -> None:
    from typer.testing import CliRunner

    from bounceback.cli.app import app
    from bounceback.settings import Settings
    from bounceback.storage.db import make_engine, session_factory, upgrade

    url = Settings().database_url
    upgrade(url)
    sessions = session_factory(make_engine(url))
    imap_server.append(ordinary_mail(3) + poison_corpus()[:1])
    folder_id = add_account(sessions, imap_server.host, imap_server.port, imap_server.user)
    sync(imap_server, sessions, folder_id)
    with sessions.begin() as session:
        account_id = session.get_one(Folder, folder_id).account_id
        accounts.record_error(account_id, "analysis failed: RuntimeError: boom", session=session)
    with _ANALYSE_LOCK:
        analyse_pending(account_id, FailsOn(KEY_PREFIX), sessions=sessions)  # fails none
        analyse_pending(account_id, FailsOn("(1001)"), sessions=sessions)  # nothing left
    with sessions.begin() as session:
        uid = session.scalars(select(Message.uid).order_by(Message.uid)).first()
        mailbox.quarantine_message(
            session.scalars(select(Message.id).order_by(Message.id)).first() or 0,
            "analysing it failed: RuntimeError: boom",
            session=session,
        )
    runner = CliRunner()
    document = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    (account,) = document["accounts"]
    assert account["analysed"] == 4 and account["quarantined"] == 1
    assert account["last_error"] == "analysis failed: RuntimeError: boom"
    text = runner.invoke(app, ["status"]).stdout
    assert "messages 4: analysed 4, quarantined 1" in text
    assert "last error analysis failed: RuntimeError: boom" in text
    assert f"last quarantined: folder 'INBOX' UID {uid}: analysing it failed" in text
    assert "Update on your application" not in text  # never the content
