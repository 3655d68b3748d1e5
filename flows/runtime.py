"""The Prefect settings bounceback runs its flows with, and a quiet console for the CLI."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bounceback.errors import BouncebackError
from bounceback.settings import Settings

#: Watches the command that started Prefect's temporary server: once that command is gone
#: (killed with -9, crashed), stops the server, which would otherwise run on (~180 MiB).
#: The server is recognised by its start time, so a reused process id is never signalled.
_WATCHDOG = """
import os, signal, sys, time
parent, child = int(sys.argv[1]), int(sys.argv[2])
def started(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == b"Z" else fields[19]
mark = started(child)
while mark is not None and os.getppid() == parent:
    time.sleep(0.5)
    if started(child) != mark:
        sys.exit(0)
for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 0.0)):
    if mark is None or started(child) != mark:
        break
    os.kill(child, sig)
    end = time.monotonic() + wait
    while time.monotonic() < end and started(child) == mark:
        time.sleep(0.1)
"""
_watchdogs: list[subprocess.Popen[bytes]] = []


class PrefectStartError(BouncebackError):
    """Prefect's temporary server did not start in time."""


def prefect_updates() -> dict[str, Any]:
    """Prefect settings bounceback runs with (no telemetry, no heartbeat thread)."""
    updates: dict[str, Any] = {
        # Sync flows lose ~1 s each to the heartbeat thread; crash detection is not
        # needed for these short runs.
        "flows.heartbeat_frequency": None,
        "server.analytics_enabled": False,
        "telemetry.enable_resource_metrics": False,
        "cloud.enable_orchestration_telemetry": False,
        # The temporary server migrates its database on first start, and a busy machine
        # can take longer than Prefect's 20 s default to answer.
        "server.ephemeral.startup_timeout_seconds": 120,
    }
    return updates


@contextmanager
def prefect_context(settings: Settings, *, quiet: bool = False) -> Iterator[None]:
    """Run the enclosed flows with bounceback's Prefect settings.

    Prefect keeps its state (the temporary server's database, its logs) under
    BOUNCEBACK_HOME/prefect, next to bounceback's own data, unless PREFECT_HOME says where.
    """
    from prefect.logging.configuration import ensure_logging_setup
    from prefect.logging.handlers import PrefectConsoleHandler
    from prefect.settings import temporary_settings

    # Prefect configures its loggers when imported, so quietening is done on the loggers.
    loggers = [logging.getLogger(name) for name in ("prefect", "prefect.server")]
    levels = [logger.level for logger in loggers]
    if quiet:
        for logger in loggers:
            logger.setLevel(logging.WARNING)
    # A failed task logs its traceback at ERROR. The command line reports the failure as one
    # sentence (bounceback.cli.output.friendly_errors), so those records stay out of the
    # terminal; they still reach the run's logs in Prefect's API (handlers on run loggers).
    ensure_logging_setup()
    consoles = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, PrefectConsoleHandler)
    ]
    for handler in consoles:
        handler.addFilter(_no_prefect_errors)
    try:
        updates = prefect_updates()
        if not os.environ.get("PREFECT_HOME"):
            settings.prefect_home.mkdir(parents=True, exist_ok=True)
            updates["home"] = settings.prefect_home
        with temporary_settings(updates=updates):  # type: ignore[arg-type]
            start_private_server()
            yield
    finally:
        for handler in consoles:
            handler.removeFilter(_no_prefect_errors)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def start_private_server() -> None:
    """Start Prefect's temporary server now, with a watchdog, unless an API URL is set.

    Prefect would start it on the first flow call anyway; starting it here lets a slow
    start fail in one line, and ties the server's life to this process: a watchdog stops
    it when this process is gone, however it ended (Linux; elsewhere Prefect's own exit
    handler is all there is).
    """
    from prefect.settings import get_current_settings

    current = get_current_settings()
    if current.api.url or not current.server.ephemeral.enabled:
        return
    # Imported only when needed: Prefect's server package costs ~3 s of CPU to import,
    # which a command talking to a running Prefect server (PREFECT_API_URL) never needs.
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    if server.running:
        return
    try:
        server.start()
    except RuntimeError as exc:
        if "Timed out" not in str(exc):
            raise
        raise PrefectStartError(
            "Prefect's temporary server did not answer within "
            f"{current.server.ephemeral.startup_timeout_seconds} s (the machine is busy); "
            "run the command again, or set PREFECT_API_URL to a running Prefect server"
        ) from None
    if server.server_process is not None and os.path.isdir("/proc"):
        child = str(server.server_process.pid)
        _watchdogs.append(
            subprocess.Popen(
                [sys.executable, "-S", "-c", _WATCHDOG, str(os.getpid()), child],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # a Ctrl-C to this command does not stop it first
            )
        )


def _no_prefect_errors(record: logging.LogRecord) -> bool:
    """Console filter: drop Prefect's own ERROR records (tracebacks of failed runs)."""
    return not (record.levelno >= logging.ERROR and record.name.startswith("prefect"))
