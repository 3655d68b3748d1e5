"""A small Gmail-like IMAP4rev1 server for tests: labels are folders, X-GM-MSGID is offered.

Neither Dovecot nor pymap knows Gmail's extension (X-GM-EXT-1), so this one speaks just
enough IMAP over a real socket on 127.0.0.1 for a read-only poll: LOGIN, CAPABILITY,
LIST, EXAMINE, UID SEARCH, UID FETCH (UID, RFC822.SIZE, BODY.PEEK[], BODY.PEEK[HEADER],
X-GM-MSGID), NOOP and LOGOUT. Everything else is refused with BAD, so a client that asks
for more (a STORE, a FETCH without .PEEK) fails loudly.

As on Gmail, one message can sit in several folders (labels) with a UID per folder but one
X-GM-MSGID, every message is also in "[Gmail]/All Mail", and a label's copy can be served
with slightly different bytes.
"""

from __future__ import annotations

import contextlib
import re
import socket
import socketserver
import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from fnmatch import fnmatchcase
from io import BufferedIOBase
from types import TracebackType
from typing import Self

ALL_MAIL = "[Gmail]/All Mail"
CAPABILITIES = "IMAP4rev1 X-GM-EXT-1 UIDPLUS"
FETCH_ITEMS = frozenset({"UID", "RFC822.SIZE", "X-GM-MSGID", "BODY.PEEK[]", "BODY.PEEK[HEADER]"})
#: The order Gmail lists FETCH items in: X-GM-MSGID first, the body last.
GMAIL_ORDER = ("X-GM-MSGID", "UID", "RFC822.SIZE", "BODY")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_TOKEN = re.compile(rb'\s*(?:"((?:[^"\\]|\\.)*)"|\x00(\d+)\x00|([()])|([^\s()"\x00]+))')
_LITERAL = re.compile(rb"\{(\d+)(\+?)\}\r?\n$")


@dataclass
class _Copy:
    """A message as one label holds it: its own UID, maybe its own bytes."""

    uid: int
    msgid: int
    raw: bytes
    internal_date: datetime


@dataclass
class _Label:
    name: str
    uidvalidity: int
    uidnext: int = 1
    copies: list[_Copy] = field(default_factory=list)


class GmailLikeServer:
    """The server, in a thread; `deliver` puts mail under labels while it runs."""

    def __init__(self, user: str = "alex@gmail.test", password: str = "app-password") -> None:
        self.user = user
        self.password = password
        self.host = "127.0.0.1"
        #: Every command line received, with LOGIN's arguments left out.
        self.received: list[str] = []
        #: (label, X-GM-MSGID) of every full body sent, in order: what was downloaded.
        self.bodies_sent: list[tuple[str, int]] = []
        #: The order of items in FETCH answers; tests change it to vary the layout.
        self.fetch_order: tuple[str, ...] = GMAIL_ORDER
        self._lock = threading.Lock()
        self._labels: dict[str, _Label] = {}
        self._next_msgid = 1_278_455_344_230_334_865  # the size of a real one
        self._connections: set[socket.socket] = set()
        self.add_label("INBOX")
        self.add_label(ALL_MAIL)
        self._server = _TcpServer((self.host, 0), _Session)
        self._server.owner = self
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="gmail-like", daemon=True
        )

    def add_label(self, name: str) -> None:
        """Create an empty label (folder)."""
        with self._lock:
            if name not in self._labels:
                self._labels[name] = _Label(name, uidvalidity=600 + len(self._labels))

    def deliver(
        self,
        raw: bytes,
        labels: Iterable[str] = ("INBOX",),
        *,
        altered: Collection[str] = (),
    ) -> int:
        """Add one message under labels (and All Mail); returns its X-GM-MSGID.

        Under each label named in altered, the copy's bytes differ slightly (an extra
        header line), as Gmail can serve a message differently per label.
        """
        headers = message_from_bytes(raw, policy=policy.default)
        try:
            when = headers["Date"].datetime if headers["Date"] else None
        except (AttributeError, ValueError):
            when = None
        when = when or datetime.now(UTC)
        with self._lock:
            msgid = self._next_msgid
            self._next_msgid += 17
            for name in dict.fromkeys([*labels, ALL_MAIL]):
                label = self._labels.setdefault(
                    name, _Label(name, uidvalidity=600 + len(self._labels))
                )
                served = raw
                if name in altered:
                    served = b"X-Label-Copy: " + name.encode() + b"\r\n" + raw
                label.copies.append(_Copy(label.uidnext, msgid, served, when))
                label.uidnext += 1
            return msgid

    def start(self) -> Self:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop every open session."""
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _TcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: GmailLikeServer


class _Refused(Exception):
    """The command is answered with BAD (or NO) and the session goes on."""

    def __init__(self, text: str, status: str = "BAD") -> None:
        super().__init__(text)
        self.status = status


class _Session(socketserver.StreamRequestHandler):
    server: _TcpServer

    def setup(self) -> None:
        super().setup()
        self.owner = self.server.owner
        self.authenticated = False
        self.label: _Label | None = None
        with self.owner._lock:
            self.owner._connections.add(self.request)

    def finish(self) -> None:
        with self.owner._lock:
            self.owner._connections.discard(self.request)
        with contextlib.suppress(OSError):
            super().finish()

    def send(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")

    def handle(self) -> None:
        self.send(b"* OK Gimap ready for requests from 127.0.0.1")
        while True:
            try:
                tokens = _read_command(self.rfile, self.wfile)
            except (OSError, ValueError):
                return
            if tokens is None:
                return
            tag, command = [*tokens, b"", b""][:2]
            if not isinstance(tag, bytes) or not isinstance(command, bytes) or not command:
                self.send(b"* BAD could not parse command")
                continue
            command = command.upper()
            with self.owner._lock:
                self.owner.received.append("LOGIN" if command == b"LOGIN" else _show(tokens[1:]))
            try:
                done = self.dispatch(command.decode(), tokens[2:])
            except _Refused as exc:
                self.send(tag + b" " + exc.status.encode() + b" " + str(exc).encode())
                continue
            code = b"[READ-ONLY] " if command == b"EXAMINE" else b""
            self.send(tag + b" OK " + code + command + b" completed")
            self.wfile.flush()
            if done:
                return

    def dispatch(self, command: str, args: list[_Token]) -> bool:
        """Run one command; True when the session ends."""
        if command == "CAPABILITY":
            self.send(b"* CAPABILITY " + CAPABILITIES.encode())
        elif command == "NOOP":
            pass
        elif command == "LOGOUT":
            self.send(b"* BYE LOGOUT Requested")
            return True
        elif command == "LOGIN":
            self.login(args)
        elif not self.authenticated:
            raise _Refused(f"{command} needs a logged-in session")
        elif command == "LIST":
            self.list_labels(args)
        elif command == "EXAMINE":
            self.examine(args)
        elif command == "UID" and args and _upper(args[0]) == "SEARCH":
            self.search(args[1:])
        elif command == "UID" and args and _upper(args[0]) == "FETCH":
            self.fetch(args[1:])
        else:
            raise _Refused(f"{command} is not supported here (read-only test server)")
        return False

    def login(self, args: list[_Token]) -> None:
        if len(args) != 2 or not all(isinstance(a, bytes) for a in args):
            raise _Refused("LOGIN needs a user name and a password")
        if (_text(args[0]), _text(args[1])) != (self.owner.user, self.owner.password):
            raise _Refused("[AUTHENTICATIONFAILED] Invalid credentials", "NO")
        self.authenticated = True

    def list_labels(self, args: list[_Token]) -> None:
        if len(args) != 2:
            raise _Refused("LIST needs a reference and a pattern")
        pattern = _text(args[0]) + _text(args[1])
        glob = pattern.replace("%", "*")
        with self.owner._lock:
            names = list(self.owner._labels)
        for name in names:
            if fnmatchcase(name, glob) and ("%" not in pattern or "/" not in name):
                flags = b"\\All \\HasNoChildren" if name == ALL_MAIL else b"\\HasNoChildren"
                self.send(b"* LIST (" + flags + b') "/" ' + _quoted(name))

    def examine(self, args: list[_Token]) -> None:
        if len(args) != 1:
            raise _Refused("EXAMINE needs one folder name")
        name = _text(args[0])
        with self.owner._lock:
            label = self.owner._labels.get(name)
            if label is None:
                self.label = None
                raise _Refused(f"[NONEXISTENT] Unknown Mailbox: {name}", "NO")
            exists, uidvalidity, uidnext = len(label.copies), label.uidvalidity, label.uidnext
        self.label = label
        self.send(b"* FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen)")
        self.send(b"* OK [PERMANENTFLAGS ()] Flags permitted.")
        self.send(b"* OK [UIDVALIDITY %d] UIDs valid." % uidvalidity)
        self.send(b"* %d EXISTS" % exists)
        self.send(b"* 0 RECENT")
        self.send(b"* OK [UIDNEXT %d] Predicted next UID." % uidnext)

    def _copies(self) -> list[_Copy]:
        if self.label is None:
            raise _Refused("no folder is open (EXAMINE one first)")
        with self.owner._lock:
            return list(self.label.copies)

    def search(self, args: list[_Token]) -> None:
        copies = self._copies()
        found = copies
        words = [_upper(a) if isinstance(a, bytes) else "" for a in args]
        index = 0
        while index < len(words):
            word = words[index]
            if word == "ALL":
                index += 1
            elif word == "UID" and index + 1 < len(words):
                wanted = _in_set(words[index + 1], copies)
                found = [c for c in found if c.uid in wanted]
                index += 2
            elif word == "SINCE" and index + 1 < len(words):
                since = _search_date(words[index + 1])
                found = [c for c in found if c.internal_date.date() >= since]
                index += 2
            else:
                raise _Refused(f"unsupported search key {word or '?'}")
        self.send(b" ".join([b"* SEARCH", *(b"%d" % c.uid for c in found)]))

    def fetch(self, args: list[_Token]) -> None:
        copies = self._copies()
        if len(args) < 2 or not isinstance(args[0], bytes):
            raise _Refused("UID FETCH needs a UID set and items")
        items = [_upper(a) for a in args[1:] if isinstance(a, bytes)]
        if [a for a in args[1:] if not isinstance(a, bytes)]:
            raise _Refused("literals are not fetch items")
        if items and items[0] == "(":
            if items[-1] != ")":
                raise _Refused("unbalanced parentheses in FETCH")
            items = items[1:-1]
        unknown = [item for item in items if item not in FETCH_ITEMS]
        if unknown or not items:
            raise _Refused(f"unsupported fetch item {' '.join(unknown) or '(none)'}")
        wanted = _in_set(_upper(args[0]), copies)
        for number, copy in enumerate(copies, start=1):
            if copy.uid in wanted:
                self.wfile.write(self._fetch_answer(number, copy, set(items)))

    def _fetch_answer(self, number: int, copy: _Copy, items: set[str]) -> bytes:
        parts: dict[str, bytes] = {"UID": b"UID %d" % copy.uid}  # always sent, as RFC 3501 says
        if "RFC822.SIZE" in items:
            parts["RFC822.SIZE"] = b"RFC822.SIZE %d" % len(copy.raw)
        if "X-GM-MSGID" in items:
            parts["X-GM-MSGID"] = b"X-GM-MSGID %d" % copy.msgid
        if "BODY.PEEK[]" in items:
            parts["BODY"] = b"BODY[] {%d}\r\n" % len(copy.raw) + copy.raw
            assert self.label is not None
            with self.owner._lock:
                self.owner.bodies_sent.append((self.label.name, copy.msgid))
        elif "BODY.PEEK[HEADER]" in items:
            end = re.search(rb"\r?\n\r?\n", copy.raw)
            header = copy.raw if end is None else copy.raw[: end.end()]
            parts["BODY"] = b"BODY[HEADER] {%d}\r\n" % len(header) + header
        ordered = [parts[key] for key in self.owner.fetch_order if key in parts]
        return b"* %d FETCH (" % number + b" ".join(ordered) + b")\r\n"


_Token = bytes | tuple[bytes]  # an atom or string; a literal is a 1-tuple


def _read_command(rfile: BufferedIOBase, wfile: BufferedIOBase) -> list[_Token] | None:
    """One command line, its literals read in (after a continuation request)."""
    line = rfile.readline(65536)
    if not line:
        return None
    text = bytearray()
    literals: list[bytes] = []
    while True:
        match = _LITERAL.search(line)
        if match is None:
            text += line.rstrip(b"\r\n")
            break
        text += line[: match.start()] + b"\x00%d\x00" % len(literals)
        if not match.group(2):
            wfile.write(b"+ go ahead\r\n")
            wfile.flush()
        literals.append(rfile.read(int(match.group(1))))
        line = rfile.readline(65536)
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            break
        position = match.end()
        quoted, literal, paren, atom = match.groups()
        if quoted is not None:
            tokens.append(re.sub(rb"\\(.)", rb"\1", quoted))
        elif literal is not None:
            tokens.append((literals[int(literal)],))
        elif paren is not None:
            tokens.append(paren)
        elif atom is not None:
            tokens.append(atom)
    return tokens


def _text(token: _Token) -> str:
    value = token[0] if isinstance(token, tuple) else token
    return value.decode("utf-8", "replace")


def _upper(token: _Token) -> str:
    return _text(token).upper()


def _show(tokens: list[_Token]) -> str:
    return " ".join(_text(t) if isinstance(t, bytes) else "{literal}" for t in tokens)


def _quoted(name: str) -> bytes:
    return b'"' + name.replace("\\", "\\\\").replace('"', '\\"').encode() + b'"'


def _in_set(sequence_set: str, copies: list[_Copy]) -> set[int]:
    """The UIDs a UID set names; `*` is the highest UID, so `n:*` always names one."""
    highest = max((c.uid for c in copies), default=0)
    wanted: set[int] = set()
    for part in sequence_set.split(","):
        try:
            bounds = [highest if b == "*" else int(b) for b in part.split(":")]
        except ValueError:
            raise _Refused(f"bad UID set {sequence_set}") from None
        if not 1 <= len(bounds) <= 2 or min(bounds) < 0:
            raise _Refused(f"bad UID set {sequence_set}")
        low, high = min(bounds), max(bounds)
        wanted.update(c.uid for c in copies if low <= c.uid <= high)
    return wanted


def _search_date(value: str) -> date:
    try:
        day, month, year = value.strip('"').split("-")
        return date(int(year), _MONTHS.index(month.upper()) + 1, int(day))
    except ValueError:
        raise _Refused(f"bad date {value}") from None
