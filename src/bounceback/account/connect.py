"""Connecting an account: verify IMAP and SMTP with the real servers before saving anything."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bounceback.errors import ConfigError
from bounceback.mail.imap import ImapEndpoint, ImapReader
from bounceback.mail.providers import preset_for
from bounceback.mail.security import check_security
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


@dataclass(frozen=True, slots=True)
class ServerChoice:
    """What the user said about one server; None means "from the provider preset"."""

    host: str | None = None
    port: int | None = None
    security: str | None = None


_DEFAULT_PORTS = {
    ("imap", "ssl"): 993,
    ("imap", "starttls"): 143,
    ("imap", "none"): 143,
    ("smtp", "ssl"): 465,
    ("smtp", "starttls"): 587,
    ("smtp", "none"): 25,
}
_ADDRESS = re.compile(r"[^@\s<>()\[\]\\,;:\"]+@[^@\s<>()\[\]\\,;:\"]+\.[^@\s<>()\[\]\\,;:\"]+")


def check_address(address: str, what: str = "email address") -> str:
    """The address, lower-cased, if it looks like one; ConfigError naming it otherwise."""
    if not _ADDRESS.fullmatch(address.strip()):
        raise ConfigError(f"{address!r} is not an {what}; give one like you@example.com")
    return address.strip().lower()


def _server(
    kind: str, choice: ServerChoice, preset_fields: tuple[str, int, str] | None
) -> tuple[str, int, str]:
    """Host, port and security of one server: the user's choice over the preset."""
    use_preset = preset_fields is not None and choice.host is None
    security = choice.security or (preset_fields[2] if use_preset and preset_fields else "ssl")
    host = choice.host or (preset_fields[0] if preset_fields else "")
    port = choice.port or (
        preset_fields[1] if use_preset and preset_fields else _DEFAULT_PORTS[(kind, security)]
    )
    if not 0 < port < 65536:
        raise ConfigError(f"{port} is not a port number; give one between 1 and 65535")
    return host, port, security


def endpoints_for(
    address: str,
    imap: ServerChoice,
    smtp: ServerChoice,
    *,
    username: str | None = None,
    allow_insecure_loopback: bool = False,
) -> tuple[ImapEndpoint, SmtpEndpoint]:
    """The IMAP and SMTP endpoints for an address: its provider's preset, or what was given."""
    preset = preset_for(address)
    imap_preset = (preset.imap_host, preset.imap_port, preset.imap_security) if preset else None
    smtp_preset = (preset.smtp_host, preset.smtp_port, preset.smtp_security) if preset else None
    if imap.host is None and preset is None:
        raise ConfigError(
            f"bounceback has no settings for {address.rpartition('@')[2]}; "
            "give --imap-host and --smtp-host (and their ports and security)"
        )
    imap_host, imap_port, imap_security = _server("imap", imap, imap_preset)
    smtp_fields = _server("smtp", smtp, smtp_preset)
    smtp_host = smtp_fields[0] or imap_host
    login = username or address
    for host, security in ((imap_host, imap_security), (smtp_host, smtp_fields[2])):
        check_security(host, security, allow_insecure_loopback)
    return (
        ImapEndpoint(imap_host, imap_port, imap_security, login, allow_insecure_loopback),
        SmtpEndpoint(smtp_host, smtp_fields[1], smtp_fields[2], login, allow_insecure_loopback),
    )
