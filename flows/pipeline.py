"""Prefect flows and tasks. Thin: each task wraps one plain function of sync/analyse/outbox."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger, task, unmapped
from prefect.client.schemas.objects import TaskRun
from prefect.context import get_run_context
from prefect.futures import wait
from prefect.states import State
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import Task

from bounceback.flows.analyse import analyse_pending
from bounceback.flows.digest.collect import Week
from bounceback.flows.errors import BouncebackError, MailServerError, NotFoundError
from bounceback.flows.imap import ImapEndpoint, ImapReader, ServerStalledError
from bounceback.flows.lease import Lease, fenced_sessions, held, holder_name
from bounceback.flows.outbox import outbox_item, prepare_digest, send_digest, unsent_weeks
from bounceback.flows.runtime import analyzer_for, model_dir, sessions_for
from bounceback.flows.schedules import digest_week_due, gmail_next_poll
from bounceback.flows.secret_refs import resolve_secret
from bounceback.flows.settings import load_settings
from bounceback.flows.sync import SyncOptions, sync_folder, sync_warnings
from bounceback.storage import queries
from bounceback.storage.models import Account, utcnow

IO_RETRY_DELAYS: list[float] = [2, 5, 15]
#: Accounts polled at once by one flow run (threads: the work is mostly waiting on IMAP).
POLL_THREADS = 4
#: Tag of every account poll: `prefect concurrency-limit create bounceback-imap N` caps the
#: IMAP sessions the whole work pool opens at once. Without that limit the tag does nothing.
POLL_TAG = "bounceback-imap"
#: The model is CPU-bound and holds the GIL: one analysis at a time per process.
_ANALYSE_LOCK = threading.Lock()


def retryable(error: BaseException) -> bool:
    """Transient mail-server trouble is retried; a refused login or a missing secret is not.

    Nor is a server that stopped answering: it has already cost a whole socket timeout, and
    three more would keep the run alive for four; the next scheduled poll tries again.
    """
    return isinstance(error, MailServerError) and not isinstance(error, ServerStalledError)


def _retry_unless_auth(task: Task[Any, Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Prefect's retry condition for the I/O tasks: see `retryable`."""
    try:
        state.result()
    except Exception as exc:
        return retryable(exc)
    return False


def _account(address: str) -> Account:
    sessions = sessions_for(load_settings().database_url)
    with sessions.begin() as session:
        account = queries.get_account(address, session=session)
        if account is None:
            raise NotFoundError(f"no account {address} is connected; run bounceback connect")
        session.expunge(account)
        return account


def endpoint_for(account: Account) -> ImapEndpoint:
    """The IMAP endpoint stored for an account."""
    return ImapEndpoint(
        host=account.imap_host,
        port=account.imap_port,
        security=account.imap_security,
        username=account.username,
        allow_insecure_loopback=account.allow_insecure_loopback,
    )


@task(retries=3, retry_delay_seconds=IO_RETRY_DELAYS, retry_condition_fn=_retry_unless_auth)
def poll_account(address: str, lease: Lease | None = None) -> dict[str, Any]:
    """Fetch and store new mail from every folder of one account (fenced by its lease)."""
    logger = get_run_logger()
    sessions = sessions_for(load_settings().database_url)
    synced = fenced_sessions(sessions, lease) if lease is not None else sessions
    account = _account(address)
    with sessions.begin() as session:
        folder_ids = [f.id for f in queries.list_folders(account.id, session=session)]
    reports = []
    error: str | None = None
    try:
        with ImapReader(endpoint_for(account), resolve_secret(account.secret_ref)) as reader:
            for folder_id in folder_ids:
                report = sync_folder(
                    reader,
                    folder_id,
                    sessions=synced,
                    options=SyncOptions.from_environ(host=account.imap_host),
                    progress=lambda name, done, total: logger.info(
                        "folder %s: %d of %d new messages fetched", name, done, total
                    ),
                )
                logger.info("folder %s: %d new messages", report.folder, report.new_messages)
                if report.already_stored:
                    logger.info(
                        "folder %s: %d messages already stored under another label were not "
                        "downloaded again",
                        report.folder,
                        report.already_stored,
                    )
                for warning in sync_warnings(report):
                    logger.warning("folder %s: %s", report.folder, warning)
                reports.append(report)
    except BouncebackError as exc:
        error = str(exc)
        raise
    finally:
        with sessions.begin() as session:
            queries.record_poll(session.get_one(Account, account.id), error, session=session)
    return {
        "address": address,
        "new_messages": sum(r.new_messages for r in reports),
    }


@task
def analyse_account(address: str, lease: Lease | None = None) -> dict[str, Any]:
    """Run the language model over the account's unanalysed mail (fenced by its lease)."""
    settings = load_settings()
    account = _account(address)
    sessions = sessions_for(settings.database_url)
    with _ANALYSE_LOCK:
        report = analyse_pending(
            account.id,
            analyzer_for(model_dir(settings)),
            sessions=fenced_sessions(sessions, lease) if lease is not None else sessions,
        )
    get_run_logger().info(
        "analysed %d messages (%d bodies parsed: %d degraded, %d unparseable): "
        "%d gaps, %d new postings",
        report.messages,
        report.parsed,
        report.degraded,
        report.failed,
        report.gaps,
        report.postings,
    )
    return {
        "analysed": report.messages,
        "gaps": report.gaps,
        "postings": report.postings,
        "degraded": report.degraded,
        "failed": report.failed,
    }


@task
def prepare_account_digest(address: str, week: str | None) -> dict[str, Any]:
    """Render the week's digest into the outbox (once per account and week)."""
    account = _account(address)
    chosen = (
        Week.parse(week, account.timezone)
        if week
        else Week.last_complete(utcnow(), account.timezone)
    )
    item = prepare_digest(account.id, chosen, sessions=sessions_for(load_settings().database_url))
    return {"digest_id": item.digest_id, "week": item.week, "status": item.status}


@task(retries=3, retry_delay_seconds=IO_RETRY_DELAYS, retry_condition_fn=_retry_unless_auth)
def send_account_digest(address: str, week: str) -> dict[str, Any]:
    """Send the week's outbox row unless it has been sent already."""
    account = _account(address)
    sessions = sessions_for(load_settings().database_url)
    with sessions.begin() as session:
        digest = queries.digest_for_week(account.id, week, session=session)
        if digest is None:
            raise NotFoundError(f"no digest for {week} is in the outbox of {address}")
        item = outbox_item(digest)
    sent = send_digest(item, account, resolve_secret(account.secret_ref), sessions=sessions)
    get_run_logger().info("digest %s %s", week, "sent" if sent else "was already sent")
    return {"week": week, "sent": sent, "subject": item.subject}


def _addresses(address: str | None) -> list[str]:
    sessions = sessions_for(load_settings().database_url)
    with sessions.begin() as session:
        if address:
            if queries.get_account(address, session=session) is None:
                raise NotFoundError(f"no account {address} is connected; run bounceback connect")
            return [address.lower()]
        return [a.address for a in queries.list_accounts(session=session)]


def _run_id() -> str | None:
    try:
        context = get_run_context()
    except Exception:  # outside a run there is no id to record
        return None
    run = getattr(context, "task_run", None) or getattr(context, "flow_run", None)
    return str(run.id) if run is not None else None


def _skipped(address: str, reason: str, until: datetime | None) -> dict[str, Any]:
    """The summary of an account not polled: held by another poll, or Gmail's pace."""
    moment = until.isoformat() if until is not None else None
    return {
        "address": address,
        "skipped": True,
        "reason": reason,
        "held_until": moment if reason == "lease" else None,
        "next_poll_at": moment if reason == "gmail-interval" else None,
        "new_messages": 0,
        "degraded": 0,
        "failed": 0,
        "analysed": 0,
        "gaps": 0,
        "postings": 0,
    }


@task(tags=[POLL_TAG])
def process_account(address: str, gmail_pace: bool = False) -> dict[str, Any]:
    """Poll, then analyse, one account while holding its lease; skip it if another run does.

    With gmail_pace (a poll asked for by hand), a Gmail account polled less than 15
    minutes ago is skipped too: Gmail asks clients not to poll more often.
    """
    account = _account(address)
    if gmail_pace:
        allowed = gmail_next_poll(account, utcnow())
        if allowed is not None:
            get_run_logger().info("Gmail account polled less than 15 minutes ago: skipped")
            return _skipped(address, "gmail-interval", allowed)
    sessions = sessions_for(load_settings().database_url)
    with held(sessions, account.id, holder_name(_run_id())) as lease:
        if lease is None:
            get_run_logger().info("another poll of this account is running: skipped")
            return _skipped(address, "lease", _account(address).poll_lease_expires_at)
        polled = poll_account(address, lease)
        analysed = analyse_account(address, lease)
    return {**polled, **analysed, "skipped": False}


@flow(
    name="bounceback-poll",
    log_prints=False,
    task_runner=ThreadPoolTaskRunner(max_workers=POLL_THREADS),  # type: ignore[arg-type]
)
def poll_flow(
    address: str | None = None, addresses: list[str] | None = None, gmail_pace: bool = False
) -> list[dict[str, Any]]:
    """Poll each account (or those given), then analyse what arrived; a few accounts at once.

    gmail_pace skips Gmail accounts polled less than 15 minutes ago (`bounceback poll`
    without --now); scheduled polls are paced by their schedule instead.
    """
    names = [a.lower() for a in addresses] if addresses else _addresses(address)
    futures = process_account.map(names, gmail_pace=unmapped(gmail_pace))
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

    started = []
    names = _addresses(None)
    size = max(1, batch_size)
    for batch in (names[i : i + size] for i in range(0, len(names), size)):
        run = run_deployment(
            deployment, parameters={"addresses": list(batch)}, timeout=0, as_subflow=False
        )
        started.append(str(run.id))  # type: ignore[union-attr]
    get_run_logger().info("started %d poll batch runs", len(started))
    return started


@flow(name="bounceback-digest-due")
def digest_due_flow(address: str | None = None) -> list[dict[str, Any]]:
    """Send each account's digest once its chosen weekday and time have passed (catches up).

    Safe to run as often as you like: an account whose digest is not due yet is skipped,
    and a digest already sent is never sent again.
    """
    results = []
    now = utcnow()
    for each in _addresses(address):
        account = _account(each)
        week = digest_week_due(account, now)
        if week is not None:
            prepared = prepare_account_digest(each, week)
            results.append({**prepared, **send_account_digest(each, prepared["week"])})
        # A send interrupted earlier (crash, SMTP down) goes out once now.
        sessions = sessions_for(load_settings().database_url)
        for earlier in unsent_weeks(account.id, sessions=sessions):
            if earlier != week:
                results.append(send_account_digest(each, earlier))
    return results


@flow(name="bounceback-retrain")
def retrain_flow(folds: int = 4) -> dict[str, Any]:
    """Retrain on the shipped corpus plus review corrections; switch models only if not worse.

    The same as `bounceback train`; polls pick up an accepted model on their next run.
    """
    from bounceback.flows.retrain import retrain

    result = retrain(load_settings(), folds=folds, progress=get_run_logger().info)
    get_run_logger().info(
        "new model %s", f"accepted: {result.model_path}" if result.accepted else "not better: kept"
    )
    return result.to_json()


@flow(name="bounceback-digest")
def digest_flow(
    address: str | None = None, week: str | None = None, send: bool = True
) -> list[dict[str, Any]]:
    """Prepare each account's weekly digest and send it unless it was sent before."""
    results = []
    for each in _addresses(address):
        prepared = prepare_account_digest(each, week)
        if send:
            results.append({**prepared, **send_account_digest(each, prepared["week"])})
            # A send interrupted in an earlier week (crash, SMTP down) goes out once now.
            sessions = sessions_for(load_settings().database_url)
            for earlier in unsent_weeks(_account(each).id, sessions=sessions):
                if earlier != prepared["week"]:
                    results.append(send_account_digest(each, earlier))
        else:
            results.append(prepared)
    return results
