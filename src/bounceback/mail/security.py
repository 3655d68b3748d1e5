"""Connection security shared by the IMAP and SMTP adapters: verified TLS, and no
unencrypted connection except to this machine when asked for explicitly."""

from __future__ import annotations

import ipaddress
import ssl

from bounceback.errors import ConfigError

SECURITY_MODES = ("ssl", "starttls", "none")


def is_loopback(host: str) -> bool:
    """True if host names this machine (127.0.0.0/8, ::1 or localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_security(host: str, security: str, allow_insecure_loopback: bool) -> None:
    """Refuse unencrypted connections except to loopback with the explicit flag."""
    if security not in SECURITY_MODES:
        raise ConfigError(f"security must be one of {', '.join(SECURITY_MODES)}, not {security!r}")
    if security == "none" and not (allow_insecure_loopback and is_loopback(host)):
        raise ConfigError(
            f"refusing an unencrypted connection to {host}: use ssl or starttls "
            "(security 'none' is only for a loopback host with --allow-insecure-loopback)"
        )


def tls_context() -> ssl.SSLContext:
    """A verifying TLS context (imaplib and smtplib do not verify by default)."""
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
