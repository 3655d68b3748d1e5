"""One base exception; each subclass says what went wrong and what to do next."""

from __future__ import annotations


class BouncebackError(Exception):
    """An error the user can act on; str(error) is one sentence for stderr."""


class ConfigError(BouncebackError):
    """Settings or arguments are missing or contradictory."""


class SecretError(BouncebackError):
    """The account's secret could not be read from where it is kept."""


class MailServerError(BouncebackError):
    """A mail server could not be reached or talked to (transient: worth retrying)."""


class AuthenticationError(BouncebackError):
    """The server refused the credentials (never retried)."""


class NotFoundError(BouncebackError):
    """An account or other record the user named does not exist."""


class UnstableMailboxError(BouncebackError):
    """A folder's UIDVALIDITY changed on poll after poll: re-reading it would never end."""
