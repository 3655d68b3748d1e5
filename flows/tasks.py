"""Prefect tasks: each wraps one plain step (sync, analyse, outbox) for one account.

Retries are for network I/O only (`retryable`): a refused login, a missing secret or a
stalled server is never retried within a run. Every task takes the run's settings as a
value; none reads the environment.
"""

from __future__ import annotations

import threading
from typing import Any

from prefect import get_run_logger, task
from prefect.client.schemas.objects import TaskRun
from prefect.context import get_run_context
from prefect.states import State
from prefect.tasks import Task

from bounceback.account.endpoints import imap_endpoint
from bounceback.digest.collect import Week
from bounceback.errors import BouncebackError, MailServerError
from bounceback.flows import quarantine
from bounceback.flows.analyse import analyse_pending
from bounceback.flows.lease import Lease, fenced_sessions, held, holder_name
from bounceback.flows.link import link_pending
from bounceback.flows.outbox import outbox_item, prepare_digest, send_digest
from bounceback.flows.schedules import gmail_next_poll
from bounceback.flows.sync import sync_folder, sync_warnings
from bounceback.flows.sync_plan import SyncOptions
from bounceback.mail.credentials import resolve_secret
from bounceback.mail.imap import ImapReader, ServerStalledError
from bounceback.nlp.registry import accepted_model_dir, load_analyzer
from bounceback.settings import Settings
from bounceback.storage import accounts, digests, mailbox
from bounceback.storage.db import sessions_for
from bounceback.storage.models import Account, utcnow

IO_RETRY_DELAYS: list[float] = [2, 5, 15]
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


def _account(settings: Settings, address: str) -> Account:
    with sessions_for(settings.database_url).begin() as session:
        account = accounts.require_account(address, session=session)
        session.expunge(account)
        return account


@task(retries=3, retry_delay_seconds=IO_RETRY_DELAYS, retry_condition_fn=_retry_unless_auth)
def poll_account(
    settings: Settings, address: str, lease: Lease | None = None, since: Any = None
) -> dict[str, Any]:
    """Fetch and store new mail from every folder of one account (fenced by its lease)."""
    logger = get_run_logger()
    sessions = sessions_for(settings.database_url)
    synced = fenced_sessions(sessions, lease) if lease is not None else sessions
    account = _account(settings, address)
    options = SyncOptions.for_account(settings, account.imap_host, since=since)
    with sessions.begin() as session:
        folder_ids = [f.id for f in mailbox.list_folders(account.id, session=session)]
    new_messages = 0
    error: str | None = None
    try:
        secret = resolve_secret(account.secret_ref)
        with ImapReader(imap_endpoint(account), secret) as reader:
            for folder_id in folder_ids:
                report = sync_folder(
                    reader,
                    folder_id,
                    sessions=synced,
                    options=options,
                    progress=lambda name, done, total: logger.info(
                        "folder %s: %d of %d new messages fetched", name, done, total
                    ),
                )
                logger.info("folder %s: %d new messages", report.folder, report.new_messages)
                for warning in sync_warnings(report):
                    logger.warning("folder %s: %s", report.folder, warning)
                new_messages += report.new_messages
    except BouncebackError as exc:
        error = str(exc)
        raise
    except Exception as exc:  # recorded as one line for `status`; the run still fails
        error = f"polling failed: {quarantine.reason_for(exc)}"
        raise
    finally:
        with sessions.begin() as session:
            accounts.record_poll(session.get_one(Account, account.id), error, session=session)
    return {"address": address, "new_messages": new_messages}


@task
def analyse_account(settings: Settings, address: str, lease: Lease | None = None) -> dict[str, Any]:
    """Run the language model over the account's unanalysed mail (fenced by its lease)."""
    account = _account(settings, address)
    sessions = sessions_for(settings.database_url)
    try:
        with _ANALYSE_LOCK:
            report = analyse_pending(
                account.id,
                load_analyzer(accepted_model_dir(settings.models_dir)),
                sessions=fenced_sessions(sessions, lease) if lease is not None else sessions,
            )
    except Exception as exc:  # recorded as one line for `status`; the run still fails
        error = str(exc) if isinstance(exc, BouncebackError) else quarantine.reason_for(exc)
        with sessions.begin() as session:
            accounts.record_error(account.id, f"analysis failed: {error}", session=session)
        raise
    # Linking follows analysis in the same task: each job email joins its application.
    linked = link_pending(
        account.id, sessions=fenced_sessions(sessions, lease) if lease is not None else sessions
    )
    get_run_logger().info(
        "analysed %d messages (%d bodies parsed: %d degraded, %d unparseable): "
        "%d gaps, %d new postings; %d quarantined",
        report.messages,
        report.parsed,
        report.degraded,
        report.failed,
        report.gaps,
        report.postings,
        report.quarantined,
    )
    return {
        "analysed": report.messages,
        "gaps": report.gaps,
        "postings": report.postings,
        "degraded": report.degraded,
        "failed": report.failed,
        "quarantined": report.quarantined,
        "new_applications": linked.new_applications,
    }


def _run_id() -> str | None:
    try:
        context = get_run_context()
    except Exception:  # outside a run there is no id to record
        return None
    run = getattr(context, "task_run", None) or getattr(context, "flow_run", None)
    return str(run.id) if run is not None else None


def skipped(address: str, reason: str, until: Any) -> dict[str, Any]:
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
        "quarantined": 0,
        "analysed": 0,
        "gaps": 0,
        "postings": 0,
    }


@task(tags=[POLL_TAG])
def process_account(
    settings: Settings, address: str, gmail_pace: bool = False, since: Any = None
) -> dict[str, Any]:
    """Poll, then analyse, one account while holding its lease; skip it if another run does.

    With gmail_pace (a poll asked for by hand), a Gmail account polled less than 15
    minutes ago is skipped too: Gmail asks clients not to poll more often.
    """
    account = _account(settings, address)
    if gmail_pace:
        allowed = gmail_next_poll(account, utcnow())
        if allowed is not None:
            get_run_logger().info("Gmail account polled less than 15 minutes ago: skipped")
            return skipped(address, "gmail-interval", allowed)
    sessions = sessions_for(settings.database_url)
    with held(sessions, account.id, holder_name(_run_id())) as lease:
        if lease is None:
            get_run_logger().info("another poll of this account is running: skipped")
            return skipped(address, "lease", _account(settings, address).poll_lease_expires_at)
        polled = poll_account(settings, address, lease, since)
        analysed = analyse_account(settings, address, lease)
    return {**polled, **analysed, "skipped": False}


@task
def prepare_account_digest(settings: Settings, address: str, week: str | None) -> dict[str, Any]:
    """Render the week's digest into the outbox (once per account and week)."""
    account = _account(settings, address)
    chosen = (
        Week.parse(week, account.timezone)
        if week
        else Week.last_complete(utcnow(), account.timezone)
    )
    item = prepare_digest(
        account.id,
        chosen,
        sessions=sessions_for(settings.database_url),
        review_url=settings.review_url,
    )
    return {"digest_id": item.digest_id, "week": item.week, "status": item.status}


@task(retries=3, retry_delay_seconds=IO_RETRY_DELAYS, retry_condition_fn=_retry_unless_auth)
def send_account_digest(settings: Settings, address: str, week: str) -> dict[str, Any]:
    """Send the week's outbox row unless it has been sent already."""
    account = _account(settings, address)
    sessions = sessions_for(settings.database_url)
    with sessions.begin() as session:
        item = outbox_item(digests.require_digest(account, week, session=session))
    sent = send_digest(item, account, resolve_secret(account.secret_ref), sessions=sessions)
    get_run_logger().info("digest %s %s", week, "sent" if sent else "was already sent")
    return {"week": week, "sent": sent, "subject": item.subject}
