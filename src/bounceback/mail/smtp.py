"""The SMTP adapter: verify a server and submit composed messages to it."""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass

from bounceback.errors import (
    AuthenticationError,
    BouncebackError,
    MailServerError,
)
from bounceback.mail.message import one_line
from bounceback.mail.oauth import OAuth2Token, refused, xoauth2_string
from bounceback.mail.security import check_security, tls_context


@dataclass(frozen=True, slots=True)
class SmtpEndpoint:
    """Where and how to reach an SMTP server; the password travels separately."""

    host: str
    port: int
    security: str
    username: str
    allow_insecure_loopback: bool = False
    timeout: float = 60.0


class PermanentSendError(BouncebackError):
    """The SMTP server refused the message (a 5xx reply): not retried within this run.

    The outbox keeps the week and the next run tries it again, since the cause (a
    sending limit, a wrong address, a spam rule) is often fixed on the server's side.
    """


class TemporarySendError(MailServerError):
    """A 4xx reply or a dropped connection: worth retrying after a pause."""


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
    if isinstance(password, OAuth2Token):
        auth = xoauth2_string(endpoint.username, password)
        try:
            # a refusal may come as a 334 challenge first; answering it empty ends the exchange
            client.auth("XOAUTH2", lambda challenge=None: "" if challenge else auth)
        except smtplib.SMTPAuthenticationError:
            where = f"{endpoint.host}:{endpoint.port}"
            raise AuthenticationError(refused("SMTP", where, endpoint.username)) from None
        return True
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


def _reply_text(error: bytes | str) -> str:
    text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
    return one_line(text)


def send(endpoint: SmtpEndpoint, password: str, *, sender: str, to: str, raw: bytes) -> None:
    """Send raw message bytes to one recipient.

    Raises `TemporarySendError` for a 4xx reply or a dropped connection (retry later) and
    `PermanentSendError` for a 5xx reply (do not retry).
    """
    try:
        client = _connect(endpoint)
    except MailServerError as exc:
        raise TemporarySendError(str(exc)) from None
    try:
        _login(client, endpoint, password)
        refused = client.sendmail(sender, [to], raw)
        if refused:  # only possible with several recipients; kept for completeness
            code, reply = refused[to]
            raise smtplib.SMTPRecipientsRefused({to: (code, reply)})
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()))
        _raise_for_code(code, _reply_text(reply), endpoint)
    except smtplib.SMTPResponseException as exc:
        _raise_for_code(exc.smtp_code, _reply_text(exc.smtp_error), endpoint)
    except (OSError, smtplib.SMTPException) as exc:
        raise TemporarySendError(f"sending through {endpoint.host} failed: {exc}") from None
    finally:
        _quit(client)


def _raise_for_code(code: int, reply: str, endpoint: SmtpEndpoint) -> None:
    if 400 <= code < 500:
        raise TemporarySendError(
            f"the SMTP server {endpoint.host} deferred the digest ({code} {reply}); "
            "bounceback will try again"
        ) from None
    raise PermanentSendError(
        f"the SMTP server {endpoint.host} refused the digest ({code} {reply}); check the "
        "digest address and the account's sending limits: the next digest --send (or "
        "serve's next scheduled send) tries this week again and sends it once accepted"
    ) from None


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()
