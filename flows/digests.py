"""The digest flows: render each account's weekly digest once and send it at most once."""

from __future__ import annotations

from typing import Any

from prefect import flow

from bounceback.flows.outbox import unsent_weeks
from bounceback.flows.poll import account_addresses
from bounceback.flows.schedules import digest_week_due
from bounceback.flows.tasks import prepare_account_digest, send_account_digest
from bounceback.settings import Settings
from bounceback.storage import accounts
from bounceback.storage.db import sessions_for
from bounceback.storage.models import utcnow


def _catch_up(settings: Settings, address: str, skip: str | None) -> list[dict[str, Any]]:
    """Send once what an earlier run left unsent (a crash, SMTP down), except week `skip`."""
    sessions = sessions_for(settings.database_url)
    with sessions.begin() as session:
        account_id = accounts.require_account(address, session=session).id
    return [
        send_account_digest(settings, address, week)
        for week in unsent_weeks(account_id, sessions=sessions)
        if week != skip
    ]


@flow(name="bounceback-digest")
def digest_flow(
    address: str | None = None,
    week: str | None = None,
    send: bool = True,
    settings: Settings | None = None,
) -> list[dict[str, Any]]:
    """Prepare each account's weekly digest and send it unless it was sent before."""
    settings = settings or Settings()
    results = []
    for each in account_addresses(settings, address):
        prepared = prepare_account_digest(settings, each, week)
        if not send:
            results.append(prepared)
            continue
        results.append({**prepared, **send_account_digest(settings, each, prepared["week"])})
        results += _catch_up(settings, each, prepared["week"])
    return results


@flow(name="bounceback-digest-due")
def digest_due_flow(
    address: str | None = None, settings: Settings | None = None
) -> list[dict[str, Any]]:
    """Send each account's digest once its chosen weekday and time have passed (catches up).

    Safe to run as often as you like: an account whose digest is not due yet is skipped,
    and a digest already sent is never sent again. A paused account gets none; an explicit
    `bounceback digest --send` still sends.
    """
    settings = settings or Settings()
    results = []
    now = utcnow()
    with sessions_for(settings.database_url).begin() as session:
        chosen = [
            a
            for a in accounts.list_accounts(session=session)
            if address is None or a.address == address.lower()
        ]
        due = {a.address: digest_week_due(a, now) for a in chosen}
        paused = {a.address for a in chosen if a.digest_paused}
    for each in account_addresses(settings, address):
        if each in paused:
            # The user asked for a pause: no digest, and no catch-up of the weeks it skips.
            results.append({"address": each, "skipped": "paused: reply 'resume' to restart"})
            continue
        week = due.get(each)
        if week is not None:
            prepared = prepare_account_digest(settings, each, week)
            results.append({**prepared, **send_account_digest(settings, each, prepared["week"])})
        results += _catch_up(settings, each, week)
    return results
