"""Process-wide resources, built lazily at the edge: engines, the analyser, Prefect settings."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bounceback.flows.settings import Settings
from bounceback.nlp.analyzer import Analyzer
from bounceback.storage.db import make_engine, session_factory, upgrade


@functools.cache
def sessions_for(database_url: str) -> sessionmaker[Session]:
    """One engine and session factory per database URL per process (schema brought up to date)."""
    upgrade(database_url)
    return session_factory(make_engine(database_url))


@functools.cache
def analyzer_for(model_dir: Path | None) -> Analyzer:
    """Load the language models once per process; newest user-trained model first."""
    return Analyzer.load(model_dir)


def model_dir(settings: Settings) -> Path | None:
    """The model this install should use: one retrained here if present, else the shipped one."""
    current = settings.models_dir / "current"
    return current if (current / "labels").is_dir() else None


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
    from prefect.settings import temporary_settings

    # Prefect configures its loggers when imported, so quietening is done on the loggers.
    loggers = [logging.getLogger(name) for name in ("prefect", "prefect.server")]
    levels = [logger.level for logger in loggers]
    if quiet:
        for logger in loggers:
            logger.setLevel(logging.WARNING)
    try:
        with temporary_settings(updates=prefect_updates()):  # type: ignore[arg-type]
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
