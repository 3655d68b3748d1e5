"""Tests proving the real-Dovecot fixtures in :mod:`tests.servers.dovecot` work."""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from imap_tools import MailboxLoginError, MailBoxUnencrypted

from tests.servers import dovecot as dovecot_module
from tests.servers.dovecot import (
    NOT_INSTALLED_REASON,
    DovecotAccount,
    DovecotError,
    DovecotServer,
    require_dovecot,
)

# The fixtures ``dovecot`` / ``dovecot_session`` are registered in tests/conftest.py.

SEEN = "\\Seen"
_BASE_DATE = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


def make_message(index: int, subject: str = "Your application") -> bytes:
    """Build a small, valid RFC 5322 message (CRLF line endings) numbered ``index``."""
    msg = EmailMessage()
    msg["From"] = "Recruiting <jobs@example.com>"
    msg["To"] = "alice@example.org"
    msg["Subject"] = f"{subject} #{index}"
    msg["Date"] = format_datetime(_BASE_DATE + dt.timedelta(minutes=index))
    msg["Message-ID"] = f"<test-{index}@example.com>"
    msg.set_content(f"Thank you for applying. Unfortunately we will not proceed. ({index})\n")
    return msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _flags_by_uid(account: DovecotAccount) -> dict[str, tuple[str, ...]]:
    """Return ``{uid: flags}`` for INBOX, read through a fresh read-only session."""
    with account.mailbox() as mb:
        mb.folder.set("INBOX", readonly=True)
        return {
            str(m.uid): m.flags for m in mb.fetch(mark_seen=False, headers_only=True, bulk=True)
        }


@pytest.mark.dovecot
def test_login_works(dovecot: DovecotAccount) -> None:
    with MailBoxUnencrypted(dovecot.host, dovecot.port, timeout=10).login(
        dovecot.user, dovecot.password
    ) as mb:
        assert mb.login_result is not None
        assert mb.login_result[0] == "OK"
        assert mb.folder.get() == "INBOX"
        assert "INBOX" in {f.name for f in mb.folder.list()}


@pytest.mark.dovecot
def test_wrong_password_raises_login_error(dovecot: DovecotAccount) -> None:
    mailbox = MailBoxUnencrypted(dovecot.host, dovecot.port, timeout=10)
    try:
        with pytest.raises(MailboxLoginError):
            mailbox.login(dovecot.user, dovecot.password + "-wrong")
    finally:
        mailbox.client.shutdown()


@pytest.mark.dovecot
def test_append_fifty_quickly_then_bulk_fetch(dovecot: DovecotAccount) -> None:
    messages = [make_message(i) for i in range(50)]

    started = time.monotonic()
    assert dovecot.append(messages) == 50
    elapsed = time.monotonic() - started
    # ~0.15 s locally; the bound catches Nagle (~2 s) or auth-penalty (4+ s) stalls.
    assert elapsed < 5, f"appending 50 messages took {elapsed:.1f}s"

    with dovecot.mailbox() as mb:
        fetched = list(mb.fetch(mark_seen=False, bulk=True))
    assert len(fetched) == 50
    assert [m.subject for m in fetched] == [f"Your application #{i}" for i in range(50)]
    assert all("Unfortunately" in m.text for m in fetched)


@pytest.mark.dovecot
def test_append_client_uses_tcp_nodelay(dovecot: DovecotAccount) -> None:
    with dovecot.mailbox() as mb:
        sock = mb.client.sock
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


@pytest.mark.dovecot
def test_readonly_fetch_never_sets_seen(dovecot: DovecotAccount) -> None:
    dovecot.append([make_message(i) for i in range(5)])
    assert set(_flags_by_uid(dovecot).values()) == {()}

    with dovecot.mailbox() as mb:
        mb.folder.set("INBOX", readonly=True)
        bodies = [m.text for m in mb.fetch(mark_seen=False, bulk=True)]
        # Even a non-PEEK fetch must not set \Seen on a folder selected with EXAMINE.
        bodies += [m.text for m in mb.fetch(mark_seen=True, bulk=True)]
    assert len(bodies) == 10

    flags = _flags_by_uid(dovecot)
    assert len(flags) == 5
    assert not [uid for uid, f in flags.items() if SEEN in f], flags
    with dovecot.mailbox() as mb:
        assert mb.folder.status("INBOX", ["UNSEEN"])["UNSEEN"] == 5


@pytest.mark.dovecot
def test_seen_flag_is_observable(dovecot: DovecotAccount) -> None:
    """Control for the read-only test: a read-write fetch *does* set \\Seen here."""
    dovecot.append([make_message(1)])
    with dovecot.mailbox() as mb:
        list(mb.fetch(mark_seen=True))
    assert [SEEN in f for f in _flags_by_uid(dovecot).values()] == [True]


@pytest.mark.dovecot
def test_status_reports_uidvalidity_and_uidnext(dovecot: DovecotAccount) -> None:
    with dovecot.mailbox() as mb:
        before = mb.folder.status("INBOX", ["UIDVALIDITY", "UIDNEXT"])
    assert set(before) == {"UIDVALIDITY", "UIDNEXT"}
    assert before["UIDVALIDITY"] > 0
    assert before["UIDNEXT"] == 1

    dovecot.append([make_message(i) for i in range(3)])
    with dovecot.mailbox() as mb:
        after = mb.folder.status("INBOX", ["UIDVALIDITY", "UIDNEXT"])
    assert after == {"UIDVALIDITY": before["UIDVALIDITY"], "UIDNEXT": 4}


@pytest.mark.dovecot
def test_condstore_is_available(dovecot: DovecotAccount) -> None:
    dovecot.append([make_message(1)])
    with dovecot.mailbox(initial_folder=None) as mb:
        typ, data = mb.client.capability()
        assert typ == "OK"
        assert b"CONDSTORE" in data[0].split()
        assert mb.client.enable("CONDSTORE")[0] == "OK"
        typ, data = mb.client.status("INBOX", "(HIGHESTMODSEQ)")
    assert typ == "OK"
    assert b"HIGHESTMODSEQ" in data[0]
    highest = int(data[0].split(b"HIGHESTMODSEQ ")[1].rstrip(b")"))
    assert highest >= 1


@pytest.mark.dovecot
def test_append_to_other_folder(dovecot: DovecotAccount) -> None:
    dovecot.append([make_message(7)], folder="Archive/Rejections")
    with dovecot.mailbox() as mb:
        assert mb.folder.status("INBOX", ["MESSAGES"])["MESSAGES"] == 0
        mb.folder.set("Archive/Rejections", readonly=True)
        assert [m.subject for m in mb.fetch(mark_seen=False)] == ["Your application #7"]


@pytest.mark.dovecot
def test_function_fixture_gives_fresh_users(
    dovecot: DovecotAccount,
    dovecot_session: DovecotServer,
) -> None:
    assert dovecot.server is dovecot_session
    assert dovecot.user != dovecot_session.user
    other = dovecot_session.new_account()
    dovecot.append([make_message(1)])
    with other.mailbox() as mb:
        assert mb.folder.status("INBOX", ["MESSAGES"])["MESSAGES"] == 0
    with dovecot.mailbox() as mb:
        assert mb.folder.status("INBOX", ["MESSAGES"])["MESSAGES"] == 1
    if os.geteuid() == 0:
        # Mail is stored as nobody, never as root.
        assert dovecot.maildir.owner() == "nobody"


@pytest.mark.dovecot
def test_add_user_is_picked_up_while_running(dovecot_session: DovecotServer) -> None:
    account = dovecot_session.add_user(f"late-{os.getpid()}", "first-pass")
    with account.mailbox():
        pass
    account = dovecot_session.add_user(account.user, "second-pass")  # same length, same second
    with account.mailbox():
        pass
    stale = MailBoxUnencrypted(account.host, account.port, timeout=10)
    try:
        with pytest.raises(MailboxLoginError):
            stale.login(account.user, "first-pass")
    finally:
        stale.client.shutdown()


@pytest.mark.dovecot
def test_default_account_on_session_server(dovecot_session: DovecotServer) -> None:
    with dovecot_session.mailbox() as mb:
        assert mb.folder.get() == "INBOX"


@pytest.mark.dovecot
def test_stop_kills_process_group_and_frees_port() -> None:
    binary = require_dovecot()
    server = DovecotServer(binary=binary)
    with server:
        assert server.running
        root = server.root
        assert root is not None and root.exists()
        pgid = server._proc.pid if server._proc else -1
        server.append([make_message(1)])
    assert not server.running
    assert not root.exists()
    with pytest.raises(ProcessLookupError):
        os.killpg(pgid, 0)
    with pytest.raises(OSError), socket.create_connection((server.host, server.port), timeout=1):
        pass


@pytest.mark.dovecot
def test_startup_failure_reports_log_tail() -> None:
    binary = require_dovecot()
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        busy_port = blocker.getsockname()[1]
        server = DovecotServer(binary=binary, port=busy_port, startup_timeout=5)
        with pytest.raises(DovecotError, match="Address already in use"):
            server.start()
    assert not server.running


def test_missing_dovecot_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dovecot_module, "find_dovecot", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install dovecot-imapd"):
        require_dovecot()


def test_missing_dovecot_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dovecot_module, "find_dovecot", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=NOT_INSTALLED_REASON.split(" (")[0]):
        require_dovecot()
