"""Run a bounceback command that dies abruptly at a chosen durable step (crash tests only).

    python -m tests.support.crash --after N -- poll --json
    python -m tests.support.crash --at outbox:claimed -- <command> ...

--after N exits with KILLED_EXIT_STATUS (os._exit, no clean-up) right after the N-th
durable step of the process; --at STEP sends itself SIGKILL right after that step, as
`kill -9` would. The hook is a listener on `bounceback.flows.hooks`, the same place the
command line hangs its progress bar: nothing in the shipped code knows about crashes.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--after", type=int)
    parser.add_argument("--at")
    parser.add_argument("--python", help="run this Python code instead of a CLI command")
    parser.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
