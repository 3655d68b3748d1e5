"""The `bounceback` command: registers each command; the commands live in their modules.

Every command is a thin adapter over one library function. Heavy libraries (spaCy,
Prefect, SQLAlchemy, Alembic) are imported inside the commands that need them, so `--help`
and `classify` stay quick; tests/cli/test_startup.py keeps it so.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from bounceback.cli import (
    applications,
    connect,
    data,
    profile,
    reanalyse,
    review,
    run,
    serve,
    train,
)
from bounceback.cli.output import _redacted, friendly_errors, out
from bounceback.settings import load_settings

app = typer.Typer(
    name="bounceback",
    help="Turn the rejection emails in your mailbox into a weekly plan. Everything stays local.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help: option names never cut, no <bool> after flags, fits 80 columns.
    rich_markup_mode=None,
    context_settings={"max_content_width": 100},
)
db_app = typer.Typer(
    help="Manage bounceback's database.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(db_app, name="db")

for command in (
    connect.connect,
    run.poll,
    data.status,
    run.digest,
    data.classify,
    data.export,
    data.forget,
    run.demo,
    serve.serve,
    review.review,
    train.train,
    profile.profile,
    applications.applications,
):
    app.command(command.__name__)(friendly_errors(command))


@db_app.command("upgrade")
@friendly_errors
def db_upgrade(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Create the database or bring its schema up to date."""
    from bounceback.storage.db import current_revision, make_engine, upgrade

    settings = load_settings()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    where = _redacted(settings.database_url)
    if json_output:
        print(json.dumps({"database": where, "revision": revision}))
        return
    out.print(f"database is up to date (revision {revision}): {where}", markup=False)


db_app.command("reanalyse")(friendly_errors(reanalyse.reanalyse))


def main() -> None:
    """Entry point of the console script."""
    app()
