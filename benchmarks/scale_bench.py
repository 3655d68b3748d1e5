"""Scale benchmark: many accounts polled through the `bounceback` work pool with 1, 2, 4 workers.

Sets up what production runs: a Prefect server on PostgreSQL (hardened as in
deployments/README.md), the deployments from deployments/prefect.yaml, process workers,
bounceback's database on PostgreSQL and a real Dovecot with one user per account. Each
account's INBOX gets MESSAGES mails (the bundled samples, each copy with its own
Message-ID), written straight into the Maildirs so setup stays quick. For each worker
count it starts a fresh bounceback database, one dispatch run of the `poll` deployment
(which fans out into `poll-batch` runs of --batch-size accounts), and times until every
run has finished: first sync of every account plus analysis, end to end.

    .venv/bin/python -m benchmarks.scale_bench                       # 100 x 1,000
    .venv/bin/python -m benchmarks.scale_bench --accounts 20 --messages 200 --workers 1 2

Needs Dovecot 2.3 and PostgreSQL on 127.0.0.1:5432 (BOUNCEBACK_TEST_POSTGRES).
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.demo.run import sample_messages
from bounceback.storage.accounts import save_account
from bounceback.storage.db import make_engine, session_factory, upgrade
from bounceback.storage.models import Analysis, Message, utcnow
from tests.conftest import POSTGRES_ADMIN_URL
from tests.deployments.pool import PrefectPool, postgres_database, prefect_pool
from tests.servers.dovecot import DovecotAccount, DovecotServer

_MESSAGE_ID = re.compile(rb"^Message-ID:[^\r\n]*\r?\n", re.IGNORECASE | re.MULTILINE)


def mailbox_contents(account: int, count: int) -> list[bytes]:
    """count realistic messages for one account, each with a unique Message-ID."""
    samples = [raw for _, raw in sample_messages()]
    out = []
    for number in range(count):
        raw = _MESSAGE_ID.sub(b"", samples[number % len(samples)], count=1)
        header = f"Message-ID: <bench-{account}-{number}@scale.example>\r\n".encode()
        out.append(header + raw)
    return out


def fill_maildir(server: DovecotServer, user: str, messages: list[bytes]) -> None:
    """Drop messages into the user's Maildir/new, as a delivery agent would."""
    maildir = server.maildir_for(user)
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    stamp = int(time.time())
    for number, raw in enumerate(messages):
        (maildir / "new" / f"{stamp}.M{number}P{os.getpid()}.bench").write_bytes(raw)
    if os.geteuid() == 0:  # mail processes run as nobody (see tests/servers/dovecot.py)
        import pwd

        nobody = pwd.getpwnam("nobody")
        for path in [maildir.parent, *maildir.parent.rglob("*")]:
            os.chown(path, nobody.pw_uid, nobody.pw_gid)


def run(accounts: int, messages: int, workers: list[int], batch_size: int) -> None:
    """Run the benchmark and print one line per worker count."""
    server_base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    total = accounts * messages
    with (
        tempfile.TemporaryDirectory(prefix="bounceback-scale-") as scratch,
        DovecotServer() as dovecot,
        postgres_database(POSTGRES_ADMIN_URL, "bounceback_scale_prefect") as prefect_db,
    ):
        users = fill_mailboxes(dovecot, accounts, messages)
        prefect_url = f"postgresql+asyncpg://{server_base.split('://', 1)[1]}/{prefect_db}"
        with prefect_pool(Path(scratch) / "pool", prefect_url) as pool:
            pool.deploy()
            baseline: float | None = None
            for count in workers:
                with postgres_database(POSTGRES_ADMIN_URL, "bounceback_scale") as app_db:
                    home = Path(scratch) / "home"
                    result = one_round(
                        pool, users, f"{server_base}/{app_db}", home, count, batch_size
                    )
                rate = result.stored / result.seconds
                baseline = baseline or rate
                print(
                    f"workers={count}: {result.stored}/{total} stored, {result.analysed} "
                    f"analysed in {result.seconds:.1f} s = {rate:.0f} messages/s "
                    f"(x{rate / baseline:.2f} of 1 worker)"
                    + (f"; runs not completed: {result.bad}" if result.bad else "")
                )


def fill_mailboxes(dovecot: DovecotServer, accounts: int, messages: int) -> list[DovecotAccount]:
    """One Dovecot user per account, each mailbox filled with its messages."""
    started = time.monotonic()
    users = []
    for number in range(accounts):
        user = dovecot.new_account("scale")
        fill_maildir(dovecot, user.user, mailbox_contents(number, messages))
        users.append(user)
    print(
        f"setup: {accounts} Dovecot users x {messages} messages in "
        f"{time.monotonic() - started:.1f} s"
    )
    return users


@dataclass(frozen=True, slots=True)
class Round:
    """What one worker count achieved."""

    stored: int
    analysed: int
    seconds: float
    bad: dict[str, int]  # flow runs that did not complete, by state


def one_round(
    pool: PrefectPool,
    users: list[DovecotAccount],
    app_url: str,
    home: Path,
    count: int,
    batch_size: int,
) -> Round:
    """Poll every account once with count workers, into a fresh database at app_url."""
    upgrade(app_url)
    engine = make_engine(app_url)
    sessions = session_factory(engine)
    env = {"BOUNCEBACK_DATABASE_URL": app_url, "BOUNCEBACK_HOME": str(home)}
    env.update(connect_accounts(users, sessions))
    for index in range(count):
        pool.start_worker(f"bench-{count}-{index}", env, limit=1)
    time.sleep(3)  # let the workers register before work arrives
    begin = time.monotonic()
    pool.create_runs(
        "bounceback-poll-dispatch/poll",
        1,
        {"batch_size": batch_size},
        utcnow() - timedelta(seconds=1),
    )
    states = pool.wait_until_idle(timeout=3600, settle=2.0)
    seconds = time.monotonic() - begin - 2.0
    pool.stop_workers()
    with sessions.begin() as session:
        stored = session.scalar(select(func.count(Message.id))) or 0
        analysed = session.scalar(select(func.count(Analysis.id))) or 0
    engine.dispose()
    bad = {k: len(v) for k, v in states.items() if k != "COMPLETED"}
    return Round(stored, analysed, seconds, bad)


def connect_accounts(
    users: list[DovecotAccount], sessions: sessionmaker[Session]
) -> dict[str, str]:
    """An account per Dovecot user; the environment variables holding their passwords."""
    env = {}
    with sessions.begin() as session:
        for number, user in enumerate(users):
            env[f"BOUNCEBACK_SCALE_PW_{number}"] = user.password
            save_account(
                {
                    "address": f"seeker{number}@scale.example",
                    "username": user.user,
                    "imap_host": user.host,
                    "imap_port": user.port,
                    "imap_security": "none",
                    "secret_ref": f"env:BOUNCEBACK_SCALE_PW_{number}",
                    "digest_to": f"seeker{number}@scale.example",
                    "allow_insecure_loopback": True,
                },
                ["INBOX"],
                session=session,
            )
    return env


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--batch-size", type=int, default=5, help="accounts per poll-batch run")
    args = parser.parse_args()
    print(
        f"{args.accounts} accounts x {args.messages} messages, batches of "
        f"{args.batch_size}, on {os.cpu_count()} CPUs"
    )
    run(args.accounts, args.messages, args.workers, args.batch_size)


if __name__ == "__main__":
    main()
