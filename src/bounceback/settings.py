"""bounceback's settings: one typed object, read once at the edge and passed down as a value.

The edges are the command line, `bounceback serve` and a flow run started by a Prefect
deployment (its worker's environment); nothing below them reads the environment.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

HOME_ENV = "BOUNCEBACK_HOME"
DATABASE_ENV = "BOUNCEBACK_DATABASE_URL"
#: Time between polls unless `serve --interval` or a deployment says otherwise. Kept here,
#: not in flows.schedules, so the command line shows it without importing the flows.
DEFAULT_POLL_INTERVAL = timedelta(minutes=15)


def _default_home() -> Path:
    return Path(user_data_dir("bounceback", appauthor=False))


class Settings(BaseSettings):
    """Where bounceback keeps its data and how it syncs; every field has a BOUNCEBACK_ variable."""

    model_config = SettingsConfigDict(
        env_prefix="BOUNCEBACK_", frozen=True, extra="ignore", populate_by_name=True
    )

    #: BOUNCEBACK_HOME: configuration, the default SQLite database, trained models, Prefect.
    home: Path = Field(default_factory=_default_home)
    #: BOUNCEBACK_DATABASE_URL: any SQLAlchemy URL instead of the SQLite file in home. A
    #: secret, because a URL can carry a password: it never shows in logs or Prefect.
    database: SecretStr | None = Field(default=None, validation_alias=DATABASE_ENV)
    #: BOUNCEBACK_FETCH_CHUNK: messages fetched and committed per transaction.
    fetch_chunk: int = Field(default=250, ge=1)
    #: BOUNCEBACK_MAX_MESSAGE_MB: bodies above this are kept as headers only.
    max_message_mb: float = Field(default=25.0, gt=0)
    #: BOUNCEBACK_DAILY_DOWNLOAD_MB: a daily download cap for every account (Gmail has one anyway).
    daily_download_mb: float | None = Field(default=None, gt=0)
    #: BOUNCEBACK_ALLOW_PLAINTEXT_KEYRING=1: accept a keyring backend that stores plain text.
    allow_plaintext_keyring: bool = False
    #: BOUNCEBACK_REVIEW_URL: where you keep the review page open (e.g. http://127.0.0.1:8731
    #: with `bounceback review --port 8731` running); digests then link each item to it.
    review_url: str | None = None

    @field_validator("review_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not a web address; give e.g. http://127.0.0.1:8731")
        return value.rstrip("/") if value else None

    @field_validator("home", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL of bounceback's database."""
        if self.database is not None and self.database.get_secret_value():
            return self.database.get_secret_value()
        return f"sqlite:///{self.home / 'bounceback.db'}"

    @property
    def models_dir(self) -> Path:
        """Models trained on this install (the shipped model is used until one exists)."""
        return self.home / "models"

    @property
    def prefect_home(self) -> Path:
        """Prefect's own state when bounceback runs it (unless PREFECT_HOME says otherwise)."""
        return self.home / "prefect"

    def with_database(self, url: str) -> Settings:
        """A copy pointing at another database (the demo's own)."""
        return self.model_copy(update={"database": SecretStr(url)})


def private_dir(path: Path) -> Path:
    """Create path (and missing parents) readable by its owner only: 0700 (issue 16)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """Create path empty if missing and make it readable by its owner only: 0600.

    Created with that mode, so its contents are never readable by others, even briefly.
    """
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return path


def load_settings() -> Settings:
    """Settings from BOUNCEBACK_* environment variables (the command line's edge).

    BOUNCEBACK_HOME holds all the mail, so it is created (or tightened) owner-only.
    """
    settings = Settings()
    private_dir(settings.home)
    return settings
