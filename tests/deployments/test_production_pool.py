"""Production set-up end to end: deploy to a hardened Prefect server on PostgreSQL, run a process
worker, poll three Dovecot accounts through a backlog of late and duplicate runs, send digests."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bounceback.demo.run import demo_week_shift, sample_messages, shift_dates
from bounceback.demo.servers import SmtpSink
from bounceback.storage import accounts
from bounceback.storage.db import make_engine, session_factory, upgrade
from bounceback.storage.models import Account, Analysis, Digest, Message, utcnow
from tests.conftest import POSTGRES_ADMIN_URL, _postgres_available
from tests.deployments.pool import postgres_database, prefect_pool
from tests.servers.dovecot import DovecotServer

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.dovecot]


@pytest.fixture
def admin_url() -> str:
    reason = _postgres_available()
    if reason:
        pytest.skip(reason)
    return POSTGRES_ADMIN_URL


@pytest.mark.timeout(480)
def test_pool_processes_every_message_once_and_sends_the_missed_digest_once(
    admin_url: str, dovecot_session: DovecotServer, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    now = utcnow()
    delta = demo_week_shift(now)  # the samples' richest week becomes last week
    samples = [shift_dates(raw, delta) for _, raw in sample_messages()]
    server_base = admin_url.rsplit("/", 1)[0]
    with (
        postgres_database(admin_url, "bounceback_pool") as app_db,
        postgres_database(admin_url, "bounceback_prefect") as prefect_db,
    ):
        app_url = f"{server_base}/{app_db}"
        upgrade(app_url)
        engine = make_engine(app_url)
        sessions = session_factory(engine)
        worker_env = {
            "BOUNCEBACK_DATABASE_URL": app_url,
            "BOUNCEBACK_HOME": str(tmp_path / "home"),
        }
        addresses = []
        for number in range(3):
            mailbox = dovecot_session.new_account("pool")
            mailbox.append(samples)
            address = f"seeker{number}@example.org"
            addresses.append(address)
            worker_env[f"BOUNCEBACK_POOL_PW_{number}"] = mailbox.password
            with sessions.begin() as session:
                accounts.save_account(
                    {
                        "address": address,
                        "username": mailbox.user,
                        "imap_host": mailbox.host,
                        "imap_port": mailbox.port,
                        "imap_security": "none",
                        "smtp_host": smtp_sink.host,
                        "smtp_port": smtp_sink.port,
                        "smtp_security": "none",
                        "smtp_auth": False,
                        "secret_ref": f"env:BOUNCEBACK_POOL_PW_{number}",
                        "digest_to": address,
                        "allow_insecure_loopback": True,
                        "timezone": "UTC",
                        "digest_weekday": 0,
                        "digest_time": "00:00",
                        "created_at": now - timedelta(days=60),
                    },
                    ["INBOX"],
                    session=session,
                )
        prefect_url = f"postgresql+asyncpg://{server_base.split('://', 1)[1]}/{prefect_db}"
        try:
            with prefect_pool(tmp_path / "pool", prefect_url) as pool:
                pool.deploy()
                # Downtime: while no worker ran, three batch polls of the same accounts and
                # two dispatches fell due. They all start together once a worker is up.
                late = now - timedelta(hours=1)
                pool.create_runs("bounceback-poll/poll-batch", 3, {"addresses": addresses}, late)
                pool.create_runs("bounceback-poll-dispatch/poll", 2, {}, late)
                pool.start_worker("w1", worker_env, limit=4)
                states = pool.wait_until_idle(timeout=150)
                assert set(states) <= {"COMPLETED", "CANCELLED"}, (states, pool.worker_logs())
                assert (
                    len(states["COMPLETED"]) >= 4
                )  # 3 batches + at least 1 dispatch (+ its batch)

                with sessions.begin() as session:
                    per_account = Counter(
                        dict(
                            session.execute(
                                select(Account.address, func.count(Message.id))
                                .join(Message, Message.account_id == Account.id)
                                .group_by(Account.address)
                            ).all()
                        )
                    )
                    analysed = session.scalar(select(func.count(Analysis.id)))
                    held = session.scalars(select(Account.poll_lease_holder)).all()
                assert per_account == Counter({a: len(samples) for a in addresses})
                assert analysed == 3 * len(samples)
                assert held == [None, None, None]  # every lease given back

                # The weekly digest was missed during the downtime too: two late runs.
                pool.create_runs("bounceback-digest-due/digest", 2, {}, late)
                states = pool.wait_until_idle(timeout=90)
                assert set(states) <= {"COMPLETED", "CANCELLED"}, (states, pool.worker_logs())
            with sessions.begin() as session:
                statuses = session.scalars(select(Digest.status)).all()
        finally:
            engine.dispose()
    # One digest per account, though two runs were due and both may have run.
    delivered = smtp_sink.messages
    assert sorted(recipients[0] for _, recipients, _ in delivered) == sorted(addresses)
    assert statuses == ["sent"] * 3
