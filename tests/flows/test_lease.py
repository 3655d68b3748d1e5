"""The poll lease on SQLite and PostgreSQL: one poller per account, and a fenced-out loser."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.demo.servers import EmbeddedImapServer
from bounceback.flows.lease import (
    LeaseLostError,
    acquire,
    check_fence,
    fenced_sessions,
    held,
    release,
)
from bounceback.flows.sync import sync_folder
from bounceback.mail.imap import ImapEndpoint, ImapReader
from bounceback.storage import accounts, mailbox
from bounceback.storage.models import Account, Folder, Message
from tests.support.mail import make_mail

PASSWORD_ENV = "BOUNCEBACK_TEST_LEASE_PASSWORD"


def add_account(
    sessions: sessionmaker[Session], host: str = "127.0.0.1", port: int = 143, user: str = "alex"
) -> int:
    with sessions.begin() as session:
        account = accounts.save_account(
            {
                "address": "alex@example.com",
                "username": user,
                "imap_host": host,
                "imap_port": port,
                "imap_security": "none",
                "secret_ref": f"env:{PASSWORD_ENV}",
                "digest_to": "alex@example.com",
                "allow_insecure_loopback": True,
            },
            ["INBOX"],
            session=session,
        )
        return account.id


def message_count(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        return session.scalar(select(func.count(Message.id))) or 0


def test_a_held_lease_refuses_a_second_poller_until_released(
    sessions: sessionmaker[Session],
) -> None:
    account_id = add_account(sessions)
    first = acquire(sessions, account_id, "first")
    assert first is not None
    assert acquire(sessions, account_id, "second") is None
    assert release(sessions, first)
    second = acquire(sessions, account_id, "second")
    assert second is not None and second.token == first.token + 1
    # The first holder's token is stale now: giving it back changes nothing.
    assert not release(sessions, first)
    assert acquire(sessions, account_id, "third") is None


def test_an_expired_lease_is_taken_over_and_the_old_holder_cannot_commit(
    sessions: sessionmaker[Session],
) -> None:
    account_id = add_account(sessions)
    stale = acquire(sessions, account_id, "stalled", ttl=timedelta(seconds=-1))
    assert stale is not None
    fresh = acquire(sessions, account_id, "successor")
    assert fresh is not None and fresh.token > stale.token

    with pytest.raises(LeaseLostError), fenced_sessions(sessions, stale).begin() as session:
        folder = mailbox.list_folders(account_id, session=session)[0]
        folder.last_uid = 999  # what a stalled poller would write: must not land
    with fenced_sessions(sessions, fresh).begin() as session:
        check_fence(session, account_id, fresh.token)  # still ours: no error
        mailbox.list_folders(account_id, session=session)[0].last_uid = 7
    with sessions.begin() as session:
        assert mailbox.list_folders(account_id, session=session)[0].last_uid == 7
        renewed = session.get_one(Account, account_id).poll_lease_expires_at
        assert renewed is not None


def test_two_pollers_racing_for_one_account_store_each_message_once(
    sessions: sessionmaker[Session], imap_server: EmbeddedImapServer
) -> None:
    server = imap_server
    server.append(make_mail(i) for i in range(30))
    account_id = add_account(sessions, server.host, server.port, server.user)
    with sessions.begin() as session:
        folder_id = mailbox.list_folders(account_id, session=session)[0].id
    start = threading.Barrier(2)
    outcomes: dict[str, int | None] = {}
    errors: list[BaseException] = []

    def poller(name: str) -> None:
        try:
            start.wait(timeout=10)
            with held(sessions, account_id, name) as lease:
                if lease is None:
                    outcomes[name] = None
                    return
                endpoint = ImapEndpoint(
                    server.host, server.port, "none", server.user, allow_insecure_loopback=True
                )
                with ImapReader(endpoint, server.password) as reader:
                    report = sync_folder(
                        reader, folder_id, sessions=fenced_sessions(sessions, lease), chunk_size=5
                    )
                outcomes[name] = report.new_messages
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=poller, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    # Whichever won polled everything; the other either found the lease taken or,
    # arriving after the release, found nothing new. Either way: stored once.
    assert sorted(v or 0 for v in outcomes.values()) == [0, 30]
    assert message_count(sessions) == 30
    with sessions.begin() as session:
        newest = session.scalar(select(func.max(Message.uid)))
        assert session.get_one(Folder, folder_id).last_uid == newest


@pytest.mark.slow
def test_two_concurrent_poll_flow_runs_write_once(
    prefect_harness: None,
    database_url: str,
    imap_server: EmbeddedImapServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from bounceback.flows.poll import poll_flow
    from bounceback.storage.db import sessions_for

    server = imap_server
    server.append(make_mail(i) for i in range(40))
    monkeypatch.setenv("BOUNCEBACK_DATABASE_URL", database_url)
    monkeypatch.setenv("BOUNCEBACK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv(PASSWORD_ENV, server.password)
    sessions = sessions_for(database_url)
    add_account(sessions, server.host, server.port, server.user)

    start = threading.Barrier(2)
    results: list[list[dict[str, object]]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait(timeout=10)
            results.append(poll_flow())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert errors == []
    assert len(results) == 2
    rows = [row for result in results for row in result]
    assert sum(int(row["new_messages"]) for row in rows) == 40  # type: ignore[call-overload]
    assert sum(int(row["analysed"]) for row in rows) == 40  # type: ignore[call-overload]
    assert message_count(sessions) == 40
    with sessions.begin() as session:
        account = session.scalars(select(Account)).one()
        assert account.poll_lease_holder is None  # released after the run


HOLDER = """
import os, sys, time
from bounceback.flows.lease import acquire
from bounceback.storage.db import make_engine, session_factory
sessions = session_factory(make_engine(sys.argv[1]))
lease = acquire(sessions, int(sys.argv[2]), "holder-subprocess")
print("held" if lease else "refused", flush=True)
time.sleep(600)
"""


def test_a_lease_held_by_a_dead_process_on_this_machine_is_taken_over_at_once(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    import signal
    import subprocess
    import sys

    account_id = add_account(sessions)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, database_url, str(account_id)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with sessions.begin() as session:
            account = session.get_one(Account, account_id)
            assert account.poll_lease_pid == holder.pid
        # Alive: its lease holds, for the whole ten minutes if need be.
        assert acquire(sessions, account_id, "second") is None
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    # Killed: its lease is released at once, long before it would have expired.
    lease = acquire(sessions, account_id, "second")
    assert lease is not None
    assert acquire(sessions, account_id, "third") is None  # ours is alive
    assert release(sessions, lease)
