"""Prefect flows and tasks. Thin: each task wraps one plain function of sync/analyse/outbox."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.client.schemas.objects import TaskRun
from prefect.states import State
from prefect.tasks import Task

from bounceback.flows.analyse import analyse_pending
from bounceback.flows.digest.collect import Week
from bounceback.flows.errors import BouncebackError, MailServerError, NotFoundError
from bounceback.flows.imap import ImapEndpoint, ImapReader
from bounceback.flows.outbox import outbox_item, prepare_digest, send_digest
from bounceback.flows.runtime import analyzer_for, model_dir, sessions_for
from bounceback.flows.secrets import resolve_secret
from bounceback.flows.settings import load_settings
from bounceback.flows.sync import sync_folder
from bounceback.storage import queries
from bounceback.storage.models import Account, utcnow

IO_RETRY_DELAYS: list[float] = [2, 5, 15]


def _retry_unless_auth(task: Task[Any, Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry transient mail-server trouble, never a refused login or a missing secret."""
    try:
        state.result()
    except MailServerError:
        return True
    except Exception:
        return False
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
def poll_account(address: str) -> dict[str, Any]:
    """Fetch and store new mail from every folder of one account."""
    logger = get_run_logger()
    sessions = sessions_for(load_settings().database_url)
    account = _account(address)
    with sessions.begin() as session:
        folder_ids = [f.id for f in queries.list_folders(account.id, session=session)]
    reports = []
    error: str | None = None
    try:
        with ImapReader(endpoint_for(account), resolve_secret(account.secret_ref)) as reader:
            for folder_id in folder_ids:
                report = sync_folder(reader, folder_id, sessions=sessions)
                logger.info(
                    "folder %s: %d new (%d degraded, %d unparseable)",
                    report.folder,
                    report.new_messages,
                    report.degraded,
                    report.failed,
                )
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
        "degraded": sum(r.degraded for r in reports),
        "failed": sum(r.failed for r in reports),
    }


@task
def analyse_account(address: str) -> dict[str, Any]:
    """Run the language model over the account's unanalysed mail."""
    settings = load_settings()
    account = _account(address)
    report = analyse_pending(
        account.id, analyzer_for(model_dir(settings)), sessions=sessions_for(settings.database_url)
    )
    get_run_logger().info(
        "analysed %d messages: %d gaps, %d new postings",
        report.messages,
        report.gaps,
        report.postings,
    )
    return {"analysed": report.messages, "gaps": report.gaps, "postings": report.postings}


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


@flow(name="bounceback-poll", log_prints=False)
def poll_flow(address: str | None = None) -> list[dict[str, Any]]:
    """Poll each account (or the one given), then analyse what arrived."""
    results = []
    for each in _addresses(address):
        polled = poll_account(each)
        analysed = analyse_account(each)
        results.append({**polled, **analysed})
    return results


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
        else:
            results.append(prepared)
    return results
