"""`bounceback profile`: what the user is looking for, and when the digest should arrive.

Target roles, keywords, locations and a salary floor rank the job alerts in the
digest; the time zone, weekday and time set the weekly digest schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bounceback.account.schedule import (
    WEEKDAYS,
    digest_cron,
    parse_time,
    parse_timezone,
    parse_weekday,
)
from bounceback.errors import ConfigError
from bounceback.storage import accounts
from bounceback.storage.models import Account, utcnow


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
    quiet_days: int | None = None
    paused: bool | None = None  # True pauses the scheduled digests, False resumes them
    clear: bool = False


def _clean(values: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(" ".join(v.split()) for v in values if v.strip()))


def _profile_fields(change: ProfileUpdate) -> dict[str, Any]:
    """The profile columns the change sets, checked."""
    fields: dict[str, Any] = {}
    if change.clear:
        fields = {"target_roles": [], "keywords": [], "locations": [], "salary_floor": None}
    if change.name is not None:
        fields["name"] = " ".join(change.name.split()) or None
    for key, values in (
        ("target_roles", change.roles),
        ("keywords", change.keywords),
        ("locations", change.locations),
    ):
        if values:
            fields[key] = _clean(values)
    if change.salary_floor is not None:
        if change.salary_floor < 0:
            raise ConfigError(
                f"the salary floor cannot be negative ({change.salary_floor}); give 0 to clear it"
            )
        fields["salary_floor"] = change.salary_floor or None
    if change.quiet_days is not None:
        if not 1 <= change.quiet_days <= 365:
            raise ConfigError(
                f"--quiet-days {change.quiet_days} is out of range; give 1 to 365 days"
            )
        fields["quiet_days"] = change.quiet_days
    return fields


def _schedule_fields(change: ProfileUpdate) -> dict[str, Any]:
    """The account's digest-schedule columns the change sets, checked."""
    fields: dict[str, Any] = {}
    if change.timezone is not None:
        fields["timezone"] = parse_timezone(change.timezone)
    if change.digest_day is not None:
        fields["digest_weekday"] = parse_weekday(change.digest_day)
    if change.digest_time is not None:
        fields["digest_time"] = parse_time(change.digest_time)
    if change.paused is not None:
        fields["digest_paused"] = change.paused
        fields["digest_switched_at"] = utcnow()
    return fields


def update_profile(
    sessions: sessionmaker[Session], address: str | None, change: ProfileUpdate
) -> dict[str, Any]:
    """Apply the change to one account's profile (the only account if none is named).

    Every value is checked before the account is looked up, so a typo is reported as
    such even when no account is connected yet.
    """
    fields, schedule = _profile_fields(change), _schedule_fields(change)
    with sessions.begin() as session:
        account = accounts.only_account(address, session=session)
        for key, value in schedule.items():
            setattr(account, key, value)
        if fields or accounts.get_profile(account.id, session=session) is None:
            accounts.save_profile(account.id, fields, session=session)
        return describe(account, session=session)


def describe(account: Account, *, session: Session) -> dict[str, Any]:
    """The profile as a JSON-ready dictionary."""
    profile = accounts.get_profile(account.id, session=session)
    cron, zone = digest_cron(account)
    return {
        "address": account.address,
        "name": profile.name if profile else None,
        "target_roles": list(profile.target_roles) if profile else [],
        "keywords": list(profile.keywords) if profile else [],
        "locations": list(profile.locations) if profile else [],
        "salary_floor": profile.salary_floor if profile else None,
        "quiet_days": profile.quiet_days if profile and profile.quiet_days else 21,
        "timezone": zone,
        "digest_day": WEEKDAYS[account.digest_weekday],
        "digest_time": account.digest_time,
        "digest_cron": cron,
        "digest_paused": account.digest_paused,
    }
