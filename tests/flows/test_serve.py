"""`bounceback serve` and the schedules behind it: digest times per time zone, clean shutdown."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bounceback.account.schedule import digest_cron
from bounceback.cli.app import app
from bounceback.demo.servers import free_port
from bounceback.errors import ConfigError
from bounceback.flows.schedules import check_poll_interval, digest_week_due
from bounceback.settings import load_settings
from bounceback.storage import accounts
from bounceback.storage.models import Account

runner = CliRunner()


def account(**fields: object) -> Account:
    values: dict[str, object] = {
        "timezone": "Europe/London",
        "digest_weekday": 0,
        "digest_time": "08:00",
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    values.update(fields)
    return Account(**values)


def test_digest_cron_uses_the_account_weekday_time_and_zone() -> None:
    # Friday 18:30 in Tokyo: cron counts Sunday as 0, so Friday is 5.
    assert digest_cron(account(timezone="Asia/Tokyo", digest_weekday=4, digest_time="18:30")) == (
        "30 18 * * 5",
        "Asia/Tokyo",
    )
    assert digest_cron(account(digest_weekday=6, digest_time="07:05")) == (
        "5 7 * * 0",
        "Europe/London",
    )
    # Unusable preferences fall back to Monday 08:00 in London rather than failing.
    assert digest_cron(account(timezone="Mars/Olympus", digest_time="soon")) == (
        "0 8 * * 1",
        "Europe/London",
    )


def test_the_digest_is_due_after_the_chosen_local_moment_and_a_missed_week_catches_up() -> None:
    tokyo = account(timezone="Asia/Tokyo", digest_weekday=0, digest_time="08:00")
    # Monday 2026-11-23 07:59 in Tokyo is 22:59 UTC on Sunday: not yet due for W47...
    before = datetime(2026, 11, 22, 22, 59, tzinfo=UTC)
    assert digest_week_due(tokyo, before) == "2026-W46"  # ...so the catch-up is for W46
    after = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # 08:00 Monday in Tokyo
    assert digest_week_due(tokyo, after) == "2026-W47"
    # In London the same instant is still Sunday night: W47 is not complete there.
    assert digest_week_due(account(), after) == "2026-W46"
    # An account created after a week ended never gets that week's digest.
    new = account(created_at=datetime(2026, 11, 20, tzinfo=UTC))
    assert digest_week_due(new, datetime(2026, 11, 23, 7, 0, tzinfo=UTC)) is None
    assert digest_week_due(new, datetime(2026, 11, 23, 8, 0, tzinfo=UTC)) == "2026-W47"


def test_gmail_accounts_refuse_a_poll_interval_under_15_minutes() -> None:
    with pytest.raises(ConfigError, match="Gmail"):
        check_poll_interval(timedelta(minutes=5), ["imap.fastmail.com", "imap.gmail.com"])
    assert check_poll_interval(timedelta(minutes=5), ["imap.fastmail.com"]) == timedelta(minutes=5)
    assert check_poll_interval(timedelta(minutes=15), ["imap.gmail.com"]) == timedelta(minutes=15)


def _add_account(address: str, host: str, **fields: object) -> None:
    from bounceback.storage.db import sessions_for

    sessions: sessionmaker[Session] = sessions_for(load_settings().database_url)
    with sessions.begin() as session:
        accounts.save_account(
            {
                "address": address,
                "username": address,
                "imap_host": host,
                "imap_port": 993,
                "imap_security": "ssl",
                "secret_ref": "env:UNUSED",
                "digest_to": address,
                **fields,
            },
            ["INBOX"],
            session=session,
        )


def test_serve_refuses_a_short_interval_for_gmail_with_one_line(bounceback_home: Path) -> None:
    _add_account("sam@gmail.com", "imap.gmail.com")
    result = runner.invoke(app, ["serve", "--interval", "5"])
    assert result.exit_code == 1
    assert "Gmail" in result.output and "Traceback" not in result.output


def test_served_deployments_carry_one_digest_schedule_per_account(bounceback_home: Path) -> None:
    from bounceback.flows.serve import build_deployments

    _add_account(
        "kim@example.com",
        "mail.example.com",
        timezone="Asia/Tokyo",
        digest_weekday=4,
        digest_time="18:30",
    )
    _add_account("lee@example.com", "mail.example.com", timezone="America/New_York")
    deployments = {d.name: d for d in build_deployments(load_settings(), timedelta(minutes=20))}
    assert set(deployments) == {"poll", "digest", "retrain"}
    poll = deployments["poll"].schedules[0].schedule
    assert poll.interval == timedelta(minutes=20)
    crons = {
        (s.schedule.cron, s.schedule.timezone, (s.parameters or {}).get("address"))
        for s in deployments["digest"].schedules
        if hasattr(s.schedule, "cron")
    }
    assert crons == {
        ("30 18 * * 5", "Asia/Tokyo", "kim@example.com"),
        ("0 8 * * 1", "America/New_York", "lee@example.com"),
    }
    # Plus the hourly catch-up over all accounts.
    assert any(
        getattr(s.schedule, "interval", None) == timedelta(hours=1)
        for s in deployments["digest"].schedules
    )


def _post(api: str, path: str) -> list[dict[str, object]]:
    request = urllib.request.Request(
        f"{api}/{path}", data=b"{}", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return list(json.load(response))


def _read_deployments(api: str) -> list[str]:
    return sorted(str(item["name"]) for item in _post(api, "deployments/filter"))


def _finished_runs(api: str) -> list[str]:
    return [
        str(run["state_type"])
        for run in _post(api, "flow_runs/filter")
        if run["state_type"] not in ("SCHEDULED", "PENDING", "RUNNING")
    ]


def _active_runs(api: str) -> list[str]:
    return [
        str(run["state_type"])
        for run in _post(api, "flow_runs/filter")
        if run["state_type"] in ("PENDING", "RUNNING")
    ]


@pytest.mark.slow
def test_serve_runs_its_deployments_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env.update(
        BOUNCEBACK_HOME=str(tmp_path / "home"),
        PREFECT_HOME=str(tmp_path / "prefect-client"),
        BOUNCEBACK_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
    )
    env.pop("BOUNCEBACK_TEST_POSTGRES", None)
    script = Path(sys.executable).parent / "bounceback"
    command = [str(script), "serve", "--prefect-port", str(port), "--no-retrain"]
    out_path, err_path = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 120
        while "serving" not in out_path.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, err_path.read_text()
            time.sleep(0.5)
        assert "serving" in out_path.read_text(), err_path.read_text()
        api = f"http://127.0.0.1:{port}/api"
        names: list[str] = []
        while time.monotonic() < deadline and names != ["digest", "poll"]:
            names = _read_deployments(api)
            time.sleep(0.5)
        assert names == ["digest", "poll"]
        # The poll and the digest catch-up run once right away, in flow-run subprocesses
        # that must import the flows (no accounts yet: both have nothing to do). A run the
        # schedule starts on a quarter hour may come on top; SIGTERM waits until none is
        # under way, so this test stops a serve at rest, whatever the clock says.
        finished: list[str] = []
        while time.monotonic() < deadline and (len(finished) < 2 or _active_runs(api)):
            finished = _finished_runs(api)
            time.sleep(0.5)
        assert len(finished) >= 2, err_path.read_text()[-3000:]
        assert set(finished) == {"COMPLETED"}, err_path.read_text()[-3000:]

        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    stderr = err_path.read_text()
    assert returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "bounceback serve stopped" in out_path.read_text()
    # The private Prefect server went down with it.
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{api}/health", timeout=2)


def test_serve_refuses_a_secret_block_without_an_encryption_key_from_outside(
    bounceback_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """serve's own Prefect server would otherwise keep the block's key in its database."""
    _add_account(
        "sam@fastmail.com", "imap.fastmail.com", secret_ref="prefect-secret:sam-mail-password"
    )
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("PREFECT_SERVER_ENCRYPTION_KEY", raising=False)
    # No Prefect API configured (a session-wide test harness may have set one): serve would
    # start its own server, which is where the key must come from outside.
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        result = runner.invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "PREFECT_SERVER_ENCRYPTION_KEY is not set" in result.output
    assert "sam@fastmail.com" in result.output and "Traceback" not in result.output
    assert not (bounceback_home / "prefect").exists()  # no server was started


_WHERE_PREFECT_LIVES = """
import json, sys
from pathlib import Path
from prefect.settings import get_current_settings
from bounceback.flows.runtime import prefect_context
from bounceback.settings import Settings
with prefect_context(Settings(home=Path(sys.argv[1])), quiet=True):
    current = get_current_settings()
    url = current.server.database.connection_url
    print(json.dumps([str(current.home), url.get_secret_value() if url else None]))
"""


def test_prefect_keeps_its_state_under_bounceback_home_unless_told_otherwise(
    tmp_path: Path,
) -> None:
    # In a fresh process, as the command line runs: a Prefect test server started by
    # other tests in this one would be the Prefect this process talks to.
    from bounceback.settings import Settings

    settings = Settings(home=tmp_path / "home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}

    def where(extra: dict[str, str]) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", _WHERE_PREFECT_LIVES, str(settings.home)],
            env={**env, **extra}, capture_output=True, text=True, timeout=180, check=True,
        )  # fmt: skip
        return list(json.loads(done.stdout.strip().splitlines()[-1]))

    home, url = where({})
    assert home == str(settings.prefect_home)
    assert url is not None and str(settings.prefect_home) in url
    assert settings.prefect_home.is_dir()
    # Elsewhere starts from a copy of that database, already migrated: Prefect's server
    # then starts without its ~7 s of migrations, and where it lives is all this checks.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for part in settings.prefect_home.glob("prefect.db*"):  # with its write-ahead log
        shutil.copy2(part, elsewhere / part.name)
    home, url = where({"PREFECT_HOME": str(elsewhere)})
    assert home == str(elsewhere)
    assert url is not None and str(elsewhere) in url
