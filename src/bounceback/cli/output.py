"""What every command shares: the two consoles and the one-line error handler."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
import typer
from rich.console import Console

from bounceback.errors import BouncebackError
from bounceback.settings import Settings

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)
F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, status: int = 1) -> typer.Exit:
    """Write one line to stderr (never wrapped, whatever the terminal) and give the exit."""
    sys.stderr.write("bounceback: " + " ".join(message.split()) + "\n")
    sys.stderr.flush()
    return typer.Exit(status)


def friendly_errors(func: F) -> F:
    """Turn every failure into one line on stderr and exit status 1 (never a traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from pydantic import ValidationError

        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, click.exceptions.ClickException):
            raise
        except BouncebackError as exc:
            raise fail(str(exc)) from None
        except ValidationError as exc:  # a BOUNCEBACK_* variable with a bad value
            raise fail(_settings_problem(exc)) from None
        except _database_errors() as exc:
            raise fail(
                f"the database could not be used ({exc.orig}); check "
                "BOUNCEBACK_DATABASE_URL / BOUNCEBACK_HOME and free disk space"
            ) from None
        except KeyboardInterrupt:
            raise fail("interrupted; nothing half-written is kept", 130) from None
        except OSError as exc:
            raise fail(
                f"{exc.strerror or exc} ({exc.filename or 'no file'}); check the path, "
                "its permissions and free disk space"
            ) from None
        except Exception as exc:
            if os.environ.get("BOUNCEBACK_DEBUG"):
                raise
            raise fail(f"unexpected {type(exc).__name__}: {exc}; {_report_hint()}") from None

    return wrapper  # type: ignore[return-value]


def _database_errors() -> tuple[type[Any], ...]:
    """SQLAlchemy's OperationalError if a command loaded SQLAlchemy, else nothing to catch.

    Looked up rather than imported, so a command that never touches the database (classify,
    --help) does not load SQLAlchemy just to be able to name its error.
    """
    errors = sys.modules.get("sqlalchemy.exc")
    return (errors.OperationalError,) if errors is not None else ()


def _settings_problem(exc: Any) -> str:
    first = exc.errors()[0]
    name = "BOUNCEBACK_" + str(first["loc"][0]).upper() if first.get("loc") else "a setting"
    return f"{name} has a bad value ({first['msg']}); fix or unset it"


def _report_hint() -> str:
    return "run it again with BOUNCEBACK_DEBUG=1 for the traceback, and please report it"


def _sessions(settings: Settings) -> Any:
    from bounceback.storage.db import sessions_for

    return sessions_for(settings.database_url)


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
