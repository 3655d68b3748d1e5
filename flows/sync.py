"""Polling logic without Prefect: fetch new mail by UID, parse it, store it with its cursor."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bounceback.flows.imap import ImapReader, RawMessage
from bounceback.nlp.mail import parse_email
from bounceback.storage import queries
from bounceback.storage.models import Folder, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FolderSyncReport:
    """What one poll of one folder did."""

    folder: str
    new_messages: int
    degraded: int
    failed: int
    uidvalidity_changed: bool


def to_new_message(message: RawMessage, fetched_at: datetime) -> queries.NewMessage:
    """Parse a fetched message into a storable row; never raises."""
    parsed = parse_email(message.raw)
    return queries.NewMessage(
        uid=message.uid,
        header_message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        subject=parsed.subject,
        from_header=parsed.from_header,
        sender_name=parsed.sender_name,
        sender_address=parsed.sender_address,
        received_at=parsed.date or fetched_at,
        size=message.size,
        content_hash=hashlib.sha256(message.raw).hexdigest(),
        raw=message.raw,
        body_text=parsed.text,
        analysed_text=parsed.new_text,
        html=parsed.html,
        parse_status=str(parsed.status),
        defects=parsed.defects,
    )


def sync_folder(
    reader: ImapReader, folder_id: int, *, sessions: sessionmaker[Session], chunk_size: int = 100
) -> FolderSyncReport:
    """Store every message above the folder's cursor, one transaction per chunk."""
    with sessions.begin() as session:
        folder = session.get_one(Folder, folder_id)
        name, last_uid, known_validity = folder.name, folder.last_uid, folder.uidvalidity
    state = reader.examine(name)
    changed = known_validity is not None and known_validity != state.uidvalidity
    if changed:
        log.warning(
            "UIDVALIDITY of folder %r changed (%s -> %s): re-reading it from the start",
            name,
            known_validity,
            state.uidvalidity,
        )
        last_uid = 0
    elif state.uidnext is not None and state.uidnext <= last_uid + 1:
        # Nothing new, as EXAMINE already says: no SEARCH, so the cost stays flat.
        _touch(folder_id, state.uidvalidity, sessions=sessions)
        return FolderSyncReport(name, 0, 0, 0, False)
    _touch(folder_id, state.uidvalidity, sessions=sessions)

    uids = reader.uids_after(last_uid)
    stored = degraded = failed = 0
    for requested, messages in reader.fetch(uids, chunk_size=chunk_size):
        now = utcnow()
        rows = [to_new_message(message, now) for message in messages]
        with sessions.begin() as session:
            folder = session.get_one(Folder, folder_id)
            stored += queries.store_messages(
                folder, state.uidvalidity, rows, last_uid=max(requested), session=session
            )
        degraded += sum(row.parse_status == "degraded" for row in rows)
        failed += sum(row.parse_status == "failed" for row in rows)
    return FolderSyncReport(name, stored, degraded, failed, changed)


def _touch(folder_id: int, uidvalidity: int, *, sessions: sessionmaker[Session]) -> None:
    """Record the poll; a new UIDVALIDITY restarts the cursor (stored rows are kept)."""
    with sessions.begin() as session:
        folder = session.get_one(Folder, folder_id)
        if folder.uidvalidity != uidvalidity:
            queries.reset_folder(folder, uidvalidity, session=session)
        folder.last_synced_at = utcnow()
