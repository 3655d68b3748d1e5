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


@pytest.mark.slow
def test_review_command_serves_the_printed_address_until_interrupted(bounceback_home: Path) -> None:
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
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "corrections are saved" in out
