"""Nothing left running: Prefect's temporary server dies with the command that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COMMAND = """
import os, time
from bounceback.flows.runtime import prefect_context
from bounceback.settings import Settings
from prefect.server.api.server import SubprocessASGIServer
with prefect_context(Settings(), quiet=True):
    print(SubprocessASGIServer().server_process.pid, flush=True)
    time.sleep(600)
"""


def alive(pid: int) -> bool:
    """Whether pid runs (a zombie waiting for a reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return False
    return state != b"Z"


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="the watchdog needs /proc (Linux)")
def test_kill_9_of_the_command_leaves_no_prefect_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["BOUNCEBACK_HOME"] = str(tmp_path / "home")
    command = subprocess.Popen(
        [sys.executable, "-c", COMMAND], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert command.stdout is not None
        server = int(command.stdout.readline())
        assert alive(server)
        command.send_signal(signal.SIGKILL)
        command.wait(timeout=30)
        deadline = time.monotonic() + 60  # a wait for the watchdog, not a speed check
        while alive(server) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not alive(server), "Prefect's temporary server outlived the killed command"
    finally:
        if command.poll() is None:
            command.kill()
            command.wait()
