"""`bounceback review`: the command-line side of the review page."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from bounceback.errors import ConfigError
from bounceback.settings import Settings, load_settings

DEFAULT_PORT = 8731


def _demo_settings(settings: Settings) -> Settings:
    """Settings pointing at the database `bounceback demo` left in its folder."""
    from bounceback.demo.run import demo_database, demo_folder

    database = demo_database(demo_folder(settings))
    if not database.exists():
        raise ConfigError(f"no demo data in {database.parent}: run bounceback demo first")
    return settings.with_database(f"sqlite:///{database}")


def review(
    port: Annotated[
        int, typer.Option(help="Port on 127.0.0.1 (0 picks a free one).")
    ] = DEFAULT_PORT,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Only print the address; do not open a browser.")
    ] = False,
    demo: Annotated[
        bool, typer.Option("--demo", help="Review the data `bounceback demo` left behind.")
    ] = False,
) -> None:
    """Open the review page: check what was extracted from your mail and correct it.

    Serves on 127.0.0.1 only and prints an address with a private token. Every
    correction is stored; `bounceback train` learns from them.
    """
    from bounceback.review.server import run_review

    settings = load_settings()
    run_review(
        _demo_settings(settings) if demo else settings,
        port=port,
        open_browser=not no_browser,
        console=Console(highlight=False),
    )
