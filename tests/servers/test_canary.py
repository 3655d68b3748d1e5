"""Canaries: a password and a body string, traced through a full run with failures.

After connect, a successful poll, a poll and a connect with a wrong password, and status,
the password (right or wrong) appears nowhere: not in the bounceback database or home,
not in Prefect's database (logs, parameters, states) or PREFECT_HOME, not on stdout or
stderr. The body string appears only in the columns that hold the message itself. The
password comes from an environment variable, or from a Prefect Secret block.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bounceback.demo.servers import SmtpSink
from tests.servers.dovecot import DovecotAccount
from tests.support.mail import make_mail

BOUNCEBACK = str(Path(sys.executable).with_name("bounceback"))
PASSWORD = "Canary-pw-3f9a61c2d8"
WRONG = "Canary-wrong-b71e04"
BODY = "CANARY-BODY-9d2c4e7a reference line"
MESSAGE_COLUMNS = {("messages", "raw"), ("messages", "body_text"), ("messages", "analysed_text")}


def _cli(
    home: Path, prefect_home: Path, password: str, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BOUNCEBACK, *args],
        env=_env(home, prefect_home, password),
        capture_output=True,
        text=True,
        timeout=180,
    )


def _env(home: Path, prefect_home: Path, password: str) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    env = {
        **os.environ,
        "BOUNCEBACK_HOME": str(home),
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "BB_CANARY": password,
    }
    env.pop("BOUNCEBACK_DATABASE_URL", None)
    return env


_SAVE_BLOCK = (
    "import os; from prefect.blocks.system import Secret; "
    "Secret(value=os.environ['BB_CANARY']).save('bb-canary', overwrite=True)"
)


def _hits(db: Path, needle: str) -> set[tuple[str, str]]:
    """(table, column) pairs whose values contain needle, in a SQLite database."""
    found = set()
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for column in [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]:
                query = f'SELECT 1 FROM "{table}" WHERE instr(CAST("{column}" AS BLOB), ?) LIMIT 1'
                if conn.execute(query, (needle.encode(),)).fetchone():
                    found.add((table, column))
    return found


def _files_containing(folder: Path, needle: str) -> list[Path]:
    return [
        path
        for path in folder.rglob("*")
        if path.is_file() and needle.encode() in path.read_bytes()
    ]


@pytest.mark.slow
@pytest.mark.dovecot
@pytest.mark.parametrize("source", ["env", "prefect-secret"])
def test_canaries_stay_out_of_databases_logs_and_prefect(
    dovecot_session: object,
    tmp_path: Path,
    prefect_harness: None,
    smtp_sink: SmtpSink,
    source: str,
) -> None:
    from prefect.settings import get_current_settings

    from tests.servers.dovecot import DovecotServer

    assert isinstance(dovecot_session, DovecotServer)
    account: DovecotAccount = dovecot_session.add_user(f"canary{os.getpid()}{source}", PASSWORD)
    account.append([make_mail(1), make_mail(2, body=f"Dear Alex,\n\n{BODY}\n\nRegards\n")])
    home, prefect_home = tmp_path / "home", tmp_path / "prefect-home"
    connect = [
        "connect", "alex@example.com", "--imap-host", account.host,
        "--imap-port", str(account.port), "--imap-security", "none",
        "--smtp-host", smtp_sink.host, "--smtp-port", str(smtp_sink.port),
        "--smtp-security", "none", "--username", account.user,
        "--password-env", "BB_CANARY", "--allow-insecure-loopback", "--yes",
    ]  # fmt: skip
    if source == "prefect-secret":  # a separate server (PREFECT_API_URL): it keeps the key
        at = connect.index("--password-env")
        connect[at : at + 2] = ["--password-prefect-secret", "bb-canary"]

    saved: list[str] = []

    def cli(password: str, *args: str) -> subprocess.CompletedProcess[str]:
        if source == "prefect-secret" and saved[-1:] != [password]:
            # Saved (when it changes) by a process set up exactly as the CLI's (the test
            # process's own Prefect client may be bound to another server a test before it
            # started).
            subprocess.run(
                [sys.executable, "-c", _SAVE_BLOCK],
                env=_env(home, prefect_home, password),
                check=True,
                capture_output=True,
                timeout=120,
            )
            saved.append(password)
        return _cli(home, prefect_home, password, *args)

    runs = [
        cli(WRONG, *connect),  # refused: nothing saved
        cli(PASSWORD, *connect),
        cli(PASSWORD, "poll", "--json"),
        cli(WRONG, "poll"),  # the login fails
        cli(PASSWORD, "status", "--json"),
    ]
    assert [r.returncode for r in runs] == [1, 0, 0, 1, 0], [r.stderr[-500:] for r in runs]
    assert "refused the login" in runs[3].stderr
    # The failure is one sentence: Prefect's task traceback stays in the run's own logs.
    assert "Traceback" not in runs[3].stderr, runs[3].stderr[-2000:]

    database = home / "bounceback.db"
    assert _hits(database, BODY) and _hits(database, BODY) <= MESSAGE_COLUMNS
    configured = get_current_settings().server.database.connection_url
    assert configured is not None
    prefect_url = make_url(configured.get_secret_value())
    prefect_db = Path(prefect_url.database or "")
    assert prefect_db.is_file()
    for secret in (PASSWORD, WRONG):
        assert not _hits(database, secret)
        assert not _hits(prefect_db, secret)
        for run in runs:
            assert secret not in run.stdout + run.stderr
    for needle in (PASSWORD, WRONG, BODY):
        # raw bytes too: WAL, journals, logs, result files, anything in either home
        assert _files_containing(prefect_db.parent, needle) == []
        assert _files_containing(prefect_home, needle) == []
        assert [p for p in _files_containing(home, needle) if needle != BODY] == []
    assert not _hits(prefect_db, BODY)
