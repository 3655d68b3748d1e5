"""When an account wants its weekly digest: weekday, local time and time zone.

One set of rules for every reader: `bounceback profile` validates what it stores with the
parse functions, and `serve`, the deployments and the profile's own display all compute the
schedule with `digest_cron`, so what `profile --json` shows is what `serve` installs.
"""

from __future__ import annotations

import re
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bounceback.errors import ConfigError
from bounceback.storage.models import Account

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Used when an account's stored preferences are missing or unreadable.
DEFAULT_DIGEST_TIME = "08:00"
DEFAULT_TIMEZONE = "Europe/London"


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


def account_zone(account: Account) -> str:
    """The account's time zone name, or the default when it is missing or unknown."""
    name = account.timezone or DEFAULT_TIMEZONE
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return DEFAULT_TIMEZONE
    return name


def digest_moment(account: Account) -> tuple[int, time]:
    """The weekday (0 = Monday) and local time the account wants its digest."""
    weekday = account.digest_weekday if account.digest_weekday in range(7) else 0
    try:
        hours, minutes = (int(part) for part in (account.digest_time or "").split(":"))
        moment = time(hours, minutes)
    except ValueError:
        hours, minutes = (int(part) for part in DEFAULT_DIGEST_TIME.split(":"))
        moment = time(hours, minutes)
    return weekday, moment


def digest_cron(account: Account) -> tuple[str, str]:
    """A cron line and time zone for the account's weekly digest (cron counts Sunday as 0)."""
    weekday, moment = digest_moment(account)
    return f"{moment.minute} {moment.hour} * * {(weekday + 1) % 7}", account_zone(account)
