"""What every command shares: the two consoles and the one-line error handler."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from bounceback.errors import BouncebackError
from bounceback.settings import Settings

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)
F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Turn known failures into one line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sqlalchemy.exc import OperationalError

        try:
            return func(*args, **kwargs)
        except BouncebackError as exc:
            err.print(f"bounceback: {exc}", markup=False)
            raise typer.Exit(1) from None
        except OperationalError as exc:
            err.print(
                f"bounceback: the database could not be used ({exc.orig}); check "
                "BOUNCEBACK_DATABASE_URL / BOUNCEBACK_HOME and free disk space",
                markup=False,
            )
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err.print("bounceback: interrupted; nothing half-written is kept")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _sessions(settings: Settings) -> Any:
    from bounceback.storage.db import sessions_for

    return sessions_for(settings.database_url)


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
