"""Certificates are verified before a password is sent: bad ones stop at the handshake."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from bounceback.errors import AuthenticationError, MailServerError
from bounceback.mail.imap import ImapEndpoint, ImapReader
from bounceback.mail.security import tls_context
from tests.servers.tlsimap import CertFactory, TlsImapServer

PASSWORD = "tls-canary-Pa55word"


@pytest.fixture
def certs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CertFactory:
    """A test CA that the verifying TLS context trusts (through SSL_CERT_FILE)."""
    factory = CertFactory(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(factory.ca_file))
    return factory


def login(server: TlsImapServer, security: str) -> None:
    endpoint = ImapEndpoint("localhost", server.port, security, "alex", timeout=10)
    with ImapReader(endpoint, PASSWORD):
        pass


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_a_valid_certificate_gets_as_far_as_the_login(certs: CertFactory, security: str) -> None:
    """The control: with a good certificate the client does send LOGIN."""
    with TlsImapServer(certs.issue("good"), starttls=security == "starttls") as server:
        with pytest.raises(AuthenticationError):
            login(server, security)
    assert len(server.logins) == 1


@pytest.mark.parametrize("security", ["ssl", "starttls"])
@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("self_signed", "self-signed certificate"),
        ("expired", "certificate has expired"),
        ("wrong_host", "Hostname mismatch"),
    ],
)
def test_a_bad_certificate_stops_before_login(
    certs: CertFactory, kind: str, reason: str, security: str
) -> None:
    pem = {
        "self_signed": lambda: certs.issue("self", self_signed=True),
        "expired": lambda: certs.issue("old", expired=True),
        "wrong_host": lambda: certs.issue("other", host="mail.example.net"),
    }[kind]()
    with TlsImapServer(pem, starttls=security == "starttls") as server:
        with pytest.raises(MailServerError) as caught:
            login(server, security)
    message = str(caught.value)
    assert message.startswith("the TLS certificate of localhost:")
    assert reason in message and "did not log in" in message
    assert "\n" not in message and PASSWORD not in message
    assert server.logins == []
    assert not any(PASSWORD.encode() in line for line in server.lines)


def test_tls_older_than_1_2_is_refused_before_login(certs: CertFactory) -> None:
    assert tls_context().minimum_version >= ssl.TLSVersion.TLSv1_2
    with TlsImapServer(certs.issue("legacy"), max_version=ssl.TLSVersion.TLSv1_1) as server:
        with pytest.raises(MailServerError, match="no secure TLS connection") as caught:
            login(server, "ssl")
    assert "TLS 1.2" in str(caught.value)
    assert server.logins == []
