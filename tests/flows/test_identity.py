"""The same mail is recognised after a move: added transport fields make no new message."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.demo.servers import EmbeddedImapServer
from bounceback.storage.mailbox import content_identity
from bounceback.storage.models import Message
from tests.flows.test_poison import sync
from tests.flows.test_sync import add_account
from tests.support.mail import make_mail

MOVED = (
    b"Received: from mx.new-provider.test by imap.new-provider.test; "
    b"Mon, 23 Nov 2026 10:00:00 +0000\r\n"
    b"DKIM-Signature: v=1; a=rsa-sha256; d=new-provider.test;\r\n\tb=AbCdEf==\r\n"
    b"X-Migrated-From: old-provider\r\n"
)


def test_reappended_mail_with_added_transport_fields_is_not_stored_twice(
    imap_server: EmbeddedImapServer, sqlite_sessions: sessionmaker[Session]
) -> None:
    originals = [make_mail(n) for n in range(12)]
    imap_server.append(originals)
    folder_id = add_account(sqlite_sessions, imap_server.host, imap_server.port, imap_server.user)
    assert sync(imap_server, sqlite_sessions, folder_id) == 12
    # A migration tool copies the mailbox again, each message with headers added on top.
    imap_server.append(MOVED + raw for raw in originals)
    imap_server.append([make_mail(99)])  # and one really new message
    assert sync(imap_server, sqlite_sessions, folder_id) == 1
    with sqlite_sessions.begin() as session:
        assert session.scalar(select(func.count(Message.id))) == 13


def test_identity_ignores_transport_fields_and_line_endings_but_not_content() -> None:
    raw = make_mail(1)
    assert content_identity(MOVED + raw) == content_identity(raw)
    assert content_identity(raw.replace(b"\r\n", b"\n") + b"\n") == content_identity(raw)
    assert content_identity(raw.replace(b"message number 1", b"message number 2")) != (
        content_identity(raw)
    )
    changed = raw.replace(b"Subject: Update", b"Subject: News")
    assert content_identity(changed) != content_identity(raw)
