"""Process-wide resources, built lazily at the edge: engines, the analyser, Prefect settings."""

from __future__ import annotations

import functools
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


def prefect_updates(settings: Settings, *, quiet: bool = False) -> dict[str, Any]:
    """Prefect settings bounceback runs with (no telemetry, no heartbeat thread)."""
    updates: dict[str, Any] = {
        # Sync flows lose ~1 s each to the heartbeat thread; crash detection is not
        # needed for these short runs.
        "flows.heartbeat_frequency": None,
        "server.analytics_enabled": False,
        "telemetry.enable_resource_metrics": False,
        "cloud.enable_orchestration_telemetry": False,
    }
    if quiet:
        updates["logging.level"] = "WARNING"
    return updates


@contextmanager
def prefect_context(settings: Settings, *, quiet: bool = False) -> Iterator[None]:
    """Run the enclosed flows with bounceback's Prefect settings."""
    from prefect.settings import temporary_settings

    with temporary_settings(updates=prefect_updates(settings, quiet=quiet)):  # type: ignore[arg-type]
        yield
