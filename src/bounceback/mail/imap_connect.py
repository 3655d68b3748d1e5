"""Opening a TCP or TLS connection to an IMAP server, with errors a user can act on.

Logging in, and everything after it, is `bounceback.mail.imap.ImapReader`'s job.
"""

from __future__ import annotations

import imaplib
import socket
import ssl
from dataclasses import dataclass

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import ImapToolsError

from bounceback.errors import MailServerError
from bounceback.mail.security import tls_context


@dataclass(frozen=True, slots=True)
class ImapEndpoint:
    """Where and how to reach an IMAP server; the password travels separately."""

    host: str
    port: int
    security: str
    username: str
    allow_insecure_loopback: bool = False
    timeout: float = 60.0


def open_mailbox(endpoint: ImapEndpoint) -> MailBox | MailBoxStartTls | MailBoxUnencrypted:
    """Connect (not yet logged in); a failure is a MailServerError saying what to check."""
    where = f"{endpoint.host}:{endpoint.port}"
    try:
        return _client(endpoint)
    except ssl.SSLCertVerificationError as exc:
        raise MailServerError(
            f"the TLS certificate of {where} could not be verified ({exc.verify_message}), "
            "so bounceback did not log in; check the host name, or ask the provider to "
            "fix its certificate"
        ) from None
    except ssl.SSLError as exc:
        raise MailServerError(
            f"no secure TLS connection could be made with {where} ({exc.reason or exc}), "
            "so bounceback did not log in; the server must offer TLS 1.2 or newer on "
            "this port (check the port and the security setting)"
        ) from None
    except socket.gaierror:
        raise MailServerError(
            f"cannot resolve the IMAP host {endpoint.host}; check its spelling"
        ) from None
    except TimeoutError:
        raise MailServerError(
            f"the IMAP server {where} did not answer within {endpoint.timeout:g} s; "
            "check the host and port, or try again later"
        ) from None
    except (OSError, imaplib.IMAP4.error, ImapToolsError) as exc:
        raise MailServerError(f"cannot connect to the IMAP server {where}: {exc}") from None


def _client(endpoint: ImapEndpoint) -> MailBox | MailBoxStartTls | MailBoxUnencrypted:
    if endpoint.security == "ssl":
        return MailBox(
            endpoint.host, endpoint.port, timeout=endpoint.timeout, ssl_context=tls_context()
        )
    if endpoint.security == "starttls":
        return MailBoxStartTls(
            endpoint.host, endpoint.port, timeout=endpoint.timeout, ssl_context=tls_context()
        )
    return MailBoxUnencrypted(endpoint.host, endpoint.port, timeout=endpoint.timeout)
