"""Servers that misbehave on purpose: one that never answers, and a proxy that stalls mid-fetch."""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from types import TracebackType
from typing import Self


class _Listener:
    """A loopback TCP listener with an accept loop in a thread."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.host, self.port = self.sock.getsockname()[:2]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.received = bytearray()

    def handle(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.closing(conn):
            self.handle(conn)

    def wait(self, seconds: float) -> bool:
        """Sleep unless stopping; False once stopped."""
        return not self._stop.wait(seconds)

    def __enter__(self) -> Self:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self.sock.close()
        for thread in self._threads:
            thread.join(timeout=5)


class SilentServer(_Listener):
    """Accepts connections and never sends a byte (records what the client sends)."""

    def handle(self, conn: socket.socket) -> None:
        conn.settimeout(0.2)
        while self.wait(0):
            try:
                data = conn.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            self.received += data


class StallingProxy(_Listener):
    """Forwards to a real IMAP server until the client asks for a body, then goes quiet.

    After `trigger` appears in what the client sent, only `budget` more bytes of the
    server's answer are passed on (a literal cut off in the middle) and then nothing.
    """

    def __init__(self, upstream: tuple[str, int], trigger: bytes, budget: int = 40) -> None:
        super().__init__()
        self.upstream = upstream
        self.trigger = trigger
        self.budget = budget
        self.stalled = threading.Event()

    def handle(self, conn: socket.socket) -> None:
        with socket.create_connection(self.upstream) as server:
            triggered = False
            left = self.budget
            while self.wait(0):
                ready, _, _ = select.select([conn, server], [], [], 0.2)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is conn:
                        self.received += data
                        triggered = triggered or self.trigger in bytes(self.received)
                        server.sendall(data)
                    elif not triggered:
                        conn.sendall(data)
                    elif left > 0:
                        conn.sendall(data[:left])
                        left -= min(left, len(data))
                        if left == 0:
                            self.stalled.set()
