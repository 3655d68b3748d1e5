"""The poll flows: fetch and analyse each account's new mail, a few accounts at once."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, get_run_logger, unmapped
from prefect.futures import wait
from prefect.task_runners import ThreadPoolTaskRunner

from bounceback.flows.tasks import process_account
from bounceback.settings import Settings
from bounceback.storage import accounts
from bounceback.storage.db import sessions_for

#: Accounts polled at once by one flow run (threads: the work is mostly waiting on IMAP).
POLL_THREADS = 4


def account_addresses(settings: Settings, address: str | None = None) -> list[str]:
    """The one address asked for (checked), or every connected account's."""
    with sessions_for(settings.database_url).begin() as session:
        if address:
            return [accounts.require_account(address, session=session).address]
        return [a.address for a in accounts.list_accounts(session=session)]


@flow(
    name="bounceback-poll",
    log_prints=False,
    task_runner=ThreadPoolTaskRunner(max_workers=POLL_THREADS),  # type: ignore[arg-type]
)
def poll_flow(
    address: str | None = None,
    addresses: list[str] | None = None,
    gmail_pace: bool = False,
    since: date | None = None,
    settings: Settings | None = None,
) -> list[dict[str, Any]]:
    """Poll each account (or those given), then analyse what arrived; a few accounts at once.

    gmail_pace skips Gmail accounts polled less than 15 minutes ago (`bounceback poll`
    without --now); since bounds a first sync to mail received on or after that day.
    Without settings (a deployment run), they are read from the worker's environment.
    """
    settings = settings or Settings()
    names = [a.lower() for a in addresses] if addresses else account_addresses(settings, address)
    futures = process_account.map(
        unmapped(settings), names, gmail_pace=unmapped(gmail_pace), since=unmapped(since)
    )
    wait(list(futures))
    # Every account has had its turn; now a failed one fails the run (errors propagate).
    return [future.result() for future in futures]


@flow(name="bounceback-poll-dispatch")
def poll_dispatch_flow(
    batch_size: int = 10, deployment: str = "bounceback-poll/poll-batch"
) -> list[str]:
    """Split the accounts into batches and start one poll run per batch on the work pool.

    Each batch run is picked up by whichever worker is free, so polling many accounts
    spreads over every worker of the `bounceback` pool. Returns the started run ids.
    """
    from prefect.deployments import run_deployment

    names = account_addresses(Settings())
    size = max(1, batch_size)
    started = []
    for batch in (names[i : i + size] for i in range(0, len(names), size)):
        run = run_deployment(
            deployment, parameters={"addresses": list(batch)}, timeout=0, as_subflow=False
        )
        started.append(str(run.id))  # type: ignore[union-attr]
    get_run_logger().info("started %d poll batch runs", len(started))
    return started
