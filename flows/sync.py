"""Polling logic without Prefect: fetch new mail by UID, store it with its cursor.

Each chunk of UIDs is fetched and committed, raw, together with the folder's cursor (the
mail is parsed later, by the analysis step, from the stored bytes), so
a run killed at any point resumes where the last commit left off: nothing is lost (the
cursor never passes a message that was not stored) and nothing is stored twice (a
replayed chunk is recognised by UID, and by Message-ID plus content hash after a
UIDVALIDITY change).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from bounceback.errors import UnstableMailboxError
from bounceback.flows import hooks, quarantine
from bounceback.flows.fetcher import ChunkFetcher, to_new_message
from bounceback.mail.imap import FolderState, ImapReader
from bounceback.mail.providers import is_gmail_host
from bounceback.settings import Settings
from bounceback.storage import mailbox
from bounceback.storage.models import Folder, utcnow

__all__ = [
    "FolderSyncReport",
    "SyncOptions",
    "sync_folder",
    "sync_warnings",
    "to_new_message",  # kept here for callers that build rows from raw mail
]

log = logging.getLogger(__name__)

#: Gmail suspends IMAP for a day after 2,500 MB of downloads
#: (https://support.google.com/a/answer/1071518); stay well below it.
GMAIL_DAILY_DOWNLOAD_BYTES = 2000 * 1024 * 1024
#: Messages up to this size are fetched without reading their size first.
SMALL_MESSAGE_BYTES = 64 * 1024

Progress = Callable[[str, int, int], None]
StepHook = Callable[[str], None]


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


@dataclass(frozen=True, slots=True)
class FolderSyncReport:
    """What one poll of one folder did."""

    folder: str
    new_messages: int
    uidvalidity_changed: bool
    oversize: int = 0
    quarantined: int = 0
    expunged: int = 0
    #: The daily download cap was reached: the rest is fetched on a later day.
    capped: bool = False
    #: Gmail: messages not downloaded because they are stored under another label.
    already_stored: int = 0


@dataclass(frozen=True, slots=True)
class _Examined:
    """A folder as EXAMINE found it, beside what was stored of it."""

    name: str
    account_id: int
    state: FolderState
    last_uid: int
    changed: bool  # UIDVALIDITY differs from the stored one

    def up_to_date(self) -> bool:
        """Nothing new, as EXAMINE already says: no SEARCH, so the cost stays flat."""
        nothing = self.state.exists == 0
        return nothing or (
            self.state.uidnext is not None and self.state.uidnext <= self.last_uid + 1
        )


def _examine(
    reader: ImapReader,
    folder_id: int,
    options: SyncOptions,
    *,
    sessions: sessionmaker[Session],
) -> _Examined:
    """EXAMINE the folder, note its UIDVALIDITY, and refuse one that resets on every poll."""
    with sessions.begin() as session:
        folder = session.get_one(Folder, folder_id)
        name, known_validity, account_id = folder.name, folder.uidvalidity, folder.account_id
    state = reader.examine(name)
    with sessions.begin() as session:
        folder = session.get_one(Folder, folder_id)
        changes = mailbox.note_uidvalidity(folder, state.uidvalidity, session=session)
        last_uid = folder.last_uid
    changed = known_validity is not None and known_validity != state.uidvalidity
    if changed:
        log.warning(
            "UIDVALIDITY of folder %r changed (%s -> %s): re-reading it from the start; "
            "messages already stored are recognised and not stored twice",
            name,
            known_validity,
            state.uidvalidity,
        )
    if changes >= options.max_uidvalidity_changes:
        raise UnstableMailboxError(
            f"the folder {name!r} got a new UIDVALIDITY on each of the last {changes} polls, "
            "so bounceback cannot track it; ask the mail provider why its UIDs keep resetting, "
            "or stop watching this folder"
        )
    return _Examined(name, account_id, state, last_uid, changed)


def _gmail_known(
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


def sync_folder(
    reader: ImapReader,
    folder_id: int,
    *,
    sessions: sessionmaker[Session],
    chunk_size: int | None = None,
    options: SyncOptions | None = None,
    on_step: StepHook | None = None,
    progress: Progress | None = None,
) -> FolderSyncReport:
    """Store every message above the folder's cursor, one transaction per chunk."""
    options = options or SyncOptions()
    if chunk_size is not None:
        options = replace(options, chunk_size=chunk_size)
    step = on_step or hooks.durable_step
    seen = _examine(reader, folder_id, options, sessions=sessions)
    step("examined")
    name, state, changed = seen.name, seen.state, seen.changed
    if seen.up_to_date():
        return FolderSyncReport(name, 0, changed)
    uids = reader.uids_after(seen.last_uid, options.since)
    step("listed")
    if not uids:
        if state.uidnext is not None:
            _commit(sessions, folder_id, state.uidvalidity, [], state.uidnext - 1)
        return FolderSyncReport(name, 0, changed)
    listed_last = max(uids)
    already: set[int] = set()
    if reader.gmail:
        sizes, already = _gmail_known(reader, uids, seen.account_id, sessions=sessions)
        uids = [uid for uid in uids if uid not in already]
        if not uids:
            _commit(sessions, folder_id, state.uidvalidity, [], listed_last, step=step)
            return FolderSyncReport(name, 0, changed, already_stored=len(already))
    else:
        sizes = _known_sizes(reader, uids, seen.last_uid, options)
    fetcher = ChunkFetcher(
        reader,
        sizes,
        folder_key=f"{name}/{state.uidvalidity}",
        max_message_bytes=options.max_message_bytes,
        attempts=options.attempts,
        retry_delays=options.retry_delays,
    )
    chunks = _chunks(uids, sizes, options)
    allowed = _within_daily_cap(chunks, sizes, options, seen.account_id, sessions=sessions)
    capped = len(allowed) < len(chunks)
    if capped:
        log.warning(
            "folder %r: the daily download limit is reached; %d messages wait for tomorrow",
            name,
            sum(len(chunk) for chunk in chunks[len(allowed) :]),
        )
    if not allowed:
        return FolderSyncReport(name, 0, changed, capped=True)
    stored = _fetch_and_store(
        fetcher, allowed, folder_id, state.uidvalidity,
        sessions=sessions, step=step, progress=(progress, name, len(uids)),
    )  # fmt: skip
    if not capped and listed_last > max(uids):
        # Trailing messages stored under another label: the cursor passes them too.
        _commit(sessions, folder_id, state.uidvalidity, [], listed_last, step=step)
    return FolderSyncReport(
        name,
        stored,
        changed,
        oversize=fetcher.oversize,
        quarantined=fetcher.quarantined,
        expunged=fetcher.expunged,
        capped=capped,
        already_stored=len(already),
    )


def _fetch_and_store(
    fetcher: ChunkFetcher,
    chunks: Sequence[Sequence[int]],
    folder_id: int,
    uidvalidity: int,
    *,
    sessions: sessionmaker[Session],
    step: StepHook,
    progress: tuple[Progress | None, str, int],
) -> int:
    """Download and commit the chunks in UID order; the number of messages stored.

    Three stages overlap: the next chunk is fetched while this one's Message-IDs and
    hashes are read and the previous one is committed. The IMAP thread mostly waits on
    the socket and SQLite releases the GIL while it writes, so on two cores the sync
    costs little more than the download. Commits stay in UID order, one at a time, each
    with its cursor.
    """
    report, name, total = progress
    stored = done = 0
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="imap-prefetch") as prefetch,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer") as writer,
    ):
        pending = prefetch.submit(fetcher.fetch_raw, chunks[0])
        writing: Future[int] | None = None
        writing_count = 0
        for number, chunk in enumerate(chunks):
            fetched = pending.result()
            if number + 1 < len(chunks):
                pending = prefetch.submit(fetcher.fetch_raw, chunks[number + 1])
            rows = fetcher.rows(chunk, fetched)
            step("fetched")
            if writing is not None:
                stored += writing.result()  # a failed commit stops the run here
                done += writing_count
                _report_progress(report, name, done, total)
            writing = writer.submit(
                _commit, sessions, folder_id, uidvalidity, rows, max(chunk), step=step
            )
            writing_count = len(chunk)
        if writing is not None:
            stored += writing.result()
            done += writing_count
            _report_progress(report, name, done, total)
    return stored


def _known_sizes(
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


def _report_progress(progress: Progress | None, name: str, done: int, total: int) -> None:
    if progress is not None:
        progress(name, done, total)
    hooks.progress(name, done, total)


def _chunks(
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


def sync_warnings(report: FolderSyncReport) -> list[str]:
    """What the user should hear about a folder's poll, one sentence each."""
    warnings = []
    if report.uidvalidity_changed:
        warnings.append(
            "the server renumbered this folder (new UIDVALIDITY); it was read again and "
            "messages already stored were recognised, not stored twice"
        )
    if report.quarantined:
        warnings.append(
            f"{report.quarantined} message(s) could not be fetched after repeated tries and "
            "are stored as quarantined (without their body); they are not fetched again"
        )
    if report.oversize:
        warnings.append(
            f"{report.oversize} message(s) over the size limit were stored with headers only"
        )
    if report.capped:
        warnings.append("the daily download limit was reached; the rest follows tomorrow")
    return warnings


def _within_daily_cap(
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


def _commit(
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
