"""The IMAP adapter: read-only, UID-incremental access to a mailbox through imap-tools.

Folders are opened with EXAMINE and bodies fetched with BODY.PEEK[], so polling never
changes a flag on the server. Nothing outside this module sees an imap-tools object.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import types
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from types import TracebackType
from typing import Any, Self

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import ImapToolsError, MailboxLoginError

from bounceback.errors import AuthenticationError, MailServerError
from bounceback.mail.imap_connect import ImapEndpoint, open_mailbox
from bounceback.mail.imap_wire import (
    MONTHS,
    RawMessage,
    check_read_only,
    fetch_numbers,
    parse_fetch,
    quote_folder,
    uid_set,
)
from bounceback.mail.oauth import OAuth2Token, refused
from bounceback.mail.security import check_security

log = logging.getLogger(__name__)

_CAPABILITY_CODE = re.compile(rb"\[CAPABILITY ([^\]]*)\]", re.IGNORECASE)
#: Gmail's IMAP extension (https://developers.google.com/gmail/imap/imap-extensions).
GMAIL_CAPABILITY = "X-GM-EXT-1"


@dataclass(frozen=True, slots=True)
class FolderState:
    """What EXAMINE reports about a folder."""

    name: str
    uidvalidity: int
    uidnext: int | None
    exists: int


class ImapReader:
    """A logged-in, read-only IMAP session. Use as a context manager.

    Every command goes through a guard that refuses anything but the read-only commands
    above, and is counted: `round_trips` is what a poll cost on the wire.
    """

    def __init__(self, endpoint: ImapEndpoint, password: str) -> None:
        check_security(endpoint.host, endpoint.security, endpoint.allow_insecure_loopback)
        self.endpoint = endpoint
        self._password = password
        self._box: MailBox | MailBoxStartTls | MailBoxUnencrypted | None = None
        self._folder: FolderState | None = None
        self._broken = False
        self.commands: list[str] = []
        #: The server speaks Gmail's extension: X-GM-MSGID is fetched with every message.
        self.gmail = False

    @property
    def round_trips(self) -> int:
        """Commands sent since login (each waits for its tagged answer)."""
        return len(self.commands)

    def __enter__(self) -> Self:
        endpoint = self.endpoint
        where = f"{endpoint.host}:{endpoint.port}"
        self._box = open_mailbox(endpoint)
        self._guard(self._box.client)
        oauth2 = isinstance(self._password, OAuth2Token)
        try:
            if oauth2:
                self._box.xoauth2(endpoint.username, self._password, initial_folder=None)
            else:
                self._box.login(endpoint.username, self._password, initial_folder=None)
        except MailboxLoginError:
            self._close()
            if oauth2:
                raise AuthenticationError(refused("IMAP", where, endpoint.username)) from None
            raise AuthenticationError(
                f"the IMAP server {where} refused the login for {endpoint.username}; check "
                "the user name and password (many providers need an app password)"
            ) from None
        except TimeoutError:
            self._broken = True
            self._close()
            raise ServerStalledError(
                f"the IMAP server {where} stopped answering during login "
                f"(no reply within {endpoint.timeout:g} s); try again later"
            ) from None
        except (OSError, imaplib.IMAP4.error, ImapToolsError) as exc:
            self._broken = True
            self._close()
            if oauth2 and type(exc) is imaplib.IMAP4.error:  # AUTHENTICATE answered NO
                raise AuthenticationError(refused("IMAP", where, endpoint.username)) from None
            raise MailServerError(f"login to {where} failed: {exc}") from None
        self.gmail = GMAIL_CAPABILITY in self._capabilities()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()

    def _capabilities(self) -> frozenset[str]:
        """What the server offers after login: from the login answer, else one CAPABILITY."""
        assert self._box is not None
        answer = getattr(self._box, "login_result", None)
        lines = answer[1] if isinstance(answer, tuple) and len(answer) > 1 else []
        for line in lines or []:
            found = _CAPABILITY_CODE.search(line) if isinstance(line, bytes) else None
            if found:
                return frozenset(found.group(1).decode("ascii", "replace").upper().split())
        # Capabilities may change at login (RFC 3501 7.2.1), so the greeting's are not enough.
        try:
            typ, data = self._box.client.capability()
        except (OSError, imaplib.IMAP4.abort) as exc:
            error = self._failed("asking the server for its capabilities", exc)
            self._close()
            raise error from None
        except imaplib.IMAP4.error:
            return frozenset(self._box.client.capabilities)
        words = b" ".join(d for d in data if isinstance(d, bytes)) if typ == "OK" else b""
        return frozenset(words.decode("ascii", "replace").upper().split())

    def _guard(self, client: imaplib.IMAP4) -> None:
        """Route every command of client through the read-only check and the counter."""
        send = client._command  # type: ignore[attr-defined]  # imaplib's one way out
        commands = self.commands

        def guarded(_client: imaplib.IMAP4, name: str, *args: Any) -> Any:
            check_read_only(name, args)
            commands.append(name if name != "UID" else f"UID {args[0]}".upper())
            return send(name, *args)

        # bound, so it stays a method: imaplib tells an AUTHENTICATE callback from a literal
        # by comparing its type with type(self._command)
        setattr(client, "_command", types.MethodType(guarded, client))  # noqa: B010

    def _close(self) -> None:
        if self._box is None:
            return
        box, self._box = self._box, None
        if self._broken:
            # The connection timed out or broke mid-answer: a LOGOUT would wait for the
            # timeout once more, so just drop the socket.
            with contextlib.suppress(OSError, imaplib.IMAP4.error, ImapToolsError):
                box.client.shutdown()
            return
        with contextlib.suppress(OSError, imaplib.IMAP4.error, ImapToolsError):
            box.logout()  # the connection is going away either way

    @property
    def _client_or_fail(self) -> imaplib.IMAP4:
        if self._box is None:
            raise RuntimeError("ImapReader used outside its with-block")
        return self._box.client

    def _failed(self, what: str, exc: BaseException) -> MailServerError:
        """The error for a command that broke the connection (it is not used again)."""
        self._broken = True
        if isinstance(exc, TimeoutError):
            return ServerStalledError(
                f"{what} failed: the IMAP server {self.endpoint.host} stopped answering "
                f"(nothing for {self.endpoint.timeout:g} s); the next poll carries on"
            )
        return ServerDroppedError(f"{what} failed: {exc}; the next poll carries on")

    def reconnect(self) -> None:
        """Log in again after the server dropped the session, and reopen the same folder."""
        folder = self._folder
        self._close()
        self._broken = False
        self.__enter__()
        if folder is not None:
            state = self.examine(folder.name)
            if state.uidvalidity != folder.uidvalidity:
                raise MailServerError(
                    f"the UIDVALIDITY of {folder.name!r} changed during the poll; "
                    "the next poll re-reads the folder"
                )

    def folders(self) -> list[str]:
        """Names of the folders the account can see."""
        assert self._box is not None
        try:
            return [folder.name for folder in self._box.folder.list()]
        except (OSError, imaplib.IMAP4.error, ImapToolsError) as exc:
            raise self._failed("listing folders", exc) from None

    def examine(self, name: str) -> FolderState:
        """Open a folder read-only (EXAMINE) and report its UIDVALIDITY and UIDNEXT."""
        client = self._client_or_fail
        try:
            typ, data = client.select(quote_folder(name), readonly=True)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise self._failed(f"opening the folder {name!r}", exc) from None
        if typ != "OK":
            raise MailServerError(f"the server would not open the folder {name!r}: {data!r}")
        uidvalidity = _untagged_int(client, "UIDVALIDITY")
        if uidvalidity is None:
            raise MailServerError(f"the server gave no UIDVALIDITY for {name!r}")
        state = FolderState(
            name=name,
            uidvalidity=uidvalidity,
            uidnext=_untagged_int(client, "UIDNEXT"),
            exists=int(data[0] or 0) if data and data[0] else 0,
        )
        self._folder = state
        return state

    def _uid(self, what: str, command: str, *args: str) -> tuple[str, list[Any]]:
        client = self._client_or_fail
        try:
            typ, data = client.uid(command, *args)
        except (OSError, imaplib.IMAP4.abort) as exc:
            raise self._failed(what, exc) from None
        except imaplib.IMAP4.error as exc:  # a BAD answer: the connection itself is fine
            raise MailServerError(f"{what} failed: {exc}") from None
        return typ, list(data or [])

    def uids_after(self, last_uid: int, since: date | None = None) -> list[int]:
        """UIDs above last_uid in the open folder, ascending (only mail since `since`)."""
        criteria = [f"UID {last_uid + 1}:*"]
        if since is not None:
            criteria.append(f"SINCE {since.day}-{MONTHS[since.month - 1]}-{since.year}")
        typ, data = self._uid("searching for new mail", "SEARCH", " ".join(criteria))
        if typ != "OK":
            raise MailServerError(f"the server refused UID SEARCH: {data!r}")
        found = [int(token) for token in b" ".join(d for d in data if d).split()]
        # "n:*" always matches the newest message, even when its UID is below n.
        return sorted(uid for uid in found if uid > last_uid)

    def uids_larger(self, last_uid: int, size: int) -> list[int] | None:
        """UIDs above last_uid of messages over size bytes (one UID SEARCH LARGER).

        None when the server cannot search by size: the caller then reads every size.
        """
        criteria = f"UID {last_uid + 1}:* LARGER {size}"
        try:
            typ, data = self._uid("searching by size", "SEARCH", criteria)
        except MailServerError as exc:
            if self._broken:  # the connection failed, not the search
                raise
            log.info("the server cannot search by size (%s); reading every size instead", exc)
            return None
        if typ != "OK":
            return None
        found = [int(token) for token in b" ".join(d for d in data if d).split()]
        return sorted(uid for uid in found if uid > last_uid)

    def existing(self, uids: Sequence[int]) -> set[int]:
        """Which of uids still exist in the open folder (one UID SEARCH)."""
        if not uids:
            return set()
        typ, data = self._uid("checking for expunged mail", "SEARCH", f"UID {uid_set(uids)}")
        if typ != "OK":
            raise MailServerError(f"the server refused UID SEARCH: {data!r}")
        wanted = set(uids)
        return {int(t) for t in b" ".join(d for d in data if d).split()} & wanted

    def sizes(self, uids: Sequence[int]) -> dict[int, int]:
        """RFC822.SIZE of each UID, fetched before any body (one UID FETCH)."""
        return self.sizes_and_gmail_ids(uids)[0]

    def sizes_and_gmail_ids(self, uids: Sequence[int]) -> tuple[dict[int, int], dict[int, int]]:
        """RFC822.SIZE of each UID and, on Gmail, its X-GM-MSGID (one UID FETCH)."""
        if not uids:
            return {}, {}
        items = "(UID RFC822.SIZE X-GM-MSGID)" if self.gmail else "(UID RFC822.SIZE)"
        typ, data = self._uid("reading message sizes", "FETCH", uid_set(uids), items)
        if typ != "OK":
            data = self._leftover_fetch(data)
        wanted = set(uids)
        sizes: dict[int, int] = {}
        gmail_ids: dict[int, int] = {}
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            if not isinstance(line, bytes):
                continue
            numbers = fetch_numbers(line)
            uid = numbers.get("UID")
            if uid not in wanted:
                continue
            if "RFC822.SIZE" in numbers:
                sizes[uid] = numbers["RFC822.SIZE"]
            if "X-GM-MSGID" in numbers:
                gmail_ids[uid] = numbers["X-GM-MSGID"]
        return sizes, gmail_ids

    def fetch_chunk(self, uids: Sequence[int], *, headers_only: bool = False) -> list[RawMessage]:
        """Fetch the messages with BODY.PEEK[] (or only their headers); missing ones are left out.

        A message expunged meanwhile comes back missing, or as `BODY[] NIL` (Dovecot), and
        is left out too: the caller decides, with `existing`, whether it is gone for good.
        """
        if not uids:
            return []
        part = "BODY.PEEK[HEADER]" if headers_only else "BODY.PEEK[]"
        gmail = " X-GM-MSGID" if self.gmail else ""
        typ, data = self._uid(
            "fetching messages", "FETCH", uid_set(uids), f"(UID RFC822.SIZE{gmail} {part})"
        )
        if typ != "OK":
            # NO for some messages ("some of the requested messages no longer exist"):
            # keep what did arrive; the caller looks after the rest.
            log.warning("the server answered UID FETCH with %s", typ)
            data = self._leftover_fetch(data)
        wanted = set(uids)
        return [
            message
            for message in parse_fetch(data, header_only=headers_only)
            if message.uid in wanted
        ]

    def _leftover_fetch(self, data: list[Any]) -> list[Any]:
        """The FETCH answers imaplib kept back because the command ended in NO."""
        client = self._client_or_fail
        kept = client.untagged_responses.pop("FETCH", [])
        return [item for item in kept if item is not None] or [
            item for item in data if isinstance(item, tuple)
        ]


class ServerDroppedError(MailServerError):
    """The server ended the session in the middle of a command (e.g. BYE after a FETCH)."""


class ServerStalledError(MailServerError):
    """The server stopped answering for a whole socket timeout (the session is unusable)."""


def _untagged_int(client: imaplib.IMAP4, key: str) -> int | None:
    _, values = client.response(key)
    for value in values or []:
        if value:
            try:
                return int(value)
            except (TypeError, ValueError):
                continue
    return None
