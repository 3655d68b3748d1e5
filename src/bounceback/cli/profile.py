"""`bounceback profile`: show or set what you are looking for and when the digest arrives."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from bounceback.account.profile import ProfileUpdate, update_profile
from bounceback.settings import load_settings
from bounceback.storage.db import sessions_for


def profile(
    role: Annotated[
        list[str] | None, typer.Option("--role", help="A target role (repeatable).")
    ] = None,
    keyword: Annotated[
        list[str] | None, typer.Option("--keyword", help="A skill or keyword (repeatable).")
    ] = None,
    location: Annotated[
        list[str] | None,
        typer.Option("--location", help='A place you would work, or "Remote" (repeatable).'),
    ] = None,
    salary_floor: Annotated[
        int | None, typer.Option(help="Lowest yearly salary you would take (0 clears it).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Your name, to sign feedback requests.")] = None,
    timezone: Annotated[
        str | None, typer.Option(help="Your time zone, e.g. Europe/London.")
    ] = None,
    digest_day: Annotated[
        str | None, typer.Option(help="Weekday the digest arrives, e.g. monday.")
    ] = None,
    digest_time: Annotated[
        str | None, typer.Option(help="Time the digest arrives, 24-hour HH:MM.")
    ] = None,
    quiet_days: Annotated[
        int | None,
        typer.Option(
            metavar="DAYS",
            help="Days without a reply before an application counts as gone quiet (default 21).",
        ),
    ] = None,
    pause: Annotated[
        bool | None,
        typer.Option(
            "--pause/--resume",
            help="Stop the scheduled digests, or start them again (a reply 'pause' does too).",
        ),
    ] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="Forget roles, keywords, locations and salary floor.")
    ] = False,
    account: Annotated[
        str | None, typer.Option(help="The account, if several are connected.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Show or set what you are looking for, and when the weekly digest arrives.

    Roles, keywords, locations and the salary floor rank the job alerts in the digest.
    Each repeatable option replaces its whole list; with no options it shows the profile.
    """
    change = ProfileUpdate(
        name=name,
        roles=tuple(role or ()),
        keywords=tuple(keyword or ()),
        locations=tuple(location or ()),
        salary_floor=salary_floor,
        timezone=timezone,
        digest_day=digest_day,
        digest_time=digest_time,
        quiet_days=quiet_days,
        paused=pause,
        clear=clear,
    )
    shown = update_profile(sessions_for(load_settings().database_url), account, change)
    if json_output:
        print(json.dumps(shown))
        return
    console = Console(highlight=False)
    console.print(f"[bold]{shown['address']}[/bold]", markup=True)
    for label, key in (("roles", "target_roles"), ("keywords", "keywords"),
                       ("locations", "locations")):  # fmt: skip
        console.print(f"  {label}: {', '.join(shown[key]) or 'none yet'}", markup=False)
    floor = shown["salary_floor"]
    console.print(f"  salary floor: {floor if floor else 'none'}", markup=False)
    console.print(f"  gone quiet after: {shown['quiet_days']} days", markup=False)
    console.print(
        f"  digest: {shown['digest_day'].capitalize()}s at {shown['digest_time']} "
        f"({shown['timezone']})"
        + (", paused (--resume to restart)" if shown["digest_paused"] else ""),
        markup=False,
    )
