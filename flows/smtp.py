"""The SMTP adapter: compose a MIME message from a rendered email, verify and send."""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from bounceback.flows.digest.model import EmailData
from bounceback.flows.errors import AuthenticationError, MailServerError
from bounceback.flows.imap import check_security, tls_context


@dataclass(frozen=True, slots=True)
class SmtpEndpoint:
    """Where and how to reach an SMTP server; the password travels separately."""

    host: str
    port: int
    security: str
    username: str
    allow_insecure_loopback: bool = False
    timeout: float = 60.0


def compose(
    email: EmailData,
    *,
    sender: str,
    to: str,
    message_id: str,
    date: datetime,
) -> bytes:
    """A multipart/alternative message (plain text first, then HTML) as wire bytes."""
    message = EmailMessage()
    # EmailMessage refuses CR/LF in header values, so nothing can inject a header.
    message["Subject"] = " ".join(email.subject.split())
    message["From"] = formataddr(("bounceback", sender))
    message["To"] = to
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    # quoted-printable keeps every line under SMTP's 998-octet limit, whatever the HTML
    message.set_content(email.text, cte="quoted-printable")
    message.add_alternative(email.html, subtype="html", cte="quoted-printable")
    return message.as_bytes(policy=policy.SMTP)


def _connect(endpoint: SmtpEndpoint) -> smtplib.SMTP:
    check_security(endpoint.host, endpoint.security, endpoint.allow_insecure_loopback)
    where = f"{endpoint.host}:{endpoint.port}"
    try:
        if endpoint.security == "ssl":
            return smtplib.SMTP_SSL(
                endpoint.host, endpoint.port, timeout=endpoint.timeout, context=tls_context()
            )
        client = smtplib.SMTP(endpoint.host, endpoint.port, timeout=endpoint.timeout)
        if endpoint.security == "starttls":
            client.starttls(context=tls_context())
        return client
    except ssl.SSLCertVerificationError as exc:
        raise MailServerError(
            f"the TLS certificate of {where} could not be verified ({exc.verify_message})"
        ) from None
    except socket.gaierror:
        raise MailServerError(f"cannot resolve the SMTP host {endpoint.host}") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise MailServerError(f"cannot connect to the SMTP server {where}: {exc}") from None


def _login(client: smtplib.SMTP, endpoint: SmtpEndpoint, password: str) -> bool:
    """Log in if the server offers AUTH; returns False for a relay without AUTH."""
    client.ehlo_or_helo_if_needed()
    if not client.has_extn("auth"):
        return False
    try:
        client.login(endpoint.username, password)
    except smtplib.SMTPAuthenticationError:
        raise AuthenticationError(
            f"the SMTP server {endpoint.host}:{endpoint.port} refused the login for "
            f"{endpoint.username}; check the password (many providers need an app password)"
        ) from None
    return True


def verify(endpoint: SmtpEndpoint, password: str) -> bool:
    """Connect and log in without sending; returns whether the server asked for AUTH."""
    client = _connect(endpoint)
    try:
        return _login(client, endpoint, password)
    except smtplib.SMTPException as exc:
        raise MailServerError(f"the SMTP server said: {exc}") from None
    finally:
        _quit(client)


def send(endpoint: SmtpEndpoint, password: str, *, sender: str, to: str, raw: bytes) -> None:
    """Send raw message bytes to one recipient."""
    client = _connect(endpoint)
    try:
        _login(client, endpoint, password)
        client.sendmail(sender, [to], raw)
    except smtplib.SMTPResponseException as exc:
        error = exc.smtp_error
        message = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
        raise MailServerError(
            f"the SMTP server refused the digest ({exc.smtp_code} {message})"
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise MailServerError(f"sending through {endpoint.host} failed: {exc}") from None
    finally:
        _quit(client)


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()
