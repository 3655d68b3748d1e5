"""Run a bounceback command that dies abruptly at a chosen durable step (crash tests only).

    python -m tests.support.crash --after N -- poll --json
    python -m tests.support.crash --at outbox:claimed -- <command> ...

--after N exits with KILLED_EXIT_STATUS (os._exit, no clean-up) right after the N-th
durable step of the process; --at STEP sends itself SIGKILL right after that step, as
`kill -9` would. The hook is a listener on `bounceback.flows.hooks`, the same place the
command line hangs its progress bar: nothing in the shipped code knows about crashes.

    python -m tests.support.crash --fork-server

imports the command line, Prefect and the flows once, then runs each request read from
stdin (one JSON line: {"args": [...], "after": N or null, "sigkill_after": seconds or
null, "out": path, "err": path}) in a fresh fork of itself, which ends as the command's
own process would (exit handlers run, then the exit status); it prints {"pid": ...} once
the fork runs and {"status": ...} (an exit code, or minus the signal that killed it) once
it is gone. A crash sweep of many runs then pays for those imports (~3 s of CPU) once.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any, NoReturn

KILLED_EXIT_STATUS = 86


def kill_after(count: int) -> object:
    lock = threading.Lock()
    seen = [0]

    def listener(step: str) -> None:
        with lock:
            seen[0] += 1
            if seen[0] >= count:
                sys.stderr.write(f"bounceback: killed after step {seen[0]} ({step})\n")
                sys.stderr.flush()
                os._exit(KILLED_EXIT_STATUS)

    return listener


def kill_at(name: str) -> object:
    def listener(step: str) -> None:
        if step == name:
            os.kill(os.getpid(), signal.SIGKILL)

    return listener


def fork_server() -> None:
    """Serve requests from stdin, each in a fork of this process (see the module doc)."""
    import prefect.flow_engine  # noqa: F401 (Prefect and the flows: the slow imports)

    import bounceback.cli.progress
    import bounceback.cli.run
    import bounceback.flows.poll
    import bounceback.flows.runtime  # noqa: F401
    from bounceback.cli.app import app

    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _forked_command(app, request)
        print(json.dumps({"pid": pid}), flush=True)
        status = _wait(pid, request.get("sigkill_after"))
        print(json.dumps({"status": os.waitstatus_to_exitcode(status)}), flush=True)


def _wait(pid: int, sigkill_after: float | None) -> int:
    """Wait for the fork; SIGKILL it first if it still runs after sigkill_after seconds.

    The signal comes from its parent, before the fork is reaped: it can only hit the fork.
    """
    if sigkill_after is not None:
        deadline = time.monotonic() + sigkill_after
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            time.sleep(0.01)
        os.kill(pid, signal.SIGKILL)
    return os.waitpid(pid, 0)[1]


def _forked_command(app: Any, request: dict[str, Any]) -> NoReturn:
    """In the fork: run one command with its own stdin, stdout and stderr, then exit."""
    code = 1
    try:
        for fd, path, flags in (
            (0, os.devnull, os.O_RDONLY),
            (1, request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
            (2, request["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
        ):
            opened = os.open(path, flags, 0o600)
            os.dup2(opened, fd)
            os.close(opened)
        from bounceback.flows import hooks

        if request.get("after"):
            hooks.step_listeners.append(kill_after(request["after"]))  # type: ignore[arg-type]
        try:
            app(args=request["args"], prog_name="bounceback")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        atexit._run_exitfuncs()
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fork-server", action="store_true")
    parser.add_argument("--after", type=int)
    parser.add_argument("--at")
    parser.add_argument("--python", help="run this Python code instead of a CLI command")
    parser.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.fork_server:
        fork_server()
        return
    from bounceback.flows import hooks

    if args.after:
        hooks.step_listeners.append(kill_after(args.after))  # type: ignore[arg-type]
    if args.at:
        hooks.step_listeners.append(kill_at(args.at))  # type: ignore[arg-type]
    rest = [a for a in args.rest if a != "--"]
    if args.python:
        sys.argv = ["-c", *rest]
        exec(compile(args.python, "<crash-driver>", "exec"), {"__name__": "__main__"})
        return
    from bounceback.cli.app import app

    app(args=rest, prog_name="bounceback")


class ForkServer:
    """Client of --fork-server: commands run as forks of one process that imported once."""

    def __init__(self, env: dict[str, str], cwd: Path, scratch: Path) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.crash", "--fork-server"],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._answers: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._scratch = scratch
        self._count = 0

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._answers.put(line)
        self._answers.put("")  # the server is gone

    def answer(self, key: str, timeout: float | None) -> int:
        line = self._answers.get(timeout=timeout)
        if not line:
            raise RuntimeError(f"the fork server ended (exit {self._process.wait()})")
        return int(json.loads(line)[key])

    def start(
        self, args: list[str], after: int | None = None, sigkill_after: float | None = None
    ) -> ForkedCommand:
        """Start one command (killed after its `after`-th durable step, or SIGKILLed)."""
        self._count += 1
        out, err = (self._scratch / f"fork-{self._count}.{name}" for name in ("out", "err"))
        request = {"args": args, "after": after, "sigkill_after": sigkill_after}
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps({**request, "out": str(out), "err": str(err)}))
        self._process.stdin.write("\n")
        self._process.stdin.flush()
        return ForkedCommand(self, self.answer("pid", timeout=120), out, err)

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


class ForkedCommand:
    """One command in a fork: what the crash tests use of subprocess.Popen."""

    def __init__(self, server: ForkServer, pid: int, out: Path, err: Path) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._server, self._out, self._err = server, out, err

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        """Wait for the fork to end; its stdout and stderr."""
        if self.returncode is None:
            self.returncode = self._server.answer("status", timeout)
        return self._out.read_text(), self._err.read_text()


if __name__ == "__main__":
    main()
