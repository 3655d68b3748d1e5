"""Loopback mail servers for the demo and tests: pymap's in-memory IMAP and an aiosmtpd sink.

Neither touches the network beyond 127.0.0.1, and both run in a background thread of
the calling process, so `bounceback demo` needs no account and no separate service.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import threading
from collections.abc import Iterable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session
from imap_tools import MailBox, MailBoxUnencrypted

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


class EmbeddedImapServer:
    """pymap's in-memory ("dict") backend serving one user on a loopback port."""

    def __init__(
        self, user: str = "demo", password: str = "demo-password", *, xoauth2: bool = False
    ) -> None:
        self.host = LOOPBACK
        #: Also accept AUTHENTICATE XOAUTH2, checking the bearer token like the password
        #: (a stand-in for a provider's token check, for tests).
        self.xoauth2 = xoauth2
        self.port = free_port()
        self.user = user
        self.password = password
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="pymap", daemon=True)

    def start(self) -> Self:
        """Start serving; returns once the port accepts connections."""
        self._thread.start()
        if not self._ready.wait(timeout=30):
            raise RuntimeError("the embedded IMAP server did not start within 30 s")
        if self._error is not None:
            raise RuntimeError(f"the embedded IMAP server failed: {self._error}") from self._error
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported to start(); the thread must not die silently
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        from pymap.backend.dict import DictBackend
        from pymap.imap import IMAPService

        args = argparse.Namespace(
            host=[self.host],
            port=str(self.port),
            cert=None,
            key=None,
            tls=False,
            debug=False,
            demo_data=False,
            demo_user=self.user,
            demo_password=self.password,
            proxy_protocol=None,
            inherited_sockets=None,
            passlib_cfg=None,
        )
        backend, config = await DictBackend.init(
            args, invalid_user_sleep=0.0, reject_dnsbl=False, secure_auth=False
        )
        config.apply_context()
        if self.xoauth2:
            config.__class__ = _xoauth2_config(type(config))
        service = IMAPService(backend, config)
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with AsyncExitStack() as stack:
            await backend.start(stack)
            await service.start(stack)
            self._ready.set()
            await self._stop.wait()

    def append(self, messages: Iterable[bytes], folder: str = "INBOX") -> int:
        """Upload messages with IMAP APPEND (each dated by its Date header); returns the count."""
        count = 0
        with self.mailbox() as box:
            # Nagle's algorithm stalls each APPEND literal for ~40 ms without this.
            box.client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if not box.folder.exists(folder):
                box.folder.create(folder)
            for raw in messages:
                date = message_from_bytes(raw, policy=policy.default).get("Date")
                dt = _header_datetime(date)
                box.append(raw, folder, dt=dt, flag_set=())
                count += 1
        return count

    def mailbox(self) -> MailBox:
        """A logged-in imap-tools client (plain IMAP: loopback only)."""
        box = MailBoxUnencrypted(self.host, self.port, timeout=30)
        box.login(self.user, self.password)
        return box  # type: ignore[return-value]


def _xoauth2_config(base: type[Any]) -> type[Any]:
    """A subclass of pymap's config whose SASL list adds XOAUTH2 (token checked as password)."""
    from pysasl import SASLAuth
    from pysasl.creds.plain import PlainCredentials
    from pysasl.mechanism.oauth import OAuth2Mechanism

    class TokenAsPassword(OAuth2Mechanism):
        def server_attempt(self, responses: Any) -> Any:
            external, _ = super().server_attempt(responses)
            return PlainCredentials(external.authzid, external._token or ""), None

    class XOAuth2Config(base):  # type: ignore[valid-type,misc]
        @property
        def tls_auth(self) -> SASLAuth:
            mechanisms = [*SASLAuth.defaults().server_mechanisms, TokenAsPassword()]
            return SASLAuth(mechanisms)

    return XOAuth2Config


def _header_datetime(value: Any) -> datetime | None:
    try:
        dt = getattr(value, "datetime", None)
    except Exception:  # a malformed Date header: APPEND without an internal date
        return None
    return dt if isinstance(dt, datetime) and dt.tzinfo is not None else None


@dataclass
class _Collector:
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    received: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        with self.received:
            self.messages.append(
                (str(envelope.mail_from), [str(r) for r in envelope.rcpt_tos], bytes(content))
            )
            self.received.notify_all()
        return "250 OK: queued"


@dataclass
class _XOAuth2Collector(_Collector):
    token: str = ""

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> Any:
        """Accept `AUTH XOAUTH2 <base64>` whose bearer token is the expected one."""
        from base64 import b64decode

        from aiosmtpd.smtp import AuthResult

        if len(args) < 2:
            return AuthResult(success=False)
        try:
            blob = b64decode(args[1], validate=True).decode()
        except ValueError:
            return AuthResult(success=False)
        fields = dict(part.split("=", 1) for part in blob.split("\x01") if "=" in part)
        ok = fields.get("auth") == f"Bearer {self.token}"
        return AuthResult(success=ok, handled=False)


class SmtpSink:
    """An aiosmtpd server on loopback that keeps every message it receives in memory."""

    def __init__(self, *, xoauth2_token: str | None = None) -> None:
        self.host = LOOPBACK
        self.port = free_port()
        self._collector = _Collector()
        handler: _Collector = self._collector
        extra: dict[str, Any] = {}
        if xoauth2_token is not None:  # tests: offer AUTH XOAUTH2 (plain text, loopback only)
            handler = _XOAuth2Collector(token=xoauth2_token)
            self._collector = handler
            extra = {"auth_require_tls": False}
        self._controller = Controller(handler, hostname=self.host, port=self.port, **extra)

    @property
    def messages(self) -> list[tuple[str, list[str], bytes]]:
        """(envelope sender, recipients, raw bytes) of each message received so far."""
        with self._collector.received:
            return list(self._collector.messages)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[tuple[str, list[str], bytes]]:
        """Wait until at least count messages have arrived; returns them all."""
        with self._collector.received:
            self._collector.received.wait_for(
                lambda: len(self._collector.messages) >= count, timeout=timeout
            )
            return list(self._collector.messages)

    def start(self) -> Self:
        """Start listening."""
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
