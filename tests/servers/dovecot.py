"""A throwaway, real Dovecot IMAP server for integration tests.

:class:`DovecotServer` writes a self-contained ``dovecot.conf`` into a temporary
directory and runs ``dovecot -F -c dovecot.conf`` in the foreground, in its own
process group. Everything the daemon writes (``base_dir`` sockets, ``state_dir``,
logs, the passwd-file and the Maildirs) lives inside that directory, so it never
touches a system Dovecot installed from the Debian package, which uses
``/run/dovecot``, ``/var/lib/dovecot`` and port 143/993.

The server speaks plain IMAP (no TLS) on ``127.0.0.1`` on a free port and accepts
``LOGIN``/``AUTHENTICATE PLAIN`` in clear text. Connect with
:class:`imap_tools.MailBoxUnencrypted` (``imap_tools.MailBox`` is IMAP over TLS
and will not work against it), or simply use :meth:`DovecotAccount.mailbox`.

Running as root (the CI case) the daemon drops privileges the way a packaged
Dovecot does: internal processes run as ``dovecot``, login processes as
``dovenull`` (both created by the ``dovecot-core`` package) and mail is stored
as ``nobody:nogroup``. Running as an ordinary user, every process runs as that
user (Dovecot's "rootless" mode).

Pytest fixtures:

* ``dovecot_session`` (session scope): one running :class:`DovecotServer`.
* ``dovecot`` (function scope): a fresh :class:`DovecotAccount` (new user, empty
  Maildir) on the session server.

Both skip with "Dovecot is not installed (apt-get install dovecot-imapd)" when the
binary is missing, except under CI (``CI=true``), where they fail instead.
"""

from __future__ import annotations

import contextlib
import grp
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

import pytest
from imap_tools import MailBoxUnencrypted

__all__ = [
    "NOT_INSTALLED_REASON",
    "DovecotAccount",
    "DovecotError",
    "DovecotServer",
    "dovecot",
    "dovecot_session",
    "find_dovecot",
    "require_dovecot",
]

NOT_INSTALLED_REASON = "Dovecot is not installed (apt-get install dovecot-imapd)"
"""Skip reason used by the fixtures when no ``dovecot`` binary is found."""

_SBIN_CANDIDATES: tuple[str, ...] = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")
_USERNAME_RE = re.compile(r"^[A-Za-z0-9._@+-]+$")
_FORBIDDEN_PASSWORD_CHARS = frozenset(":\n\r\0")
_user_counter = itertools.count(1)


class DovecotError(RuntimeError):
    """Dovecot could not be started or stopped; the message includes the log tail."""


def find_dovecot() -> str | None:
    """Return the path of the ``dovecot`` binary, or ``None`` if it is not installed.

    ``$PATH`` is searched first; ``/usr/sbin`` is checked explicitly because it is
    often missing from a non-root user's ``$PATH``.
    """
    found = shutil.which("dovecot")
    if found:
        return found
    for candidate in _SBIN_CANDIDATES:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def dovecot_version(binary: str | None = None) -> str:
    """Return the output of ``dovecot --version`` (e.g. ``"2.3.19.1 (9b53102964)"``)."""
    binary = binary or find_dovecot()
    if binary is None:
        raise DovecotError(NOT_INSTALLED_REASON)
    result = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, check=True, timeout=30
    )
    return result.stdout.strip()


def _version_tuple(version: str) -> tuple[int, ...]:
    """Turn ``"2.3.19.1 (9b53102964)"`` into ``(2, 3, 19, 1)``."""
    head = version.split()[0] if version.split() else ""
    parts: list[int] = []
    for piece in head.split("."):
        digits = re.match(r"\d+", piece)
        if digits is None:
            break
        parts.append(int(digits.group()))
    return tuple(parts)


def _in_ci() -> bool:
    """Whether we run under CI, where a missing Dovecot must fail, never skip."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def require_dovecot() -> str:
    """Return the ``dovecot`` binary or skip the test (fail the test under ``CI=true``)."""
    binary = find_dovecot()
    if binary is None:
        if _in_ci():
            pytest.fail(f"{NOT_INSTALLED_REASON}; CI=true, so refusing to skip", pytrace=False)
        pytest.skip(NOT_INSTALLED_REASON)
    return binary


def _free_port(host: str) -> int:
    """Ask the kernel for a currently unused TCP port on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 40) -> str:
    """Return the last ``lines`` lines of ``path`` (or a note that it is missing)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"<{path} unreadable: {exc}>"
    return "\n".join(text.splitlines()[-lines:]) or f"<{path} is empty>"


def _connect_mailbox(
    host: str, port: int, user: str, password: str, initial_folder: str | None = "INBOX"
) -> MailBoxUnencrypted:
    """Open a logged-in, unencrypted imap-tools mailbox with ``TCP_NODELAY`` set.

    imaplib sends an APPEND as several small writes (command, literal, CRLF); with
    Nagle's algorithm and delayed ACKs that can stall each APPEND for ~40 ms.
    (On Debian 12 loopback we measured no difference, ~0.13 s for 50 APPENDs
    either way, but it is free insurance.)
    """
    mailbox = MailBoxUnencrypted(host, port, timeout=30)
    mailbox.client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        mailbox.login(user, password, initial_folder=initial_folder)
    except BaseException:
        with contextlib.suppress(Exception):
            mailbox.client.shutdown()
        raise
    return mailbox


@dataclass
class DovecotAccount:
    """One mail user on a running :class:`DovecotServer`.

    Attributes:
        server: The server this account lives on.
        user: IMAP login name.
        password: IMAP password (plain text).
    """

    server: DovecotServer = field(repr=False)
    user: str
    password: str

    @property
    def host(self) -> str:
        """Address the server listens on."""
        return self.server.host

    @property
    def port(self) -> int:
        """Plain-IMAP port the server listens on."""
        return self.server.port

    @property
    def maildir(self) -> Path:
        """Filesystem path of this user's Maildir (created on first login)."""
        return self.server.maildir_for(self.user)

    def mailbox(self, initial_folder: str | None = "INBOX") -> MailBoxUnencrypted:
        """Return a logged-in imap-tools mailbox; use it as a context manager.

        ``initial_folder=None`` stays in the authenticated state (e.g. to send
        ``ENABLE CONDSTORE`` before selecting). Example::

            with account.mailbox() as mb:
                mb.folder.set("INBOX", readonly=True)
        """
        return _connect_mailbox(self.host, self.port, self.user, self.password, initial_folder)

    def append(
        self,
        messages: Iterable[bytes],
        folder: str = "INBOX",
        flag_set: Iterable[str] | None = None,
    ) -> int:
        """Upload raw RFC 5322 ``messages`` into ``folder`` via IMAP APPEND.

        The folder is created if it does not exist. Returns the number of messages
        appended.
        """
        flags = list(flag_set) if flag_set is not None else None
        count = 0
        with self.mailbox() as mb:
            if folder.upper() != "INBOX" and not mb.folder.exists(folder):
                mb.folder.create(folder)
            for message in messages:
                mb.append(message, folder, flag_set=flags)
                count += 1
        return count


class DovecotServer:
    """A private Dovecot IMAP server running in a temporary directory.

    Use it as a context manager (or call :meth:`start` / :meth:`stop`)::

        with DovecotServer() as server:
            server.append([raw_bytes])
            with server.account.mailbox() as mb:
                ...

    Attributes:
        host: Listen address (``127.0.0.1``).
        port: Plain-IMAP port (chosen at start unless given).
        user: Login name of the default account.
        password: Password of the default account.
        root: Temporary directory holding config, sockets, state, logs and mail.
        log_path: Dovecot's log file (``root/log/dovecot.log``).
    """

    def __init__(
        self,
        user: str = "alice",
        password: str = "alice-secret",
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        binary: str | None = None,
        startup_timeout: float = 10.0,
        debug: bool = False,
    ) -> None:
        """Prepare (but do not start) a server with one default account.

        Args:
            user: Login name of the default account.
            password: Its password.
            host: Address to listen on.
            port: Port to listen on; a free one is picked when ``None``.
            binary: Path of ``dovecot``; found with :func:`find_dovecot` when ``None``.
            startup_timeout: Seconds to wait for the IMAP port to accept connections.
            debug: Also log auth and mail debug lines (very verbose).
        """
        self.host = host
        self.port: int = port or 0
        self._fixed_port = port is not None
        self.user = user
        self.password = password
        self.binary = binary or find_dovecot()
        self.startup_timeout = startup_timeout
        self.debug = debug
        self.root: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._users: dict[str, str] = {}
        self._users_lock = threading.Lock()
        self._add_user_unlocked(user, password)
        self.version: str = ""

    # -- paths ---------------------------------------------------------------

    def _path(self, *parts: str) -> Path:
        if self.root is None:
            raise DovecotError("server not started")
        return self.root.joinpath(*parts)

    @property
    def config_path(self) -> Path:
        """The generated ``dovecot.conf``."""
        return self._path("dovecot.conf")

    @property
    def log_path(self) -> Path:
        """Dovecot's own log file (errors, info and debug)."""
        return self._path("log", "dovecot.log")

    @property
    def stderr_path(self) -> Path:
        """Where the master's stdout/stderr goes (early config errors land here)."""
        return self._path("log", "stderr.log")

    @property
    def users_dir(self) -> Path:
        """Directory of per-user passwd-files (``users/<name>``), used as passdb and userdb."""
        return self._path("users")

    @property
    def mail_root(self) -> Path:
        """Directory under which every user's home and Maildir live."""
        return self._path("mail")

    def maildir_for(self, user: str) -> Path:
        """Return the Maildir path of ``user``."""
        return self.mail_root / user / "Maildir"

    # -- users ---------------------------------------------------------------

    @property
    def account(self) -> DovecotAccount:
        """The default account (``self.user`` / ``self.password``)."""
        return DovecotAccount(self, self.user, self.password)

    @staticmethod
    def _validate(name: str, password: str) -> None:
        if not _USERNAME_RE.match(name):
            raise ValueError(f"invalid Dovecot user name {name!r}")
        if not password or _FORBIDDEN_PASSWORD_CHARS.intersection(password):
            raise ValueError("password must be non-empty and must not contain ':' or newlines")

    def _add_user_unlocked(self, name: str, password: str) -> None:
        self._validate(name, password)
        self._users[name] = password

    def add_user(self, name: str, password: str) -> DovecotAccount:
        """Add (or re-password) a user; works before and while the server runs.

        Dovecot re-reads the passwd-file when its mtime changes, so no reload is
        needed. Returns the new :class:`DovecotAccount`.
        """
        with self._users_lock:
            self._add_user_unlocked(name, password)
            if self.root is not None:
                self._write_passwd(name)
        return DovecotAccount(self, name, password)

    def new_account(self, prefix: str = "user") -> DovecotAccount:
        """Create a user with a unique name and random password (empty Maildir)."""
        name = f"{prefix}{next(_user_counter)}-{os.getpid()}-{os.urandom(3).hex()}"
        return self.add_user(name, f"pw-{os.urandom(8).hex()}")

    def _write_passwd(self, name: str) -> None:
        """Write ``users/<name>``, the one-line passwd-file of user ``name``.

        Format: ``user:{PLAIN}password:uid:gid:gecos:home:shell:extra``; uid/gid and
        home come from ``mail_uid``/``userdb default_fields`` instead.

        One file per user (the passdb path contains ``%u``) because Dovecot 2.3
        stat()s a passwd-file at most once per second: a user appended to a shared
        file right after another login would be "unknown" for up to a second. A new
        per-user file is read on its first lookup. Changing an existing user's
        password still hits that gate, so we bump the mtime and wait for the next
        second.
        """
        path = self.users_dir / name
        existed = path.exists()
        old_mtime = int(path.stat().st_mtime) if existed else 0
        tmp = path.with_name(f".{name}.tmp")
        tmp.write_text(f"{name}:{{PLAIN}}{self._users[name]}::::::\n", encoding="utf-8")
        # The auth worker runs as the unprivileged internal user and must read it.
        tmp.chmod(0o644)
        os.replace(tmp, path)
        if existed and self.running:
            stamp = max(int(time.time()), old_mtime + 1)
            os.utime(path, (stamp, stamp))
            time.sleep(max(0.0, stamp + 1.05 - time.time()))

    # -- config --------------------------------------------------------------

    def _privilege_settings(self) -> tuple[str, str, str, str]:
        """Return ``(internal_user, login_user, mail_uid, mail_gid)``.

        As root we mimic a packaged install (``dovecot``/``dovenull``/``nobody``);
        otherwise everything runs as the current user (rootless mode), where
        ``mail_uid`` is left empty.
        """
        if os.geteuid() == 0:

            def existing(candidates: tuple[str, ...]) -> str:
                for name in candidates:
                    with contextlib.suppress(KeyError):
                        pwd.getpwnam(name)
                        return name
                raise DovecotError(f"none of the users {candidates} exist")

            internal = existing(("dovecot", "nobody"))
            login = existing(("dovenull", "nobody"))
            mail_user = pwd.getpwnam("nobody")
            mail_group = grp.getgrgid(mail_user.pw_gid).gr_name
            return internal, login, mail_user.pw_name, mail_group
        me = pwd.getpwuid(os.geteuid()).pw_name
        return me, me, "", ""

    def _render_config(self) -> str:
        """Build the complete ``dovecot.conf`` for this instance."""
        assert self.root is not None
        internal, login, mail_uid, mail_gid = self._privilege_settings()
        rootless = os.geteuid() != 0
        root = self.root
        uid_lines = f"mail_uid = {mail_uid}\nmail_gid = {mail_gid}\n" if mail_uid else ""
        first_valid_uid = 1 if rootless else 100
        chroot_off = "  chroot =\n" if rootless else ""
        # Rootless: the master cannot chown sockets to the packaged "dovecot" group.
        internal_group = (
            f"default_internal_group = {grp.getgrgid(os.getegid()).gr_name}\n" if rootless else ""
        )
        user_field = f"uid={mail_uid} gid={mail_gid} " if mail_uid else ""
        debug = "auth_debug = yes\nmail_debug = yes\n" if self.debug else ""
        return f"""\
# Generated by tests/servers/dovecot.py -- private test instance, do not edit.
instance_name = bounceback-test-{os.getpid()}-{id(self):x}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/log/dovecot.log
info_log_path = {root}/log/dovecot.log
debug_log_path = {root}/log/dovecot.log
log_timestamp = "%Y-%m-%d %H:%M:%S "
auth_verbose = yes
{debug}auth_verbose_passwords = no

protocols = imap
listen = {self.host}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
shutdown_clients = yes

default_internal_user = {internal}
default_login_user = {login}
{internal_group}{uid_lines}first_valid_uid = {first_valid_uid}
first_valid_gid = 1

mail_location = maildir:{root}/mail/%u/Maildir
mail_home = {root}/mail/%u
mail_fsync = never
mail_plugins =

namespace inbox {{
  inbox = yes
  separator = /
  mailbox Drafts {{
    special_use = \\Drafts
  }}
  mailbox Sent {{
    special_use = \\Sent
  }}
  mailbox Trash {{
    special_use = \\Trash
  }}
}}

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users/%u
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users/%u
  default_fields = {user_field}home={root}/mail/%u
}}

# No auth penalty: otherwise anvil delays every login from 127.0.0.1 by 2..15 s
# after a failed one (tests fail logins on purpose). mode = 0 drops the socket.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}

service imap-login {{
  inet_listener imap {{
    address = {self.host}
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
{chroot_off}}}
"""

    def _prepare_root(self) -> None:
        """Create the temp tree with permissions the unprivileged processes need."""
        self.root = Path(tempfile.mkdtemp(prefix="bounceback-dovecot-"))
        # mkdtemp makes a 0700 dir; the dovecot/dovenull/nobody processes must traverse it.
        self.root.chmod(0o755)
        for sub in ("run", "state", "log", "users"):
            (self.root / sub).mkdir(mode=0o755)
        mail = self.root / "mail"
        mail.mkdir(mode=0o755)
        self.log_path.touch(mode=0o644)
        if os.geteuid() == 0:
            # Mail processes run as nobody and create each user's home/Maildir here.
            nobody = pwd.getpwnam("nobody")
            os.chown(mail, nobody.pw_uid, nobody.pw_gid)
        for name in self._users:
            self._write_passwd(name)

    # -- lifecycle -----------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the Dovecot master process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> Self:
        """Write the config, start ``dovecot -F`` and wait until IMAP answers.

        Raises:
            DovecotError: if Dovecot is missing, exits early, or the port does not
                open within ``startup_timeout``; the message includes the log tail.
        """
        if self.running:
            return self
        if self.binary is None:
            raise DovecotError(NOT_INSTALLED_REASON)
        self.version = dovecot_version(self.binary)
        if _version_tuple(self.version)[:2] != (2, 3):
            # 2.4 (Debian trixie) changed the config format incompatibly (mail_location,
            # passdb/userdb blocks, disable_plaintext_auth -> auth_allow_cleartext, ...).
            raise DovecotError(
                f"tests/servers/dovecot.py writes a Dovecot 2.3 config, found {self.version}"
            )
        attempts = 1 if self._fixed_port else 3
        last_error: DovecotError | None = None
        for _ in range(attempts):
            try:
                self._start_once()
                return self
            except DovecotError as exc:
                last_error = exc
                self.stop()
                if "Address already in use" not in str(exc):
                    break
        assert last_error is not None
        raise last_error

    def _start_once(self) -> None:
        if not self._fixed_port:
            self.port = _free_port(self.host)
        self._prepare_root()
        self.config_path.write_text(self._render_config(), encoding="utf-8")
        self.config_path.chmod(0o644)
        env = {
            "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
            "LANG": "C.UTF-8",
        }
        with open(self.stderr_path, "wb") as err:
            self._proc = subprocess.Popen(
                [str(self.binary), "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=err,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group -> stop() can kill it all
                env=env,
                cwd=self.root,
            )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        """Poll until the IMAP greeting arrives, the process dies, or we time out."""
        assert self._proc is not None
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self._proc.poll() is not None:
                raise DovecotError(
                    f"dovecot exited with status {self._proc.returncode} during startup\n"
                    + self.diagnostics()
                )
            try:
                with socket.create_connection((self.host, self.port), timeout=1.0) as sock:
                    greeting = sock.recv(256)
                if greeting.startswith(b"* OK"):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise DovecotError(
                    f"dovecot did not accept IMAP connections on {self.host}:{self.port} "
                    f"within {self.startup_timeout:.0f}s\n" + self.diagnostics()
                )
            time.sleep(0.05)

    def diagnostics(self) -> str:
        """Return the tails of the stderr capture and the Dovecot log."""
        if self.root is None:
            return "<no temp dir>"
        return (
            f"--- {self.stderr_path} ---\n{_tail(self.stderr_path)}\n"
            f"--- {self.log_path} ---\n{_tail(self.log_path)}"
        )

    def stop(self, *, cleanup: bool = True) -> None:
        """Terminate the whole process group and (optionally) delete the temp dir.

        Sends SIGTERM to the group (the master shuts its children down), waits up to
        10 s, then SIGKILLs whatever is left.
        """
        proc, self._proc = self._proc, None
        if proc is not None:
            pgid = proc.pid  # start_new_session=True -> pgid == pid of the master
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(pgid, signal.SIGKILL)
                    proc.wait(timeout=10)
            # Children (imap, auth, ...) may outlive a killed master: sweep the group, and
            # wait until the last one is gone (they are reaped by init, not by us).
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    os.killpg(pgid, 0)
                except (ProcessLookupError, PermissionError):
                    break
                time.sleep(0.05)
        if cleanup and self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- convenience ---------------------------------------------------------

    def mailbox(self, initial_folder: str | None = "INBOX") -> MailBoxUnencrypted:
        """Return a logged-in imap-tools mailbox for the default account."""
        return self.account.mailbox(initial_folder)

    def append(
        self,
        messages: Iterable[bytes],
        folder: str = "INBOX",
        flag_set: Iterable[str] | None = None,
    ) -> int:
        """Upload ``messages`` for the default account via IMAP APPEND (see
        :meth:`DovecotAccount.append`)."""
        return self.account.append(messages, folder, flag_set)


# -- pytest fixtures ----------------------------------------------------------


@pytest.fixture(scope="session")
def dovecot_session() -> Iterator[DovecotServer]:
    """A Dovecot server shared by the whole test session (default account only).

    Skips when Dovecot is missing, but fails under ``CI=true``.
    """
    binary = require_dovecot()
    with DovecotServer(binary=binary) as server:
        yield server


@pytest.fixture
def dovecot(dovecot_session: DovecotServer) -> DovecotAccount:
    """A fresh user with an empty Maildir on the session Dovecot server."""
    return dovecot_session.new_account("t")
