"""Serving the review page on 127.0.0.1: a socket we bind ourselves, uvicorn on top."""

from __future__ import annotations

import logging
import signal
import socket
import threading
import time
import webbrowser
from types import TracebackType

import uvicorn
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from bounceback.errors import ConfigError
from bounceback.review.app import create_app
from bounceback.review.security import Guard, load_or_create_token
from bounceback.settings import Settings
from bounceback.storage import review as store

log = logging.getLogger(__name__)

HOST = "127.0.0.1"  # loopback only, whatever the caller asks: the page is for this user


def index_stored(sessions: sessionmaker[Session], *, batch: int = 1000) -> int:
    """Put analyses stored by an older version into the queue; returns how many.

    New analyses are indexed when they are stored; this explicit step runs once when the
    server starts, so that no page view ever writes.
    """
    done = 0
    while True:
        with sessions.begin() as session:
            count = store.index_pending(batch, session=session)
        done += count
        if count < batch:
            return done


def bind_loopback(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (port 0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"port {port} on {HOST} is not free ({exc.strerror}); pick another with --port"
        ) from None
    sock.listen(128)
    return sock


class ReviewServer:
    """The review app served from a background thread; a context manager."""

    def __init__(self, sessions: sessionmaker[Session], token: str, port: int = 0) -> None:
        index_stored(sessions)
        self.sock = bind_loopback(port)
        self.port = int(self.sock.getsockname()[1])
        self.guard = Guard(token=token, port=self.port)
        self.app = create_app(sessions, self.guard)
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The page's address without the token."""
        return f"http://{HOST}:{self.port}"

    @property
    def login_url(self) -> str:
        """The address to open: it carries the token once, then a cookie takes over."""
        return f"{self.base_url}/?token={self.guard.token}"

    @property
    def is_running(self) -> bool:
        """True while the background thread serves."""
        return self._thread is not None and self._thread.is_alive()

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self.server.run(sockets=[self.sock])

    def start(self) -> ReviewServer:
        """Serve from a daemon thread; returns once the server accepts requests."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the review server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.sock.close()

    def __enter__(self) -> ReviewServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def open_in_browser(url: str) -> bool:
    """Ask the desktop to open url; False when there is no browser to ask."""
    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False


def run_review(settings: Settings, *, port: int, open_browser: bool, console: Console) -> None:
    """Serve the review page until Ctrl-C, printing (and opening) its address."""
    from bounceback.storage.db import sessions_for

    token = load_or_create_token(settings.home)
    server = ReviewServer(sessions_for(settings.database_url), token, port).start()
    console.print(f"review page: {server.login_url}", soft_wrap=True)
    console.print("(the address holds a private token; press Ctrl-C to stop)")
    if open_browser and not open_in_browser(server.login_url):
        console.print("no browser could be opened here: open the address above yourself")
    try:
        wait_for_stop(server)
    finally:
        server.stop()
    console.print("review page stopped; your corrections are saved")


def wait_for_stop(server: ReviewServer) -> None:
    """Block until Ctrl-C or SIGTERM (or the server thread ends).

    Both signals get our own handler, even when the shell started us with Ctrl-C
    ignored (a background job of a script): the printed promise is that Ctrl-C stops
    the page, and a service manager's SIGTERM should stop it as cleanly.
    """
    stop = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while server.is_running and not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
