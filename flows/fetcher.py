"""Fetching one chunk of UIDs without gaps, and turning what arrived into storable rows.

A UID is passed over only when the server says the message is gone (expunged since
SEARCH). A message the server cannot deliver is retried with backoff, on a fresh session
when the server drops the connection over it, and after the last try it is stored as a
quarantined stand-in so that the rest of the folder proceeds.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from bounceback.mail.imap import ImapReader, RawMessage, ServerDroppedError
from bounceback.nlp.mail import header_message_id
from bounceback.nlp.taxonomy import ParseStatus
from bounceback.storage import mailbox
from bounceback.storage.models import utcnow

log = logging.getLogger(__name__)

#: What fetching a chunk gave: the messages, and the UIDs that failed with the reason.
Fetched = tuple[dict[int, RawMessage], dict[int, str]]


def to_new_message(message: RawMessage, fetched_at: datetime) -> mailbox.NewMessage:
    """A storable row: the raw bytes with what recognises them again; never raises.

    Parsing (header fields, MIME tree, charsets, HTML to text, quoted history) costs
    several times the download, so the sync stores the raw bytes with status "pending",
    their Message-ID and hash (all that de-duplication needs), and the analysis step
    parses them just before classifying them (`analyse.parse_body`).
    """
    defects: tuple[str, ...] = ()
    # Without transport headers, so mail moved to another provider is recognised (issue 16).
    content_hash = mailbox.content_identity(message.raw)
    fetch_status = "full"
    if message.header_only:
        fetch_status = "oversize"
        defects = (f"body not fetched: {message.size} bytes is over the size limit",)
        content_hash = mailbox.content_identity(message.raw + b"\0size=%d" % message.size)
    return mailbox.NewMessage(
        uid=message.uid,
        header_message_id=header_message_id(message.raw),
        in_reply_to=None,
        subject="",
        from_header="",
        sender_name=None,
        sender_address=None,
        received_at=fetched_at,  # the Date header replaces it when the body is parsed
        size=message.size,
        content_hash=content_hash,
        raw=message.raw,
        body_text="",
        analysed_text="",
        html=None,
        parse_status=str(ParseStatus.PENDING),
        defects=defects,
        fetch_status=fetch_status,
        gmail_msgid=message.gmail_msgid,
    )


def quarantined_message(
    uid: int, size: int, reason: str, fetched_at: datetime, *, folder_key: str
) -> mailbox.NewMessage:
    """A stand-in row for a message that could not be fetched: flagged, never retried."""
    return mailbox.NewMessage(
        uid=uid,
        header_message_id=None,
        in_reply_to=None,
        subject="",
        from_header="",
        sender_name=None,
        sender_address=None,
        received_at=fetched_at,
        size=size,
        content_hash=hashlib.sha256(f"quarantined:{folder_key}:{uid}".encode()).hexdigest(),
        raw=b"",
        body_text="",
        analysed_text="",
        html=None,
        parse_status="failed",
        defects=(reason,),
        fetch_status="quarantined",
    )


class ChunkFetcher:
    """Fetches one chunk so that no UID is skipped unless it is gone from the server."""

    def __init__(
        self,
        reader: ImapReader,
        sizes: Mapping[int, int],
        *,
        folder_key: str,
        max_message_bytes: int,
        attempts: int = 3,
        retry_delays: Sequence[float] = (1.0, 4.0),
    ) -> None:
        self.reader = reader
        self.sizes = sizes
        self.folder_key = folder_key
        self.max_message_bytes = max_message_bytes
        self.attempts = attempts
        self.retry_delays = tuple(retry_delays)
        self.oversize = self.quarantined = self.expunged = 0

    def _too_big(self, uid: int) -> bool:
        return self.sizes.get(uid, 0) > self.max_message_bytes

    def _fetch(self, uids: Sequence[int]) -> dict[int, RawMessage]:
        small = [uid for uid in uids if not self._too_big(uid)]
        big = [uid for uid in uids if self._too_big(uid)]
        found = {m.uid: m for m in self.reader.fetch_chunk(small)}
        for message in self.reader.fetch_chunk(big, headers_only=True):
            found[message.uid] = replace(message, size=self.sizes.get(message.uid, message.size))
        return found

    def _fetch_one_by_one(
        self, chunk: Sequence[int]
    ) -> tuple[dict[int, RawMessage], dict[int, str]]:
        """After the server dropped the session on a chunk: find the message it chokes on.

        Each message is fetched on its own; one that makes the server drop the session
        again is retried on a fresh session, up to the attempt limit, then quarantined.
        """
        found: dict[int, RawMessage] = {}
        failures: dict[int, str] = {}
        for uid in chunk:
            for attempt in range(1, self.attempts + 1):
                try:
                    found.update(self._fetch([uid]))
                    break
                except ServerDroppedError as exc:
                    log.warning("message UID %d: attempt %d failed (%s)", uid, attempt, exc)
                    self._pause(attempt)
                    self.reader.reconnect()
            else:
                failures[uid] = (
                    f"the server dropped the connection each of the {self.attempts} "
                    "times this message was fetched; it is quarantined and not fetched again"
                )
        return found, failures

    def _pause(self, attempt: int) -> None:
        delays = self.retry_delays
        if delays:
            time.sleep(delays[min(attempt - 1, len(delays) - 1)])

    def fetch_raw(self, chunk: Sequence[int]) -> Fetched:
        """Every UID of chunk that still exists, fetched or failed; the rest are gone."""
        failures: dict[int, str] = {}
        try:
            found = self._fetch(chunk)
        except ServerDroppedError as exc:
            log.warning("the server dropped the session while fetching a chunk: %s", exc)
            self.reader.reconnect()
            found, failures = self._fetch_one_by_one(chunk)
        missing = [uid for uid in chunk if uid not in found and uid not in failures]
        if missing:
            # Expunged since SEARCH, or the server could not deliver it: only a message
            # that is really gone may be passed over.
            alive = self.reader.existing(missing)
            self.expunged += len(missing) - len(alive)
            for uid in sorted(alive):
                message, reason = self._retry(uid)
                if message is not None:
                    found[uid] = message
                else:
                    failures[uid] = reason
        return found, failures

    def rows(self, chunk: Sequence[int], fetched: Fetched) -> list[mailbox.NewMessage]:
        """Storable rows, in UID order: parsed messages and quarantined stand-ins."""
        found, failures = fetched
        now = utcnow()
        rows = []
        for uid in chunk:
            if uid in failures:
                self.quarantined += 1
                folder = self.folder_key.rsplit("/", 1)[0]
                log.warning("folder %r UID %d quarantined: %s", folder, uid, failures[uid])
                rows.append(
                    quarantined_message(
                        uid, self.sizes.get(uid, 0), failures[uid], now, folder_key=self.folder_key
                    )
                )
            elif uid in found:
                self.oversize += found[uid].header_only
                rows.append(to_new_message(found[uid], now))
        return rows

    def _retry(self, uid: int) -> tuple[RawMessage | None, str]:
        """Fetch one message again with backoff; (message, "") or (None, why it failed)."""
        for attempt in range(1, self.attempts):
            self._pause(attempt)
            message = self._fetch([uid]).get(uid)
            if message is not None:
                return message, ""
            log.info("message UID %d: attempt %d of %d failed", uid, attempt + 1, self.attempts)
        return None, (
            f"the server did not deliver this message in {self.attempts} attempts; "
            "it is quarantined and not fetched again"
        )
