"""Settings read once at the edge (a CLI command or a flow body) and passed down as values."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

HOME_ENV = "BOUNCEBACK_HOME"
DATABASE_ENV = "BOUNCEBACK_DATABASE_URL"


@dataclass(frozen=True, slots=True)
class Settings:
    """Where bounceback keeps its configuration, database and trained models."""

    home: Path
    database_url: str

    @property
    def models_dir(self) -> Path:
        """Models trained on this install (the shipped model is used until one exists)."""
        return self.home / "models"

    @property
    def digests_dir(self) -> Path:
        """Where digest previews are written."""
        return self.home / "digests"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build Settings from BOUNCEBACK_HOME and BOUNCEBACK_DATABASE_URL."""
    env = os.environ if environ is None else environ
    home = Path(env.get(HOME_ENV) or user_data_dir("bounceback", appauthor=False)).expanduser()
    url = env.get(DATABASE_ENV) or f"sqlite:///{home / 'bounceback.db'}"
    return Settings(home=home, database_url=url)
