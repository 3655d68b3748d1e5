"""When things run: the poll interval, each account's weekly digest moment, model retraining.

Pure functions (plus the model swap), used by `bounceback serve`, the Prefect deployments
and the flows themselves, so every way of running bounceback keeps the same times.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bounceback.account.schedule import account_zone, digest_moment
from bounceback.digest.collect import Week
from bounceback.errors import ConfigError
from bounceback.mail.providers import is_gmail_host
from bounceback.storage.models import Account

#: Gmail's IMAP guidance: clients should not poll more often than every 15 minutes.
GMAIL_MIN_INTERVAL = timedelta(minutes=15)
#: Retraining: Sunday 03:00 UTC, when nobody reads digests.
RETRAIN_CRON = "0 3 * * 0"


def check_poll_interval(interval: timedelta, imap_hosts: Iterable[str]) -> timedelta:
    """The interval, if every provider allows it; ConfigError saying what to use otherwise."""
    if interval <= timedelta(0):
        raise ConfigError("the poll interval must be a positive number of minutes")
    if interval < GMAIL_MIN_INTERVAL and any(is_gmail_host(h) for h in imap_hosts):
        raise ConfigError(
            "Gmail asks mail clients to poll at most every 15 minutes; "
            "use --interval 15 or more while a Gmail account is connected"
        )
    return interval


def gmail_next_poll(account: Account, now: datetime) -> datetime | None:
    """When a Gmail account polled less than 15 minutes ago may be polled again; else None."""
    if not is_gmail_host(account.imap_host) or account.last_poll_at is None:
        return None
    allowed = account.last_poll_at + GMAIL_MIN_INTERVAL
    return allowed if allowed > now else None


def digest_week_due(account: Account, now: datetime) -> str | None:
    """The ISO week whose digest should have gone out by now, or None for a new account.

    Once this week's chosen moment has passed, that is last week; before it, the week
    before (so a digest missed while nothing ran still goes out). The outbox sends each
    week at most once, so asking again is harmless.
    """
    zone = account_zone(account)
    weekday, moment = digest_moment(account)
    this_week = Week.containing(now, zone)
    due_at = datetime.combine(
        this_week.start.date() + timedelta(days=weekday), moment, tzinfo=ZoneInfo(zone)
    )
    week = this_week.previous() if now >= due_at else this_week.previous().previous()
    if account.created_at is not None and week.end <= account.created_at:
        return None  # the account did not exist that week: nothing to catch up on
    return week.label
