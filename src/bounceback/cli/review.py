"""`bounceback review`: the command-line side of the review page."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from bounceback.settings import load_settings

DEFAULT_PORT = 8731


def review(
    port: Annotated[
        int, typer.Option(help="Port on 127.0.0.1 (0 picks a free one).")
    ] = DEFAULT_PORT,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Only print the address; do not open a browser.")
    ] = False,
) -> None:
    """Open the review page: check what was extracted from your mail and correct it.

    Serves on 127.0.0.1 only and prints an address with a private token. Every
    correction is stored; `bounceback train` learns from them.
    """
    from bounceback.review.server import run_review

    run_review(
        load_settings(),
        port=port,
        open_browser=not no_browser,
        console=Console(highlight=False),
    )
