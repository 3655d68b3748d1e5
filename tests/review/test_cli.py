"""`bounceback review` as a user runs it: a real process, its printed address, Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from bounceback.cli.app import app
from bounceback.demo.run import demo_database, demo_folder, review_hint
from bounceback.nlp.analyzer import Analyzer
from bounceback.settings import load_settings
from bounceback.storage.db import sessions_for, upgrade
from tests.review.corpus import populate


def test_review_and_train_have_help() -> None:
    runner = CliRunner()
    for command, phrase in (("review", "127.0.0.1"), ("train", "not worse")):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert phrase in " ".join(result.output.split()), command


def test_busy_port_is_one_clear_line(bounceback_home: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["review", "--port", str(port), "--no-browser"])
    assert result.exit_code == 1
    assert "is not free" in result.output and "--port" in result.output
    assert "Traceback" not in result.output


def _ignore_ctrl_c() -> None:
    """What a non-interactive shell does to a job it starts with `&`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stop_with", "started_in_background"),
    [(signal.SIGINT, False), (signal.SIGINT, True), (signal.SIGTERM, False)],
    ids=["ctrl-c", "ctrl-c-after-a-shell-ignored-it", "sigterm"],
)
def test_review_command_serves_the_printed_address_until_interrupted(
    bounceback_home: Path, stop_with: signal.Signals, started_in_background: bool
) -> None:
    env = {**os.environ, "BOUNCEBACK_HOME": str(bounceback_home)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from bounceback.cli.app import main; main()",
            "review",
            "--port",
            "0",
            "--no-browser",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_ignore_ctrl_c if started_in_background else None,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)/\?token=([\w-]+)", line)
        assert match, line
        base, token = match.groups()
        assert (bounceback_home / "review-token").read_text().strip() == token
        with httpx.Client(base_url=base) as client:
            assert client.get("/").status_code == 403
            assert client.get(f"/?token={token}").status_code == 303
            page = client.get("/")
            assert page.status_code == 200 and "Nothing here" in page.text
    finally:
        process.send_signal(stop_with)
        try:
            out, err = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, err
    assert "corrections are saved" in out


def test_review_demo_without_demo_data_is_one_clear_line(bounceback_home: Path) -> None:
    result = CliRunner().invoke(app, ["review", "--demo", "--no-browser"])
    assert result.exit_code == 1
    # (the error console may wrap a long path; the layout work makes it one line)
    assert " ".join(result.output.split()) == (
        f"bounceback: no demo data in {bounceback_home / 'demo'}: run bounceback demo first"
    )


def test_the_demo_says_how_to_review_its_data(bounceback_home: Path, tmp_path: Path) -> None:
    settings = load_settings()
    assert review_hint(settings, demo_folder(settings)).endswith(": bounceback review --demo")
    elsewhere = review_hint(settings, tmp_path / "my demo")
    assert elsewhere.endswith(
        f"BOUNCEBACK_DATABASE_URL='sqlite:///{tmp_path / 'my demo' / 'demo.db'}' bounceback review"
    )


@pytest.mark.slow
def test_review_demo_serves_the_demo_database(bounceback_home: Path, analyzer: Analyzer) -> None:
    database = demo_database(demo_folder(load_settings()))
    upgrade(f"sqlite:///{database}")
    populate(sessions_for(f"sqlite:///{database}"), analyzer, xss=False)
    env = {**os.environ, "BOUNCEBACK_HOME": str(bounceback_home)}
    command = "from bounceback.cli.app import main; main()"
    process = subprocess.Popen(
        [sys.executable, "-c", command, "review", "--demo", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        match = re.search(r"(http://127\.0\.0\.1:\d+)/\?token=([\w-]+)", process.stdout.readline())
        assert match
        with httpx.Client(base_url=match.group(1)) as client:
            client.get(f"/?token={match.group(2)}")
            page = client.get("/").text
        assert "Your interview for Junior Data Engineer" in page
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert not (bounceback_home / "bounceback.db").exists(), "the user's own database is untouched"
