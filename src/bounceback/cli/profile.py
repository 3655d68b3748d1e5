"""`bounceback profile`: show or set what you are looking for and when the digest arrives."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console

from bounceback.settings import load_settings

# One alias per option keeps the command's signature short; help text lives here.
RoleOption = Annotated[list[str] | None, typer.Option("--role", help="A target role (repeatable).")]
KeywordOption = Annotated[
    list[str] | None, typer.Option("--keyword", help="A skill or keyword (repeatable).")
]
LocationOption = Annotated[
    list[str] | None,
    typer.Option("--location", help='A place you would work, or "Remote" (repeatable).'),
]
SalaryFloorOption = Annotated[
    int | None, typer.Option(help="Lowest yearly salary you would take (0 clears it).")
]
NameOption = Annotated[str | None, typer.Option(help="Your name, to sign feedback requests.")]
TimezoneOption = Annotated[str | None, typer.Option(help="Your time zone, e.g. Europe/London.")]
DigestDayOption = Annotated[
    str | None, typer.Option(help="Weekday the digest arrives, e.g. monday.")
]
DigestTimeOption = Annotated[
    str | None, typer.Option(help="Time the digest arrives, 24-hour HH:MM.")
]
QuietDaysOption = Annotated[
    int | None,
    typer.Option(
        metavar="DAYS",
        help="Days without a reply before an application counts as gone quiet (default 21).",
    ),
]
PauseOption = Annotated[
    bool | None,
    typer.Option(
        "--pause/--resume",
        help="Stop the scheduled digests, or start them again (a reply 'pause' does too).",
    ),
]
ClearOption = Annotated[
    bool, typer.Option("--clear", help="Forget roles, keywords, locations and salary floor.")
]
AccountOption = Annotated[str | None, typer.Option(help="The account, if several are connected.")]
JsonOutputOption = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]


def profile(
    role: RoleOption = None,
    keyword: KeywordOption = None,
    location: LocationOption = None,
    salary_floor: SalaryFloorOption = None,
    name: NameOption = None,
    timezone: TimezoneOption = None,
    digest_day: DigestDayOption = None,
    digest_time: DigestTimeOption = None,
    quiet_days: QuietDaysOption = None,
    pause: PauseOption = None,
    clear: ClearOption = False,
    account: AccountOption = None,
    json_output: JsonOutputOption = False,
) -> None:
    """Show or set what you are looking for, and when the weekly digest arrives.

    Roles, keywords, locations and the salary floor rank the job alerts in the digest.
    Each repeatable option replaces its whole list; with no options it shows the profile.
    """
    # Imported here: the database layer is not needed for --help or the other commands.
    from bounceback.account.profile import ProfileUpdate, update_profile
    from bounceback.storage.db import sessions_for

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
    _print_profile(shown)


def _print_profile(shown: dict[str, Any]) -> None:
    """The profile as a few lines for a person."""
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
