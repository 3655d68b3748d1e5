"""The IMAP adapter: read-only, UID-incremental access to a mailbox through imap-tools.

Folders are opened with EXAMINE and bodies fetched with BODY.PEEK[], so polling never
changes a flag on the server. Nothing outside this module sees an imap-tools object.
"""

from __future__ import annotations

import contextlib
import imaplib
import ipaddress
import logging
import re
import socket
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import ImapToolsError, MailboxLoginError

from bounceback.flows.errors import AuthenticationError, ConfigError, MailServerError

log = logging.getLogger(__name__)

SECURITY_MODES = ("ssl", "starttls", "none")
_FETCH_HEADER = re.compile(rb"UID (\d+)|RFC822\.SIZE (\d+)")


@dataclass(frozen=True, slots=True)
class ImapEndpoint:
    """Where and how to reach an IMAP server; the password travels separately."""

    host: str
    port: int
    security: str
    username: str
    allow_insecure_loopback: bool = False
    timeout: float = 60.0


@dataclass(frozen=True, slots=True)
class FolderState:
    """What EXAMINE reports about a folder."""

    name: str
    uidvalidity: int
    uidnext: int | None
    exists: int


@dataclass(frozen=True, slots=True)
class RawMessage:
    """One message exactly as the server holds it."""

    uid: int
    size: int
    raw: bytes


def is_loopback(host: str) -> bool:
    """True if host names this machine (127.0.0.0/8, ::1 or localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_security(host: str, security: str, allow_insecure_loopback: bool) -> None:
    """Refuse unencrypted connections except to loopback with the explicit flag."""
    if security not in SECURITY_MODES:
        raise ConfigError(f"security must be one of {', '.join(SECURITY_MODES)}, not {security!r}")
    if security == "none" and not (allow_insecure_loopback and is_loopback(host)):
        raise ConfigError(
            f"refusing an unencrypted connection to {host}: use ssl or starttls "
            "(security 'none' is only for a loopback host with --allow-insecure-loopback)"
        )


def tls_context() -> ssl.SSLContext:
    """A verifying TLS context (imaplib and smtplib do not verify by default)."""
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class ImapReader:
    """A logged-in, read-only IMAP session. Use as a context manager."""

    def __init__(self, endpoint: ImapEndpoint, password: str) -> None:
        check_security(endpoint.host, endpoint.security, endpoint.allow_insecure_loopback)
        self.endpoint = endpoint
        self._password = password
        self._box: MailBox | MailBoxStartTls | MailBoxUnencrypted | None = None
        self._folder: FolderState | None = None

    def __enter__(self) -> Self:
        endpoint = self.endpoint
        where = f"{endpoint.host}:{endpoint.port}"
        try:
            self._box = self._client()
        except ssl.SSLCertVerificationError as exc:
            raise MailServerError(
                f"the TLS certificate of {where} could not be verified ({exc.verify_message}); "
                "check the host name, or that the server's certificate is valid"
            ) from None
        except socket.gaierror:
            raise MailServerError(
                f"cannot resolve the IMAP host {endpoint.host}; check its spelling"
            ) from None
        except TimeoutError:
            raise MailServerError(
                f"the IMAP server {where} did not answer within {endpoint.timeout:.0f} s"
            ) from None
        except (OSError, imaplib.IMAP4.error, ImapToolsError) as exc:
            raise MailServerError(f"cannot connect to the IMAP server {where}: {exc}") from None
        try:
            self._box.login(endpoint.username, self._password, initial_folder=None)
        except MailboxLoginError:
            self._close()
            raise AuthenticationError(
                f"the IMAP server {where} refused the login for {endpoint.username}; check "
                "the user name and password (many providers need an app password)"
            ) from None
        except (OSError, imaplib.IMAP4.error, ImapToolsError) as exc:
            self._close()
            raise MailServerError(f"login to {where} failed: {exc}") from None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()

    def _client(self) -> MailBox | MailBoxStartTls | MailBoxUnencrypted:
        endpoint = self.endpoint
        if endpoint.security == "ssl":
            return MailBox(
                endpoint.host, endpoint.port, timeout=endpoint.timeout, ssl_context=tls_context()
            )
        if endpoint.security == "starttls":
            return MailBoxStartTls(
                endpoint.host, endpoint.port, timeout=endpoint.timeout, ssl_context=tls_context()
            )
        return MailBoxUnencrypted(endpoint.host, endpoint.port, timeout=endpoint.timeout)

    def _close(self) -> None:
        if self._box is None:
            return
        with contextlib.suppress(OSError, imaplib.IMAP4.error, ImapToolsError):
            self._box.logout()  # the connection is going away either way
        self._box = None

    @property
    def _client_or_fail(self) -> imaplib.IMAP4:
        if self._box is None:
            raise RuntimeError("ImapReader used outside its with-block")
        return self._box.client

    def folders(self) -> list[str]:
        """Names of the folders the account can see."""
        assert self._box is not None
        try:
            return [folder.name for folder in self._box.folder.list()]
        except (OSError, imaplib.IMAP4.error, ImapToolsError) as exc:
            raise MailServerError(f"listing folders failed: {exc}") from None

    def examine(self, name: str) -> FolderState:
        """Open a folder read-only (EXAMINE) and report its UIDVALIDITY and UIDNEXT."""
        client = self._client_or_fail
        try:
            typ, data = client.select(_quote(name), readonly=True)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailServerError(f"opening the folder {name!r} failed: {exc}") from None
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

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above last_uid in the open folder, ascending."""
        client = self._client_or_fail
        try:
            typ, data = client.uid("SEARCH", f"UID {last_uid + 1}:*")
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailServerError(f"searching for new mail failed: {exc}") from None
        if typ != "OK":
            raise MailServerError(f"the server refused UID SEARCH: {data!r}")
        found = [int(token) for token in b" ".join(d for d in data if d).split()]
        # "n:*" always matches the newest message, even when its UID is below n.
        return sorted(uid for uid in found if uid > last_uid)

    def fetch(
        self, uids: Sequence[int], chunk_size: int = 100
    ) -> Iterator[tuple[Sequence[int], list[RawMessage]]]:
        """Fetch full messages with BODY.PEEK[] in chunks of UIDs.

        Yields (requested UIDs, messages returned); a UID missing from the answer was
        expunged in between and will never come back (UIDs are not reused).
        """
        client = self._client_or_fail
        for index in range(0, len(uids), chunk_size):
            chunk = uids[index : index + chunk_size]
            uid_set = ",".join(str(uid) for uid in chunk)
            try:
                typ, data = client.uid("FETCH", uid_set, "(UID RFC822.SIZE BODY.PEEK[])")
            except (OSError, imaplib.IMAP4.error) as exc:
                raise MailServerError(f"fetching messages failed: {exc}") from None
            if typ != "OK":
                raise MailServerError(f"the server refused UID FETCH: {data!r}")
            yield chunk, _parse_fetch(data)


def _quote(name: str) -> str:
    from imap_tools.imap_utf7 import utf7_encode

    encoded = utf7_encode(name).decode("ascii")
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _untagged_int(client: imaplib.IMAP4, key: str) -> int | None:
    _, values = client.response(key)
    for value in values or []:
        if value:
            try:
                return int(value)
            except (TypeError, ValueError):
                continue
    return None


def _parse_fetch(data: list[object]) -> list[RawMessage]:
    messages: list[RawMessage] = []
    for item in data:
        if not isinstance(item, tuple) or len(item) < 2:
            continue
        header, raw = item[0], item[1]
        uid = size = None
        for match in _FETCH_HEADER.finditer(header):
            if match.group(1):
                uid = int(match.group(1))
            elif match.group(2):
                size = int(match.group(2))
        if uid is None:
            continue
        messages.append(RawMessage(uid=uid, size=size if size is not None else len(raw), raw=raw))
    return messages
