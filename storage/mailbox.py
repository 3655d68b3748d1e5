"""Stored mail and folder cursors: what the sync writes and the parse step fills in.

Each function takes `*, session` and never commits: callers own transactions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnDefault, func, insert, select, update
from sqlalchemy.orm import Session

from bounceback.storage.columns import fit_key
from bounceback.storage.models import (
    Account,
    Folder,
    Message,
    utcnow,
)

#: The length of messages.header_message_id.
MESSAGE_ID_LIMIT = 998


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A fetched and parsed message, ready to store."""

    uid: int
    header_message_id: str | None
    in_reply_to: str | None
    subject: str
    from_header: str
    sender_name: str | None
    sender_address: str | None
    received_at: datetime
    size: int
    content_hash: str
    raw: bytes
    body_text: str
    analysed_text: str
    html: str | None
    parse_status: str
    defects: tuple[str, ...]
    fetch_status: str = "full"  # or "oversize" / "quarantined": stored without a body
    #: Gmail's X-GM-MSGID, the same under every label; None on other servers.
    gmail_msgid: int | None = None
    #: Why the message could not be stored as it came (it is kept, flagged, never analysed).
    quarantine_reason: str | None = None


#: Header fields a server or a migration adds or rewrites on the way (issue 16): the same
#: message arrives with more of them after a provider move, so identity leaves them out.
TRANSPORT_FIELDS = frozenset(
    {
        b"received",
        b"received-spf",
        b"return-path",
        b"delivered-to",
        b"envelope-to",
        b"x-original-to",
        b"dkim-signature",
        b"domainkey-signature",
        b"authentication-results",
        b"original-recipient",
        b"status",
        b"content-length",
        b"lines",
    }
)
_TRANSPORT_PREFIXES = (b"x-", b"arc-")


def content_identity(raw: bytes) -> str:
    """The SHA-256 that recognises a message again, wherever and however it was delivered.

    Computed over the message without its transport header fields (Received, DKIM and
    ARC signatures, Authentication-Results, any X- field), with line endings and trailing
    blank lines made uniform, so mail moved between providers or re-appended by a
    migration tool is the same message. Pure and cheap: no MIME parsing.
    """
    text = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    head, sep, body = text.partition(b"\n\n")
    kept: list[bytes] = []
    keep = True
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t"):  # a folded continuation belongs to the field above
            if keep:
                kept.append(line)
            continue
        name = line.split(b":", 1)[0].strip().lower()
        keep = name not in TRANSPORT_FIELDS and not name.startswith(_TRANSPORT_PREFIXES)
        if keep:
            kept.append(line)
    digest = hashlib.sha256(b"\n".join(kept))
    digest.update(sep)
    digest.update(body.rstrip(b"\n"))
    return digest.hexdigest()


def folder_for(account: Account, name: str, *, session: Session) -> Folder:
    """The folder row for name, created when missing."""
    folder = session.scalar(
        select(Folder).where(Folder.account_id == account.id, Folder.name == name)
    )
    if folder is None:
        folder = Folder(account_id=account.id, name=name, last_uid=0)
        session.add(folder)
        session.flush()
    return folder


def list_folders(account_id: int, *, session: Session) -> list[Folder]:
    """The account's folders in the order they were added."""
    return list(
        session.scalars(select(Folder).where(Folder.account_id == account_id).order_by(Folder.id))
    )


def reset_folder(folder: Folder, uidvalidity: int, *, session: Session) -> None:
    """Start a folder over after its UIDVALIDITY changed (stored messages are kept)."""
    folder.uidvalidity = uidvalidity
    folder.last_uid = 0
    session.flush()


def note_uidvalidity(folder: Folder, uidvalidity: int, *, session: Session) -> int:
    """Record the UIDVALIDITY a poll found; how many polls in a row found a new one.

    A change restarts the folder's cursor (stored messages are kept and recognised
    again by Message-ID and content hash); an unchanged value resets the count.
    """
    if folder.uidvalidity is None or folder.uidvalidity == uidvalidity:
        folder.uidvalidity = uidvalidity
        folder.uidvalidity_changes = 0
    else:
        reset_folder(folder, uidvalidity, session=session)
        folder.uidvalidity_changes = (folder.uidvalidity_changes or 0) + 1
    folder.last_synced_at = utcnow()
    session.flush()
    return folder.uidvalidity_changes


def bytes_fetched_since(account_id: int, since: datetime, *, session: Session) -> int:
    """Bytes of mail the account downloaded since a moment (for a provider's daily cap)."""
    total = session.scalar(
        select(func.coalesce(func.sum(Message.size), 0)).where(
            Message.account_id == account_id,
            Message.fetched_at >= since,
            Message.fetch_status == "full",
        )
    )
    return int(total or 0)


@dataclass(slots=True)
class _Seen:
    """What the account already holds, as the batch's UIDs, identities and Gmail ids."""

    uids: set[int]
    identities: set[tuple[str | None, str]]
    gmail_msgids: set[int | None]

    def holds(self, item: NewMessage, identity: tuple[str | None, str]) -> bool:
        if item.uid in self.uids or identity in self.identities:
            return True
        return item.gmail_msgid is not None and item.gmail_msgid in self.gmail_msgids

    def add(self, item: NewMessage, identity: tuple[str | None, str]) -> None:
        self.uids.add(item.uid)
        self.identities.add(identity)
        self.gmail_msgids.add(item.gmail_msgid)


def _seen(
    folder: Folder, uidvalidity: int, batch: Sequence[NewMessage], *, session: Session
) -> _Seen:
    """Look up, in three queries, which of the batch's messages are stored already."""
    uids = [item.uid for item in batch]
    existing: set[int] = set()
    if uids:
        existing = set(
            session.scalars(
                select(Message.uid).where(
                    Message.folder_id == folder.id,
                    Message.uidvalidity == uidvalidity,
                    Message.uid.in_(uids),
                )
            )
        )
    # The same mail seen again under another UID (UIDVALIDITY reset, or another folder)
    # is recognised by Message-ID plus content hash and not stored twice; mail without a
    # Message-ID by its content hash alone.
    hashes = list({item.content_hash for item in batch})
    known: set[tuple[str | None, str]] = set()
    if hashes:
        known = {
            (row[0], row[1])
            for row in session.execute(
                select(Message.header_message_id, Message.content_hash).where(
                    Message.account_id == folder.account_id,
                    Message.content_hash.in_(hashes),
                )
            )
        }
    # On Gmail, labels are folders: one message appears under several of them, sometimes
    # with slightly different bytes, but always with the same X-GM-MSGID.
    msgids = {item.gmail_msgid for item in batch if item.gmail_msgid is not None}
    known_msgids: set[int | None] = set()
    if msgids:
        known_msgids = set(
            session.scalars(
                select(Message.gmail_msgid).where(
                    Message.account_id == folder.account_id,
                    Message.gmail_msgid.in_(msgids),
                )
            )
        )
    return _Seen(existing, known, known_msgids)


def _message_row(folder: Folder, uidvalidity: int, item: NewMessage) -> dict[str, Any]:
    """The messages row for one fetched message."""
    return {
        "account_id": folder.account_id,
        "folder_id": folder.id,
        "uidvalidity": uidvalidity,
        "uid": item.uid,
        "header_message_id": item.header_message_id,
        "in_reply_to": item.in_reply_to,
        "subject": item.subject,
        "from_header": item.from_header,
        "sender_name": item.sender_name,
        "sender_address": item.sender_address,
        "received_at": item.received_at,
        "size": item.size,
        "content_hash": item.content_hash,
        "raw": item.raw,
        "body_text": item.body_text,
        "analysed_text": item.analysed_text,
        "html": item.html,
        "parse_status": item.parse_status,
        "defects": list(item.defects),
        "fetch_status": item.fetch_status,
        "gmail_msgid": item.gmail_msgid,
        "quarantine_reason": item.quarantine_reason,
        "quarantined_at": utcnow() if item.quarantine_reason else None,
    }


def store_messages(
    folder: Folder,
    uidvalidity: int,
    batch: Sequence[NewMessage],
    *,
    last_uid: int,
    session: Session,
) -> int:
    """Insert the batch's new messages and advance the cursor in the same transaction.

    Returns how many rows were inserted; UIDs already stored are skipped, so a batch
    replayed after a crash stores nothing twice, and so is mail already stored for the
    account under another folder (same Gmail X-GM-MSGID, or Message-ID and content hash).
    """
    seen = _seen(folder, uidvalidity, batch, session=session)
    rows: list[dict[str, Any]] = []
    for item in batch:
        # Compared as stored: a Message-ID too long for its column is kept as its hash.
        identity = (fit_key(item.header_message_id, MESSAGE_ID_LIMIT), item.content_hash)
        if seen.holds(item, identity):
            continue
        seen.add(item, identity)
        rows.append(_message_row(folder, uidvalidity, item))
    if rows:
        _insert_messages(session, rows)
    folder.uidvalidity = uidvalidity
    folder.last_uid = max(folder.last_uid, last_uid)
    folder.last_synced_at = utcnow()
    session.flush()
    return len(rows)


def _insert_messages(session: Session, rows: list[dict[str, Any]]) -> None:
    """One executemany for the batch: the ORM's per-object unit of work costs more than
    fetching the mail (see benchmarks/sync_bench.py).

    On SQLite the rows go to the driver with each column's own bind processor applied
    once, skipping the per-row parameter assembly of a Core insert, which is the largest
    cost of a first sync after the download.
    """
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        connection.execute(insert(Message.__table__), rows)
        return
    table = Message.__table__
    keys = list(rows[0])
    # Client-side column defaults (fetched_at, ...) that a Core insert would have filled in.
    defaults: dict[str, Any] = {}
    for column in table.c:
        default = column.default
        if column.key in keys or default is None or not isinstance(default, ColumnDefault):
            continue
        defaults[column.key] = default.arg(None) if default.is_callable else default.arg
    keys += list(defaults)
    processors = [table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in keys]
    statement = (
        f"INSERT INTO {table.name} ({', '.join(keys)}) VALUES ({', '.join('?' for _ in keys)})"
    )
    values = [
        tuple(
            value if process is None or value is None else process(value)
            for value, process in zip(
                [*(row[key] for key in rows[0]), *defaults.values()], processors, strict=True
            )
        )
        for row in rows
    ]
    connection.exec_driver_sql(statement, values)


def known_gmail_ids(account_id: int, gmail_ids: Iterable[int], *, session: Session) -> set[int]:
    """Which of these X-GM-MSGIDs the account already has stored (under any label)."""
    wanted = sorted(set(gmail_ids))
    known: set[int] = set()
    for start in range(0, len(wanted), 5000):  # within every database's parameter limit
        known.update(
            session.scalars(
                select(Message.gmail_msgid).where(
                    Message.account_id == account_id,
                    Message.gmail_msgid.in_(wanted[start : start + 5000]),
                )
            )
        )
    return known


@dataclass(frozen=True, slots=True)
class PendingBody:
    """A stored message whose raw bytes still wait to be parsed."""

    id: int
    raw: bytes
    defects: tuple[str, ...]
    received_at: datetime


def messages_to_parse(account_id: int, limit: int, *, session: Session) -> list[PendingBody]:
    """Messages of the account the sync stored whose body is not parsed yet, oldest first."""
    query = (
        select(Message.id, Message.raw, Message.defects, Message.received_at)
        .where(
            Message.account_id == account_id,
            Message.parse_status == "pending",
            Message.quarantine_reason.is_(None),
        )
        .order_by(Message.id)
        .limit(limit)
    )
    return [
        PendingBody(row.id, row.raw, tuple(row.defects or ()), row.received_at)
        for row in session.execute(query)
    ]


def save_parsed(values: Sequence[dict[str, Any]], *, session: Session) -> None:
    """Write parsed fields back by primary key ("id" in each dict), as one executemany."""
    if values:
        session.execute(update(Message), list(values))


def quarantine_message(message_id: int, reason: str, *, session: Session) -> None:
    """Flag a stored message that could not be parsed or analysed: it is never tried again."""
    session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(quarantine_reason=reason, quarantined_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def where_stored(message_id: int, *, session: Session) -> tuple[str, int]:
    """The folder name and UID of a stored message, to name it without its content."""
    row = session.execute(
        select(Folder.name, Message.uid)
        .join(Message, Message.folder_id == Folder.id)
        .where(Message.id == message_id)
    ).one()
    return row[0], int(row[1])
