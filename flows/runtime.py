"""Process-wide resources, built lazily at the edge: engines, the analyser, Prefect settings."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bounceback.flows.settings import Settings
from bounceback.nlp.analyzer import Analyzer
from bounceback.storage.db import make_engine, session_factory, upgrade

# Flows poll several accounts at once in threads: the first calls must not race (Alembic's
# upgrade is not thread-safe, and loading the models twice wastes seconds and memory).
_BUILD_LOCK = threading.Lock()


def sessions_for(database_url: str) -> sessionmaker[Session]:
    """One engine and session factory per database URL per process (schema brought up to date)."""
    with _BUILD_LOCK:
        return _sessions_for(database_url)


@functools.cache
def _sessions_for(database_url: str) -> sessionmaker[Session]:
    upgrade(database_url)
    return session_factory(make_engine(database_url))


def analyzer_for(model_dir: Path | None) -> Analyzer:
    """Load the language models once per process; newest user-trained model first."""
    with _BUILD_LOCK:
        return _analyzer_for(model_dir)


@functools.cache
def _analyzer_for(model_dir: Path | None) -> Analyzer:
    return Analyzer.load(model_dir)


#: File in BOUNCEBACK_HOME/models naming the folder of the newest accepted model
#: (written by `bounceback train` only when the new model is not worse than the old).
MODEL_POINTER = "ACCEPTED"


def _usable(path: Path) -> bool:
    return (path / "labels").is_dir() and (path / "gaps").is_dir()


def model_dir(settings: Settings) -> Path | None:
    """The model this install should use: the newest accepted one trained here, else shipped.

    The result is a resolved folder path, so a newly accepted model is a new cache key
    for :func:`analyzer_for` and long-running processes pick it up.
    """
    pointer = settings.models_dir / MODEL_POINTER
    if pointer.is_file():
        name = pointer.read_text(encoding="utf-8").strip()
        chosen = settings.models_dir / name
        if name and "/" not in name and "\\" not in name and _usable(chosen):
            return chosen.resolve()
    current = settings.models_dir / "current"
    return current.resolve() if _usable(current) else None


def prefect_updates() -> dict[str, Any]:
    """Prefect settings bounceback runs with (no telemetry, no heartbeat thread)."""
    updates: dict[str, Any] = {
        # Sync flows lose ~1 s each to the heartbeat thread; crash detection is not
        # needed for these short runs.
        "flows.heartbeat_frequency": None,
        "server.analytics_enabled": False,
        "telemetry.enable_resource_metrics": False,
        "cloud.enable_orchestration_telemetry": False,
    }
    return updates


@contextmanager
def prefect_context(*, quiet: bool = False) -> Iterator[None]:
    """Run the enclosed flows with bounceback's Prefect settings."""
    from prefect.logging.configuration import ensure_logging_setup
    from prefect.logging.handlers import PrefectConsoleHandler
    from prefect.settings import temporary_settings

    # Prefect configures its loggers when imported, so quietening is done on the loggers.
    loggers = [logging.getLogger(name) for name in ("prefect", "prefect.server")]
    levels = [logger.level for logger in loggers]
    if quiet:
        for logger in loggers:
            logger.setLevel(logging.WARNING)
    # A failed task logs its traceback at ERROR. The command line reports the failure as
    # one sentence (flows.cli.friendly_errors), so those records stay out of the terminal;
    # they still reach the run's logs in Prefect's API, whose handlers sit on the run loggers.
    ensure_logging_setup()
    consoles = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, PrefectConsoleHandler)
    ]
    for handler in consoles:
        handler.addFilter(_no_prefect_errors)
    try:
        with temporary_settings(updates=prefect_updates()):  # type: ignore[arg-type]
            yield
    finally:
        for handler in consoles:
            handler.removeFilter(_no_prefect_errors)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _no_prefect_errors(record: logging.LogRecord) -> bool:
    """Console filter: drop Prefect's own ERROR records (tracebacks of failed runs)."""
    return not (record.levelno >= logging.ERROR and record.name.startswith("prefect"))
