"""Poison mail: which failures a single message can cause, and how they are named.

A message that cannot be stored as it came, parsed or analysed is quarantined (flagged
with a one-line reason, never tried again) so that the rest of the batch and every later
poll go on. Only failures that one message's values can cause are treated so; a lost
connection, a locked database or a lost lease still fail the run.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError, StatementError

from bounceback.errors import BouncebackError

#: Longest reason kept: enough for the database's or parser's one-line message.
REASON_CHARS = 160


def caused_by_message(error: BaseException) -> bool:
    """Whether one message's values may be to blame (so it is quarantined, not retried)."""
    if isinstance(error, BouncebackError | DisconnectionError | OperationalError):
        return False  # the lease, the connection or the server: the run fails instead
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return False
    return isinstance(error, Exception)


def reason_for(error: BaseException) -> str:
    """One line naming the failure: its type and the first line of its message, no values.

    SQLAlchemy appends the statement and its parameters (the mail's content) to its
    messages; only the driver's own first line is kept.
    """
    cause = error.orig if isinstance(error, StatementError) and error.orig else error
    first = next((line.strip() for line in str(cause).splitlines() if line.strip()), "")
    if len(first) > REASON_CHARS:
        first = first[: REASON_CHARS - 1] + "…"
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__


def describe(folder: str, uid: int, stage: str, reason: str) -> str:
    """The one line a user reads about a quarantined message: where it is and what next."""
    return (
        f"folder {folder!r} UID {uid}: {stage} failed ({reason}); the message is "
        "quarantined and skipped from now on, the rest of the mailbox goes on"
    )
