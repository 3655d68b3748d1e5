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
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session, sessionmaker

from bounceback.errors import UnstableMailboxError
from bounceback.flows import hooks
from bounceback.flows.fetcher import ChunkFetcher, to_new_message
from bounceback.flows.store_chunk import StepHook, commit_chunk
from bounceback.flows.sync_plan import (
    SyncOptions,
    chunks_of,
    gmail_known,
    known_sizes,
    within_daily_cap,
)
from bounceback.mail.imap import FolderState, ImapReader
from bounceback.storage import mailbox
from bounceback.storage.models import Folder

__all__ = [
    "FolderSyncReport",
    "sync_folder",
    "sync_warnings",
    "to_new_message",  # kept here for callers that build rows from raw mail
]

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


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
            commit_chunk(sessions, folder_id, state.uidvalidity, [], state.uidnext - 1)
        return FolderSyncReport(name, 0, changed)
    listed_last = max(uids)
    wanted = _wanted(reader, uids, seen, options, sessions=sessions)
    if not wanted.uids:
        commit_chunk(sessions, folder_id, state.uidvalidity, [], listed_last, step=step)
        return FolderSyncReport(name, 0, changed, already_stored=len(wanted.already))
    return _download(
        reader, wanted, seen, folder_id, listed_last, options,
        sessions=sessions, step=step, progress=progress,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Wanted:
    """The UIDs to download, the sizes known of them, and those stored under another label."""

    uids: list[int]
    sizes: dict[int, int]
    already: set[int]


def _wanted(
    reader: ImapReader,
    uids: list[int],
    seen: _Examined,
    options: SyncOptions,
    *,
    sessions: sessionmaker[Session],
) -> _Wanted:
    """What of the listed UIDs is to be downloaded (on Gmail, not what another label holds)."""
    if reader.gmail:
        sizes, already = gmail_known(reader, uids, seen.account_id, sessions=sessions)
        return _Wanted([uid for uid in uids if uid not in already], sizes, already)
    return _Wanted(uids, known_sizes(reader, uids, seen.last_uid, options), set())


def _download(
    reader: ImapReader,
    wanted: _Wanted,
    seen: _Examined,
    folder_id: int,
    listed_last: int,
    options: SyncOptions,
    *,
    sessions: sessionmaker[Session],
    step: StepHook,
    progress: Progress | None,
) -> FolderSyncReport:
    """Fetch and store the wanted UIDs in chunks, within today's download allowance."""
    name, uidvalidity = seen.name, seen.state.uidvalidity
    fetcher = ChunkFetcher(
        reader,
        wanted.sizes,
        folder_key=f"{name}/{uidvalidity}",
        max_message_bytes=options.max_message_bytes,
        attempts=options.attempts,
        retry_delays=options.retry_delays,
    )
    chunks = chunks_of(wanted.uids, wanted.sizes, options)
    allowed = within_daily_cap(chunks, wanted.sizes, options, seen.account_id, sessions=sessions)
    capped = len(allowed) < len(chunks)
    if capped:
        log.warning(
            "folder %r: the daily download limit is reached; %d messages wait for tomorrow",
            name,
            sum(len(chunk) for chunk in chunks[len(allowed) :]),
        )
    if not allowed:
        return FolderSyncReport(name, 0, seen.changed, capped=True)
    stored = _fetch_and_store(
        fetcher, allowed, folder_id, uidvalidity,
        sessions=sessions, step=step, progress=(progress, name, len(wanted.uids)),
    )  # fmt: skip
    if not capped and listed_last > max(wanted.uids):
        # Trailing messages stored under another label: the cursor passes them too.
        commit_chunk(sessions, folder_id, uidvalidity, [], listed_last, step=step)
    return FolderSyncReport(
        name,
        stored,
        seen.changed,
        oversize=fetcher.oversize,
        quarantined=fetcher.quarantined,
        expunged=fetcher.expunged,
        capped=capped,
        already_stored=len(wanted.already),
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
                commit_chunk, sessions, folder_id, uidvalidity, rows, max(chunk), step=step
            )
            writing_count = len(chunk)
        if writing is not None:
            stored += writing.result()
            done += writing_count
            _report_progress(report, name, done, total)
    return stored


def _report_progress(progress: Progress | None, name: str, done: int, total: int) -> None:
    if progress is not None:
        progress(name, done, total)
    hooks.progress(name, done, total)


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
