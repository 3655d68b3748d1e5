"""Where an account's mail servers are: its stored settings as IMAP and SMTP endpoints."""

from __future__ import annotations

from bounceback.mail.imap import ImapEndpoint
from bounceback.mail.smtp import SmtpEndpoint
from bounceback.storage.models import Account


def imap_endpoint(account: Account) -> ImapEndpoint:
    """The IMAP endpoint stored for an account."""
    return ImapEndpoint(
        host=account.imap_host,
        port=account.imap_port,
        security=account.imap_security,
        username=account.username,
        allow_insecure_loopback=account.allow_insecure_loopback,
    )


def smtp_endpoint(account: Account) -> SmtpEndpoint:
    """Where the account's digests are submitted."""
    return SmtpEndpoint(
        host=account.smtp_host or account.imap_host,
        port=account.smtp_port or 465,
        security=account.smtp_security or "ssl",
        username=account.username,
        allow_insecure_loopback=account.allow_insecure_loopback,
    )
