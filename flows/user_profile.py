"""`bounceback profile`: what the user is looking for, and when the digest should arrive.

Target roles, keywords, locations and a salary floor rank the job alerts in the
digest; the time zone, weekday and time set the weekly digest schedule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from sqlalchemy.orm import Session, sessionmaker

from bounceback.flows.errors import ConfigError, NotFoundError
from bounceback.storage import queries
from bounceback.storage.models import Account

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True, slots=True)
class ProfileUpdate:
    """The changes asked for on the command line; None (or empty) leaves a field alone."""

    name: str | None = None
    roles: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    salary_floor: int | None = None
    timezone: str | None = None
    digest_day: str | None = None
    digest_time: str | None = None
    clear: bool = False


def parse_weekday(value: str) -> int:
    """0 for Monday … 6 for Sunday, from a full or three-letter name."""
    folded = value.strip().casefold()
    for index, day in enumerate(WEEKDAYS):
        if folded in (day, day[:3]):
            return index
    raise ConfigError(f"{value!r} is not a weekday; use e.g. monday or mon")


def parse_time(value: str) -> str:
    """A 24-hour HH:MM time."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ConfigError(f"{value!r} is not a time; use 24-hour HH:MM, e.g. 08:30")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_timezone(value: str) -> str:
    """An IANA time zone name such as Europe/London."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{value!r} is not a time zone; use an IANA name such as Europe/London"
        ) from None
    return value


def _clean(values: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(" ".join(v.split()) for v in values if v.strip()))


def digest_cron(account: Account) -> tuple[str, str]:
    """The weekly digest schedule as (cron expression, time zone) for Prefect."""
    hour, minute = account.digest_time.split(":")
    cron_day = (account.digest_weekday + 1) % 7  # cron counts from Sunday = 0
    return f"{int(minute)} {int(hour)} * * {cron_day}", account.timezone


def update_profile(
    sessions: sessionmaker[Session], address: str | None, change: ProfileUpdate
) -> dict[str, Any]:
    """Apply the change to one account's profile (the only account if none is named)."""
    with sessions.begin() as session:
        account = _pick_account(address, session=session)
        fields: dict[str, Any] = {}
        if change.clear:
            fields = {"target_roles": [], "keywords": [], "locations": [], "salary_floor": None}
        if change.name is not None:
            fields["name"] = " ".join(change.name.split()) or None
        if change.roles:
            fields["target_roles"] = _clean(change.roles)
        if change.keywords:
            fields["keywords"] = _clean(change.keywords)
        if change.locations:
            fields["locations"] = _clean(change.locations)
        if change.salary_floor is not None:
            if change.salary_floor < 0:
                raise ConfigError("the salary floor cannot be negative")
            fields["salary_floor"] = change.salary_floor or None
        if change.timezone is not None:
            account.timezone = parse_timezone(change.timezone)
        if change.digest_day is not None:
            account.digest_weekday = parse_weekday(change.digest_day)
        if change.digest_time is not None:
            account.digest_time = parse_time(change.digest_time)
        if fields or queries.get_profile(account.id, session=session) is None:
            queries.save_profile(account.id, fields, session=session)
        return describe(account, session=session)


def describe(account: Account, *, session: Session) -> dict[str, Any]:
    """The profile as a JSON-ready dictionary."""
    profile = queries.get_profile(account.id, session=session)
    cron, zone = digest_cron(account)
    return {
        "address": account.address,
        "name": profile.name if profile else None,
        "target_roles": list(profile.target_roles) if profile else [],
        "keywords": list(profile.keywords) if profile else [],
        "locations": list(profile.locations) if profile else [],
        "salary_floor": profile.salary_floor if profile else None,
        "timezone": zone,
        "digest_day": WEEKDAYS[account.digest_weekday],
        "digest_time": account.digest_time,
        "digest_cron": cron,
    }


def _pick_account(address: str | None, *, session: Session) -> Account:
    if address:
        account = queries.get_account(address, session=session)
        if account is None:
            raise NotFoundError(f"no account {address} is connected; run bounceback connect")
        return account
    accounts = queries.list_accounts(session=session)
    if not accounts:
        raise NotFoundError("no account is connected yet; run bounceback connect first")
    if len(accounts) > 1:
        raise ConfigError("several accounts are connected; say which with --account ADDRESS")
    return accounts[0]


def profile_command(
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
    import json

    from rich.console import Console

    from bounceback.flows.runtime import sessions_for
    from bounceback.flows.settings import load_settings

    change = ProfileUpdate(
        name=name,
        roles=tuple(role or ()),
        keywords=tuple(keyword or ()),
        locations=tuple(location or ()),
        salary_floor=salary_floor,
        timezone=timezone,
        digest_day=digest_day,
        digest_time=digest_time,
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
    console.print(
        f"  digest: {shown['digest_day'].capitalize()}s at {shown['digest_time']} "
        f"({shown['timezone']})",
        markup=False,
    )
