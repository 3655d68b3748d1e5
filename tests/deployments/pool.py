"""A real, hardened Prefect server on PostgreSQL with process workers, for tests and benchmarks.

Everything runs as subprocesses on 127.0.0.1, each in its own process group, and is torn
down even when the test fails: `prefect server start` (Basic auth, CSRF on, CORS limited
to its own origin, as deployments/README.md sets it up), `prefect worker start --type
process` for the `bounceback` pool, and `prefect deploy` from the repository root.
"""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bounceback.demo.servers import free_port

REPO = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).parent / "prefect")
AUTH = "bounceback:pool-test-secret"
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def _clean_environ() -> dict[str, str]:
    """The parent environment without Prefect settings (a test harness may have set some)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}


@contextlib.contextmanager
def postgres_database(admin_url: str, prefix: str) -> Iterator[str]:
    """A fresh PostgreSQL database (dropped afterwards); yields its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _stop(process: subprocess.Popen[bytes], grace: float = 20.0) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left after grace seconds."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


@dataclass
class PrefectPool:
    """A running Prefect server and the workers started against it."""

    root: Path
    api_url: str
    env: dict[str, str]
    server: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def run(self, *args: str, timeout: float = 120) -> str:
        """Run a `prefect` CLI command from the repository root; its output (raises on failure)."""
        result = subprocess.run(
            [PREFECT, *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"prefect {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def deploy(self) -> None:
        """Create the `bounceback` process pool and register deployments/prefect.yaml."""
        self.run("work-pool", "create", "bounceback", "--type", "process", "--overwrite")
        self.run("--no-prompt", "deploy", "--all", "--prefect-file", "deployments/prefect.yaml")

    def start_worker(self, name: str, extra_env: dict[str, str], limit: int = 4) -> None:
        """Start `prefect worker start --pool bounceback --type process`."""
        log = open(self.root / f"worker-{name}.log", "wb")  # noqa: SIM115 (lives with the worker)
        worker = subprocess.Popen(
            [
                PREFECT,
                "worker",
                "start",
                "--pool",
                "bounceback",
                "--type",
                "process",
                "--name",
                name,
                "--limit",
                str(limit),
            ],
            cwd=self.root,
            env={**self.env, **extra_env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers.append(worker)

    def stop_workers(self) -> None:
        """Stop every worker (and the flow runs they started)."""
        for worker in self.workers:
            _stop(worker)
        self.workers.clear()

    def worker_logs(self) -> str:
        """The tail of every worker log, for assertion messages."""
        return "\n".join(p.read_text(errors="replace")[-4000:] for p in self.root.glob("worker-*"))

    @contextlib.contextmanager
    def client(self) -> Iterator[Any]:
        """A synchronous Prefect client talking to this server."""
        from prefect.client.orchestration import get_client
        from prefect.settings import temporary_settings

        updates: dict[str, Any] = {"api.url": self.api_url, "api.auth_string": AUTH}
        with temporary_settings(updates=updates), get_client(sync_client=True) as client:  # type: ignore[arg-type]
            yield client

    def create_runs(
        self, deployment: str, count: int, parameters: dict[str, Any], scheduled: datetime
    ) -> list[str]:
        """Schedule count runs of a deployment at a (past: late) time; their ids."""
        from prefect.states import Scheduled

        with self.client() as client:
            found = client.read_deployment_by_name(deployment)
            return [
                str(
                    client.create_flow_run_from_deployment(
                        found.id, parameters=parameters, state=Scheduled(scheduled_time=scheduled)
                    ).id
                )
                for _ in range(count)
            ]

    def wait_until_idle(self, timeout: float, settle: float = 3.0) -> dict[str, list[str]]:
        """Wait until every flow run that is due has finished; run names by final state."""
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterExpectedStartTime

        deadline = time.monotonic() + timeout
        quiet_since: float | None = None
        while True:
            with self.client() as client:
                runs = client.read_flow_runs(
                    flow_run_filter=FlowRunFilter(
                        expected_start_time=FlowRunFilterExpectedStartTime(
                            before_=datetime.now().astimezone()
                        )
                    ),
                    limit=200,
                )
            states: dict[str, list[str]] = {}
            for run in runs:
                states.setdefault(run.state_type.value if run.state_type else "?", []).append(
                    run.name
                )
            busy = any(state not in TERMINAL for state in states)
            if not busy:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= settle:
                    return states
            else:
                quiet_since = None
            if time.monotonic() > deadline:
                raise TimeoutError(f"flow runs still busy after {timeout:.0f} s: {states}")
            time.sleep(1)


def _healthy(api_url: str) -> bool:
    token = base64.b64encode(AUTH.encode()).decode()
    request = urllib.request.Request(
        f"{api_url}/health", headers={"Authorization": f"Basic {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def prefect_pool(
    root: Path, database_url: str, startup_timeout: float = 120
) -> Iterator[PrefectPool]:
    """A hardened `prefect server start` on loopback backed by database_url (asyncpg)."""
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {
        **_clean_environ(),
        "PREFECT_HOME": str(root / "prefect-home"),
        "PREFECT_API_URL": api_url,
        "PREFECT_API_AUTH_STRING": AUTH,
        "PREFECT_SERVER_API_AUTH_STRING": AUTH,
        "PREFECT_SERVER_API_CSRF_PROTECTION_ENABLED": "true",
        "PREFECT_SERVER_API_CORS_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}",
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": database_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_PREFETCH_SECONDS": "5",
        "PREFECT_LOGGING_LEVEL": "INFO",
    }
    pool = PrefectPool(root=root, api_url=api_url, env=env)
    with open(root / "server.log", "wb") as log:
        pool.server = subprocess.Popen(
            [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + startup_timeout
        while not _healthy(api_url):
            if pool.server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "prefect server did not start:\n"
                    + (root / "server.log").read_text(errors="replace")[-3000:]
                )
            time.sleep(0.5)
        yield pool
    finally:
        pool.stop_workers()
        _stop(pool.server)
