"""A poll killed at every durable step, and at random moments, while mail keeps arriving.

`bounceback poll` runs as a real process of its own on a SQLite home against Dovecot,
through `tests.support.crash`: killed runs are forks of its --fork-server (one process that
imported Prefect and the flows once), each told `--after N`: a listener on the flows'
durable steps makes it exit abruptly (os._exit, no cleanup, no rollback handlers) right
after its N-th durable step: after EXAMINE, after SEARCH, after each chunk's FETCH and
after each chunk's commit. N goes 1, 2, 3, ... until a run gets through; then a few runs
are SIGKILLed at random moments by their parent. The clean runs at the end start from
scratch, as `bounceback poll` does. One new message
arrives during every run, at a random moment (before its SEARCH, between its chunks or
after it ended), so the sweep ends after a bounded number of runs however slow the machine
is. Afterwards one clean run must leave every message stored exactly once, and a further
run must change nothing.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bounceback.storage.db import make_engine, session_factory, upgrade
from tests.servers.dovecot import DovecotAccount
from tests.servers.synced import PASSWORD_ENV, add_account, cursor, stored_ids
from tests.support.crash import KILLED_EXIT_STATUS, ForkServer
from tests.support.mail import make_mail

REPO = Path(__file__).resolve().parents[2]


class Feeder:
    """Appends numbered messages; `arriving` adds one at a random moment of a run."""

    def __init__(self, account: DovecotAccount, chance: random.Random) -> None:
        self.account = account
        self.chance = chance
        self.next = 0
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def append(self, count: int) -> None:
        with self._lock:
            numbers = range(self.next, self.next + count)
            self.account.append([make_mail(n) for n in numbers])
            self.sent += [f"<test-{n}@acme-analytics.test>" for n in numbers]
            self.next += count

    @contextmanager
    def arriving(self, within: float = 5.0) -> Iterator[None]:
        """One message arrives during the block: after a random delay, or at its end."""
        before = self.next
        timer = threading.Timer(self.chance.uniform(0.0, within), self.append, args=(1,))
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            timer.join()
            if self.next == before:  # the run ended first: the message arrives now
                self.append(1)


@pytest.fixture
def home(tmp_path: Path, prefect_harness: None) -> Iterator[Path]:
    """A BOUNCEBACK_HOME with an upgraded SQLite database."""
    path = tmp_path / "home"
    path.mkdir()
    upgrade(f"sqlite:///{path / 'bounceback.db'}")
    yield path


def poll_env(home: Path, account: DovecotAccount) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    env = {
        **os.environ,
        "BOUNCEBACK_HOME": str(home),
        PASSWORD_ENV: account.password,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "BOUNCEBACK_FETCH_CHUNK": "3",
    }
    env.pop("BOUNCEBACK_DATABASE_URL", None)
    return env


def run_poll(home: Path, account: DovecotAccount) -> subprocess.Popen[str]:
    """`bounceback poll --json` in a process of its own, started from scratch."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.crash", "--", "poll", "--json"],
        cwd=REPO,
        env=poll_env(home, account),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def forks(home: Path, dovecot: DovecotAccount, tmp_path: Path) -> Iterator[ForkServer]:
    """Polls forked from one process that has imported Prefect and the flows once."""
    server = ForkServer(poll_env(home, dovecot), REPO, tmp_path)
    yield server
    server.close()


def expire_lease(home: Path) -> None:
    """A killed poller never gives its lease back: let it expire, as time would."""
    with sqlite3.connect(home / "bounceback.db") as db:
        db.execute("UPDATE accounts SET poll_lease_holder = NULL, poll_lease_expires_at = NULL")


@pytest.mark.slow
@pytest.mark.dovecot
def test_killed_at_every_step_and_at_random_nothing_lost_or_doubled(
    dovecot: DovecotAccount, home: Path, forks: ForkServer
) -> None:
    sessions = session_factory(make_engine(f"sqlite:///{home / 'bounceback.db'}"))
    folder_id = add_account(sessions, dovecot)
    seed = random.randrange(1_000_000)
    chance = random.Random(seed)
    feeder = Feeder(dovecot, chance)
    feeder.append(4)
    kills: list[str] = []
    poll = ["poll", "--json"]
    kinds = ("examined", "listed", "fetched", "stored")
    step = 1
    for _ in range(60):
        with feeder.arriving(within=2.0):
            run = forks.start(poll, after=step)
            _, stderr = run.communicate(timeout=120)
        if run.returncode == 0:
            if all(any(f"({kind})" in line for line in kills) for kind in kinds):
                break
            # The writer thread commits a chunk while the next is fetched, so earlier runs
            # may have stored everything before a kill fell on a "stored" step: more mail,
            # and kill from the first step again.
            feeder.append(4)
            step = 1
            continue
        assert run.returncode == KILLED_EXIT_STATUS, f"seed {seed}: {stderr[-2000:]}"
        kills.append(stderr.strip().splitlines()[-1])
        expire_lease(home)
        step += 1
    else:
        pytest.fail(f"seed {seed}: 60 runs did not interrupt every kind of step: {kills}")
    for _ in range(2):
        with feeder.arriving(within=2.0):
            run = forks.start(poll, sigkill_after=chance.uniform(0.2, 3.0))
            run.communicate(timeout=120)
        expire_lease(home)
    # Every kind of step was interrupted at least once.
    for kind in kinds:
        assert any(f"({kind})" in line for line in kills), (f"seed {seed}", kind, kills)

    clean = run_poll(home, dovecot)
    stdout, stderr = clean.communicate(timeout=120)
    assert clean.returncode == 0, stderr[-2000:]
    counts = stored_ids(sessions)
    assert sorted(counts) == sorted(feeder.sent), f"seed {seed}"
    assert set(counts.values()) == {1}, f"seed {seed}: duplicates {counts.most_common(3)}"
    with dovecot.mailbox() as box:
        top = max(int(uid) for uid in box.uids())
    assert cursor(sessions, folder_id) == top

    again = run_poll(home, dovecot)
    stdout, stderr = again.communicate(timeout=120)
    assert again.returncode == 0, stderr[-2000:]
    assert json.loads(stdout)["accounts"][0]["new_messages"] == 0
    assert stored_ids(sessions) == counts
