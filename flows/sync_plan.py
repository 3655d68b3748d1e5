"""What a folder sync downloads: its options, the sizes it reads, how it cuts chunks,
and how much of today's download allowance (Gmail's daily cap) is left.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from bounceback.mail.imap import ImapReader
from bounceback.mail.providers import is_gmail_host
from bounceback.settings import Settings
from bounceback.storage import mailbox
from bounceback.storage.models import utcnow

#: Gmail suspends IMAP for a day after 2,500 MB of downloads
#: (https://support.google.com/a/answer/1071518); stay well below it.
GMAIL_DAILY_DOWNLOAD_BYTES = 2000 * 1024 * 1024
#: Messages up to this size are fetched without reading their size first.
SMALL_MESSAGE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class SyncOptions:
    """How a folder is synced; built once at the edge."""

    #: Messages per fetch and per transaction (fewer, larger commits are cheaper)...
    chunk_size: int = 250
    #: ...and at most this many bytes of mail per chunk, so memory stays bounded.
    chunk_bytes: int = 16 * 1024 * 1024
    #: Bodies above this are not fetched: the message is stored with its header only.
    max_message_bytes: int = 25 * 1024 * 1024
    #: Only mail received on or after this day (bounds a first sync of a big mailbox).
    since: date | None = None
    #: Tries per message before it is quarantined (stored flagged, never fetched again).
    attempts: int = 3
    retry_delays: tuple[float, ...] = (1.0, 4.0)
    #: Polls in a row with a new UIDVALIDITY before the folder is given up on.
    max_uidvalidity_changes: int = 3
    #: Bytes an account may download per UTC day (Gmail's limit); the rest waits a day.
    daily_download_bytes: int | None = None

    @classmethod
    def for_account(
        cls, settings: Settings, host: str | None = None, *, since: date | None = None
    ) -> SyncOptions:
        """The options for one account: the settings' limits, Gmail's daily download cap."""
        cap = settings.daily_download_mb
        daily = int(cap * 1024 * 1024) if cap is not None else None
        if daily is None and host is not None and is_gmail_host(host):
            daily = GMAIL_DAILY_DOWNLOAD_BYTES
        return cls(
            chunk_size=settings.fetch_chunk,
            max_message_bytes=int(settings.max_message_mb * 1024 * 1024),
            since=since,
            daily_download_bytes=daily,
        )


def gmail_known(
    reader: ImapReader, uids: list[int], account_id: int, *, sessions: sessionmaker[Session]
) -> tuple[dict[int, int], set[int]]:
    """Sizes, and the UIDs of messages already stored under another Gmail label.

    Labels are folders on Gmail: a message stored under another label is not downloaded
    again (it counts against the daily download limit).
    """
    sizes, gmail_ids = reader.sizes_and_gmail_ids(uids)
    with sessions.begin() as session:
        known = mailbox.known_gmail_ids(account_id, gmail_ids.values(), session=session)
    return sizes, {uid for uid, gmail_id in gmail_ids.items() if gmail_id in known}


def known_sizes(
    reader: ImapReader, uids: Sequence[int], last_uid: int, options: SyncOptions
) -> dict[int, int]:
    """RFC822.SIZE of every UID that may be big; UIDs left out are at most SMALL_MESSAGE_BYTES
    (and within the size limit).

    Reading 10,000 sizes costs a tenth of a second of a first sync, so without a daily
    download cap (which needs them all) the server is asked which messages are large
    (UID SEARCH LARGER) and only those sizes are read. The rest learn their size from the
    body fetch.
    """
    if options.daily_download_bytes is None:
        large = reader.uids_larger(last_uid, min(SMALL_MESSAGE_BYTES, options.max_message_bytes))
        if large is not None:
            wanted = set(uids)
            return reader.sizes([uid for uid in large if uid in wanted])
    return reader.sizes(uids)


def chunks_of(
    uids: Sequence[int], sizes: Mapping[int, int], options: SyncOptions
) -> list[Sequence[int]]:
    """UIDs in fetch order, cut at chunk_size messages or chunk_bytes of mail."""
    chunks: list[Sequence[int]] = []
    current: list[int] = []
    weight = 0
    for uid in uids:
        size = sizes.get(uid, SMALL_MESSAGE_BYTES)
        size = size if size <= options.max_message_bytes else 0  # oversize: header only
        if current and (len(current) >= options.chunk_size or weight + size > options.chunk_bytes):
            chunks.append(current)
            current, weight = [], 0
        current.append(uid)
        weight += size
    if current:
        chunks.append(current)
    return chunks


def within_daily_cap(
    chunks: list[Sequence[int]],
    sizes: Mapping[int, int],
    options: SyncOptions,
    account_id: int,
    *,
    sessions: sessionmaker[Session],
) -> list[Sequence[int]]:
    """The leading chunks that fit in what is left of today's download allowance."""
    if options.daily_download_bytes is None:
        return chunks
    midnight = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    with sessions.begin() as session:
        left = options.daily_download_bytes - mailbox.bytes_fetched_since(
            account_id, midnight, session=session
        )
    allowed: list[Sequence[int]] = []
    for chunk in chunks:
        left -= sum(min(sizes.get(uid, 0), options.max_message_bytes) for uid in chunk)
        if left < 0:
            break
        allowed.append(chunk)
    return allowed
