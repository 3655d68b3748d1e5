"""The Prefect settings bounceback runs its flows with, and a quiet console for the CLI."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bounceback.settings import Settings


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
            yield
    finally:
        for handler in consoles:
            handler.removeFilter(_no_prefect_errors)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _no_prefect_errors(record: logging.LogRecord) -> bool:
    """Console filter: drop Prefect's own ERROR records (tracebacks of failed runs)."""
    return not (record.levelno >= logging.ERROR and record.name.startswith("prefect"))
