"""Connecting an account: verify IMAP and SMTP with the real servers before saving anything."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bounceback.errors import ConfigError
from bounceback.mail.imap import ImapEndpoint, ImapReader
from bounceback.mail.smtp import SmtpEndpoint, verify
from bounceback.storage import accounts


@dataclass(frozen=True, slots=True)
class ConnectRequest:
    """Everything `bounceback connect` needs except the secret itself."""

    address: str
    imap: ImapEndpoint
    smtp: SmtpEndpoint
    secret_ref: str
    digest_to: str
    folders: tuple[str, ...] = ("INBOX",)
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class ConnectResult:
    """What verification found."""

    folders_available: tuple[str, ...]
    smtp_auth: bool


def connect_account(
    request: ConnectRequest, password: str, *, sessions: sessionmaker[Session]
) -> ConnectResult:
    """Log in to IMAP, check the folders, check SMTP; only then save the account."""
    with ImapReader(request.imap, password) as reader:
        available = tuple(reader.folders())
        for folder in request.folders:
            if folder not in available and folder.upper() != "INBOX":
                raise ConfigError(
                    f"the mailbox has no folder {folder!r}; available: {', '.join(available)}"
                )
            reader.examine(folder)
    smtp_auth = verify(request.smtp, password)
    fields = {
        "address": request.address,
        "username": request.imap.username,
        "imap_host": request.imap.host,
        "imap_port": request.imap.port,
        "imap_security": request.imap.security,
        "smtp_host": request.smtp.host,
        "smtp_port": request.smtp.port,
        "smtp_security": request.smtp.security,
        "smtp_auth": smtp_auth,
        "secret_ref": request.secret_ref,
        "digest_to": request.digest_to,
        "timezone": request.timezone,
        "allow_insecure_loopback": request.imap.allow_insecure_loopback,
    }
    with sessions.begin() as session:
        accounts.save_account(fields, request.folders, session=session)
    return ConnectResult(available, smtp_auth)
