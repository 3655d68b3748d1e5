"""The IMAP adapter against real servers: read-only, UID-incremental, clear errors."""

from __future__ import annotations

import pytest

from bounceback.demo.servers import EmbeddedImapServer
from bounceback.errors import AuthenticationError, ConfigError, MailServerError
from bounceback.mail.imap import ImapEndpoint, ImapReader
from bounceback.mail.security import check_security, is_loopback
from tests.servers.dovecot import DovecotAccount
from tests.support.mail import make_mail


def endpoint(host: str, port: int, user: str) -> ImapEndpoint:
    return ImapEndpoint(host, port, "none", user, allow_insecure_loopback=True, timeout=10)


def test_examine_search_and_fetch(imap_server: EmbeddedImapServer) -> None:
    imap_server.append(make_mail(i) for i in range(5))
    with ImapReader(
        endpoint(imap_server.host, imap_server.port, imap_server.user), imap_server.password
    ) as reader:
        assert "INBOX" in reader.folders()
        state = reader.examine("INBOX")
        assert state.exists == 5
        uids = reader.uids_after(0)
        assert len(uids) == 5 and uids == sorted(uids)
        assert state.uidnext is not None and state.uidnext > uids[-1]
        # "UID n:*" matches the newest message even above the top: it must be filtered out
        assert reader.uids_after(uids[-1]) == []
        chunks = [reader.fetch_chunk(uids[i : i + 2]) for i in range(0, len(uids), 2)]
        assert [len(found) for found in chunks] == [2, 2, 1]
        fetched = [message for found in chunks for message in found]
        assert [m.uid for m in fetched] == uids
        assert b"This is message number 3." in fetched[3].raw
        assert all(m.size == len(m.raw) for m in fetched)


def test_wrong_password_is_an_authentication_error(imap_server: EmbeddedImapServer) -> None:
    with pytest.raises(AuthenticationError, match="refused the login"):
        with ImapReader(endpoint(imap_server.host, imap_server.port, imap_server.user), "nope"):
            pass


def test_nothing_listening_is_a_mail_server_error() -> None:
    from bounceback.demo.servers import free_port

    with pytest.raises(MailServerError, match="cannot connect"):
        with ImapReader(endpoint("127.0.0.1", free_port(), "x"), "y"):
            pass


@pytest.mark.parametrize(
    ("host", "security", "flag", "allowed"),
    [
        ("127.0.0.1", "none", True, True),
        ("127.0.0.1", "none", False, False),
        ("imap.example.com", "none", True, False),
        ("imap.example.com", "ssl", False, True),
        ("::1", "none", True, True),
    ],
)
def test_plaintext_only_to_loopback_with_the_flag(
    host: str, security: str, flag: bool, allowed: bool
) -> None:
    if allowed:
        check_security(host, security, flag)
    else:
        with pytest.raises(ConfigError):
            check_security(host, security, flag)


def test_is_loopback() -> None:
    assert is_loopback("localhost") and is_loopback("127.8.0.1") and is_loopback("::1")
    assert not is_loopback("10.0.0.1") and not is_loopback("example.com")


@pytest.mark.dovecot
def test_reading_dovecot_changes_no_flag(dovecot: DovecotAccount) -> None:
    dovecot.append([make_mail(i) for i in range(20)])
    with ImapReader(endpoint(dovecot.host, dovecot.port, dovecot.user), dovecot.password) as reader:
        reader.examine("INBOX")
        uids = reader.uids_after(0)
        fetched = [m for i in range(0, 20, 7) for m in reader.fetch_chunk(uids[i : i + 7])]
    assert len(fetched) == 20
    with dovecot.mailbox() as box:
        flags = [m.flags for m in box.fetch(mark_seen=False, headers_only=True)]
    assert flags and all("\\Seen" not in f for f in flags)
