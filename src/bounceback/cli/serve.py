"""`bounceback serve`: the schedules in one process until stopped."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from bounceback.errors import ConfigError, NotFoundError
from bounceback.settings import DEFAULT_POLL_INTERVAL, load_settings


def serve(
    interval: Annotated[
        float, typer.Option(metavar="MINUTES", help="Minutes between polls (Gmail: 15 or more).")
    ] = DEFAULT_POLL_INTERVAL.total_seconds() / 60,
    retrain: Annotated[
        bool, typer.Option(help="Also retrain the models every Sunday at 03:00 UTC.")
    ] = True,
    prefect_port: Annotated[
        int,
        typer.Option(
            metavar="PORT",
            help="Port of the private Prefect server (when PREFECT_API_URL is unset).",
        ),
    ] = 4200,
) -> None:
    """Run the poll, weekly digest and retraining schedules until stopped (Ctrl-C or SIGTERM).

    Polls every 15 minutes by default and sends each account's digest at its chosen
    weekday and time in its time zone; a digest missed while stopped goes out once.
    """
    from rich.console import Console

    from bounceback.cli.run import polled_accounts
    from bounceback.flows.serve import run_serve

    if not 0 < prefect_port < 65536:
        raise ConfigError(f"--prefect-port {prefect_port} is not a port; give 1 to 65535")
    settings = load_settings()
    console = Console(highlight=False)
    try:
        polled_accounts(settings, None)
    except NotFoundError:
        # A service may start before anyone connects; each poll picks up new accounts.
        console.print(
            "no account is connected yet: polls find nothing until you run "
            "bounceback connect ADDRESS",
            markup=False,
        )
    run_serve(
        settings,
        timedelta(minutes=interval),
        retrain=retrain,
        prefect_port=prefect_port,
        announce=lambda line: console.print(line, markup=False),
    )
