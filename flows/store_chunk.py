"""Storing one fetched chunk with its folder cursor, as one durable step.

The chunk and the cursor commit in one transaction. A chunk that cannot be stored is
stored again one message at a time, each in its own savepoint: a message that still
fails is kept as a quarantined stand-in, so one bad message never blocks a folder.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

from sqlalchemy.orm import Session, sessionmaker

from bounceback.flows import quarantine
from bounceback.storage import mailbox
from bounceback.storage.models import Folder, utcnow

log = logging.getLogger(__name__)

StepHook = Callable[[str], None]


def commit_chunk(
    sessions: sessionmaker[Session],
    folder_id: int,
    uidvalidity: int,
    rows: Sequence[mailbox.NewMessage],
    last_uid: int,
    *,
    step: StepHook | None = None,
) -> int:
    """Store rows and move the cursor to last_uid in one transaction (a durable step).

    When the chunk cannot be stored, it is stored again one message at a time: a message
    that still fails is kept as a quarantined stand-in (its bytes, no header fields) with
    the reason, and the rest of the chunk and the cursor are committed as usual.
    """
    try:
        with sessions.begin() as session:
            folder = session.get_one(Folder, folder_id)
            stored = mailbox.store_messages(
                folder, uidvalidity, rows, last_uid=last_uid, session=session
            )
    except Exception as exc:
        if not rows or not quarantine.caused_by_message(exc):
            raise
        stored = _commit_one_by_one(sessions, folder_id, uidvalidity, rows, last_uid)
    if step is not None:
        step("stored")
    return stored


def _commit_one_by_one(
    sessions: sessionmaker[Session],
    folder_id: int,
    uidvalidity: int,
    rows: Sequence[mailbox.NewMessage],
    last_uid: int,
) -> int:
    """Store each row in its own savepoint; one that fails is stored quarantined instead."""
    stored = 0
    with sessions.begin() as session:
        folder = session.get_one(Folder, folder_id)
        name = folder.name
        for row in rows:
            try:
                with session.begin_nested():
                    stored += mailbox.store_messages(
                        folder, uidvalidity, [row], last_uid=last_uid, session=session
                    )
                continue
            except Exception as exc:
                if not quarantine.caused_by_message(exc):
                    raise
                reason = quarantine.reason_for(exc)
            session.refresh(folder)
            log.warning("%s", quarantine.describe(name, row.uid, "storing it", reason))
            stored += mailbox.store_messages(
                folder,
                uidvalidity,
                [quarantined_stand_in(row, reason)],
                last_uid=last_uid,
                session=session,
            )
    return stored


def quarantined_stand_in(row: mailbox.NewMessage, reason: str) -> mailbox.NewMessage:
    """What is kept of a message that could not be stored: its bytes, flagged, no fields."""
    return replace(
        row,
        header_message_id=None,
        in_reply_to=None,
        subject="",
        from_header="",
        sender_name=None,
        sender_address=None,
        received_at=utcnow(),
        body_text="",
        analysed_text="",
        html=None,
        parse_status="failed",
        defects=(f"not stored as it came: {reason}",),
        quarantine_reason=f"storing it failed: {reason}",
    )
