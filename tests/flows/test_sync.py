"""Polling logic against real IMAP servers: incremental, idempotent, read-only."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.demo.servers import EmbeddedImapServer
from bounceback.flows.analyse import parse_pending
from bounceback.flows.sync import sync_folder
from bounceback.mail.imap import ImapEndpoint, ImapReader
from bounceback.storage import accounts, mailbox
from bounceback.storage.models import Folder, Message
from tests.servers.dovecot import DovecotAccount
from tests.support.mail import make_mail


def add_account(sessions: sessionmaker[Session], host: str, port: int, user: str) -> int:
    with sessions.begin() as session:
        account = accounts.save_account(
            {
                "address": "alex@example.com",
                "username": user,
                "imap_host": host,
                "imap_port": port,
                "imap_security": "none",
                "secret_ref": "env:X",
                "digest_to": "alex@example.com",
                "allow_insecure_loopback": True,
            },
            ["INBOX"],
            session=session,
        )
        return mailbox.list_folders(account.id, session=session)[0].id


def poll(
    sessions: sessionmaker[Session], folder_id: int, host: str, port: int, user: str, password: str
):
    endpoint = ImapEndpoint(host, port, "none", user, allow_insecure_loopback=True, timeout=10)
    with ImapReader(endpoint, password) as reader:
        return sync_folder(reader, folder_id, sessions=sessions, chunk_size=4)


def parse_bodies(sessions: sessionmaker[Session], folder_id: int) -> dict[str, int]:
    """The analysis step's body parse, without a model: statuses of what was pending."""
    with sessions.begin() as session:
        account_id = session.get_one(Folder, folder_id).account_id
    return dict(parse_pending(account_id, sessions=sessions))


def stored(sessions: sessionmaker[Session]) -> list[str]:
    with sessions.begin() as session:
        return list(session.scalars(select(Message.header_message_id).order_by(Message.uid)))


def test_second_poll_stores_nothing_and_new_mail_is_picked_up(
    imap_server: EmbeddedImapServer, sqlite_sessions: sessionmaker[Session]
) -> None:
    server = imap_server
    folder_id = add_account(sqlite_sessions, server.host, server.port, server.user)
    server.append(make_mail(i) for i in range(10))
    args = (sqlite_sessions, folder_id, server.host, server.port, server.user, server.password)

    first = poll(*args)
    assert first.new_messages == 10
    again = poll(*args)
    assert again.new_messages == 0
    server.append([make_mail(10), make_mail(11)])
    third = poll(*args)
    assert third.new_messages == 2
    assert stored(sqlite_sessions) == [f"<test-{i}@acme-analytics.test>" for i in range(12)]
    with sqlite_sessions.begin() as session:
        folder = session.get_one(Folder, folder_id)
        newest = session.scalar(select(func.max(Message.uid)))
        assert folder.last_uid == newest
        message = session.scalars(select(Message).where(Message.uid == newest)).one()
        assert message.raw.startswith(b"From:") or b"Message-ID" in message.raw
        # The sync stores the bytes and their Message-ID; they are parsed before analysis.
        assert message.header_message_id == "<test-11@acme-analytics.test>"
        assert message.parse_status == "pending" and message.analysed_text == ""
    assert parse_bodies(sqlite_sessions, folder_id) == {"ok": 12}
    with sqlite_sessions.begin() as session:
        message = session.scalars(select(Message).where(Message.uid == newest)).one()
        assert message.parse_status == "ok"
        assert "message number 11" in message.analysed_text
        assert message.subject == "Update on your application (11)"
    assert parse_bodies(sqlite_sessions, folder_id) == {}


def test_malformed_mail_is_stored_with_a_status_not_raised(
    imap_server: EmbeddedImapServer, sqlite_sessions: sessionmaker[Session]
) -> None:
    server = imap_server
    folder_id = add_account(sqlite_sessions, server.host, server.port, server.user)
    garbage = (
        b"From: =?x-unknown?Q?broken?= <\r\nSubject: =?utf-8?B?////?=\r\n"
        b"Content-Type: text/plain; charset=no-such-charset\r\n\r\n\xff\xfe body \x00\r\n"
    )
    server.append([make_mail(1), garbage, make_mail(2)])
    report = poll(
        sqlite_sessions, folder_id, server.host, server.port, server.user, server.password
    )
    assert report.new_messages == 3
    parse_bodies(sqlite_sessions, folder_id)
    with sqlite_sessions.begin() as session:
        statuses = list(session.scalars(select(Message.parse_status).order_by(Message.uid)))
    assert statuses[0] == "ok" and statuses[2] == "ok"
    assert statuses[1] in {"degraded", "failed"}


@pytest.mark.dovecot
def test_uidvalidity_change_rereads_the_folder(
    dovecot: DovecotAccount, sqlite_sessions: sessionmaker[Session]
) -> None:
    folder_id = add_account(sqlite_sessions, dovecot.host, dovecot.port, dovecot.user)
    dovecot.append([make_mail(i) for i in range(3)])
    args = (sqlite_sessions, folder_id, dovecot.host, dovecot.port, dovecot.user, dovecot.password)
    assert poll(*args).new_messages == 3
    with sqlite_sessions.begin() as session:
        # as if the server had been rebuilt: old UIDVALIDITY and old UIDs on the stored rows
        session.get_one(Folder, folder_id).uidvalidity = 1
        for message in session.scalars(select(Message)):
            message.uidvalidity, message.uid = 1, message.uid + 1000
    dovecot.append([make_mail(3)])
    report = poll(*args)
    assert report.uidvalidity_changed
    assert report.new_messages == 1  # the three known ones are recognised, the new one kept
    assert stored(sqlite_sessions).count("<test-0@acme-analytics.test>") == 1
    assert len(stored(sqlite_sessions)) == 4
    assert poll(*args).new_messages == 0


def test_progress_is_reported_per_chunk_and_drawn_as_a_bar(
    imap_server: EmbeddedImapServer, sqlite_sessions: sessionmaker[Session]
) -> None:
    import io

    from rich.console import Console

    from bounceback.cli.progress import progress_bar

    server = imap_server
    folder_id = add_account(sqlite_sessions, server.host, server.port, server.user)
    server.append(make_mail(i) for i in range(10))
    seen: list[tuple[str, int, int]] = []
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=80)
    endpoint = ImapEndpoint(
        server.host, server.port, "none", server.user, allow_insecure_loopback=True, timeout=10
    )
    with progress_bar(console), ImapReader(endpoint, server.password) as reader:
        sync_folder(
            reader,
            folder_id,
            sessions=sqlite_sessions,
            chunk_size=4,
            progress=lambda *report: seen.append(report),
        )
    assert seen == [("INBOX", 4, 10), ("INBOX", 8, 10), ("INBOX", 10, 10)]
    assert "fetching INBOX" in screen.getvalue() and "10/10" in screen.getvalue()


def test_sync_warnings_say_what_happened() -> None:
    from bounceback.flows.sync import FolderSyncReport, sync_warnings

    quiet = FolderSyncReport("INBOX", 3, False)
    assert sync_warnings(quiet) == []
    loud = FolderSyncReport("INBOX", 3, True, oversize=1, quarantined=1, capped=True)
    warnings = sync_warnings(loud)
    assert len(warnings) == 4 and all("\n" not in w for w in warnings)
    assert "UIDVALIDITY" in warnings[0] and "quarantined" in warnings[1]
