"""`bounceback serve`: the poll, weekly digest and retrain schedules in one process (prefect.serve).

For one user on a laptop or a small server. It talks to the Prefect API named by
PREFECT_API_URL; when none is configured it starts a private Prefect server on loopback
(its database under BOUNCEBACK_HOME/prefect) for as long as it runs, because Prefect's
throwaway in-process server creates no scheduled runs. SIGTERM or Ctrl-C stops both
cleanly. At scale, use the work-pool deployments in deployments/prefect.yaml instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from bounceback.account.schedule import digest_cron
from bounceback.errors import ConfigError
from bounceback.flows.schedules import RETRAIN_CRON, check_poll_interval
from bounceback.settings import DEFAULT_POLL_INTERVAL, Settings

log = logging.getLogger(__name__)

#: How often the digest catch-up runs: a digest missed while nothing ran goes out then.
DIGEST_CATCH_UP = timedelta(hours=1)
SERVER_START_TIMEOUT = 90.0
#: Deployments run once as soon as serving starts: mail that arrived and a digest that
#: fell due while bounceback was stopped are handled now, not an interval later.
RUN_AT_START = ("poll", "digest")


class Stop(Exception):
    """SIGTERM arrived before the Prefect runner took over signal handling."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stop


def build_deployments(
    settings: Settings, interval: timedelta = DEFAULT_POLL_INTERVAL, *, retrain: bool = True
) -> list[Any]:
    """The served deployments: poll on an interval, digests per account, weekly retraining."""
    from prefect.schedules import Cron, Interval
    from prefect.types.entrypoint import EntrypointType

    from bounceback.flows.digests import digest_due_flow
    from bounceback.flows.poll import poll_flow
    from bounceback.flows.training import retrain_flow
    from bounceback.storage import accounts
    from bounceback.storage.db import sessions_for

    with sessions_for(settings.database_url).begin() as session:
        accounts = accounts.list_accounts(session=session)
        check_poll_interval(interval, (a.imap_host for a in accounts))
        digest_schedules = [Interval(DIGEST_CATCH_UP, slug="catch-up")]
        for account in accounts:
            cron, zone = digest_cron(account)
            digest_schedules.append(
                Cron(
                    cron,
                    timezone=zone,
                    parameters={"address": account.address},
                    slug=f"account-{account.id}",
                )
            )
    # Module entrypoints: flow runs import the installed package; a file entrypoint would put
    # flows/ first on sys.path, where flows/profile.py shadows the standard library's.
    module = EntrypointType.MODULE_PATH
    deployments = [
        poll_flow.to_deployment(
            "poll", schedules=[Interval(interval)], concurrency_limit=1, entrypoint_type=module
        ),
        digest_due_flow.to_deployment(
            "digest", schedules=digest_schedules, concurrency_limit=1, entrypoint_type=module
        ),
    ]
    if retrain:
        deployments.append(
            retrain_flow.to_deployment(
                "retrain", schedules=[Cron(RETRAIN_CRON, timezone="UTC")], entrypoint_type=module
            )
        )
    return deployments


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def local_prefect_server(home: Path, port: int) -> Iterator[str]:
    """Run `prefect server start` on 127.0.0.1:port for the block; yields its API URL."""
    home.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}/api"
    if _healthy(url):
        raise ConfigError(
            f"something already answers on 127.0.0.1:{port}; point PREFECT_API_URL at it "
            "or choose another --prefect-port"
        )
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
    }
    env.pop("PREFECT_API_URL", None)
    log_path = home / "server.log"
    with open(log_path, "ab") as server_log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "prefect",
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C in the terminal reaches us, not it
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _healthy(url):
            if process.poll() is not None:
                raise ConfigError(
                    f"the local Prefect server stopped while starting; see {log_path}"
                )
            if time.monotonic() > deadline:
                raise ConfigError(
                    f"the local Prefect server did not start within "
                    f"{SERVER_START_TIMEOUT:.0f} s; see {log_path}"
                )
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_serve(
    settings: Settings,
    interval: timedelta = DEFAULT_POLL_INTERVAL,
    *,
    retrain: bool = True,
    prefect_port: int = 4200,
    announce: Any = log.info,
) -> None:
    """Serve until SIGTERM or Ctrl-C; returns normally after a clean stop."""
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        deployments = build_deployments(settings, interval, retrain=retrain)
        if _configured_api_url():
            _serve(deployments, announce, None)
            return
        _check_secret_blocks(settings)
        with local_prefect_server(settings.home / "prefect", prefect_port) as url:
            announce(f"started a local Prefect server at {url.removesuffix('/api')}")
            os.environ["PREFECT_API_URL"] = url  # for the flow-run subprocesses
            try:
                _serve(deployments, announce, url)
            finally:
                os.environ.pop("PREFECT_API_URL", None)
    except (Stop, KeyboardInterrupt):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        announce("bounceback serve stopped")


def _check_secret_blocks(settings: Settings) -> None:
    """Before serve starts its own Prefect server: a Secret block needs the key from outside."""
    from bounceback.mail.secret_store import require_encryption_key, uses_prefect_secret
    from bounceback.storage import accounts
    from bounceback.storage.db import sessions_for

    with sessions_for(settings.database_url).begin() as session:
        users = [
            a.address
            for a in accounts.list_accounts(session=session)
            if uses_prefect_secret(a.secret_ref)
        ]
    if users:
        require_encryption_key(f"the Prefect Secret block of {users[0]}")


def _configured_api_url() -> str | None:
    """The Prefect API this process is configured for (environment or profile), if any."""
    from prefect.settings import get_current_settings

    return get_current_settings().api.url


def _serve(deployments: list[Any], announce: Any, api_url: str | None) -> None:
    """prefect.serve, plus one run of the poll and digest deployments right away."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import TerminationSignal
    from prefect.runner import Runner
    from prefect.settings import temporary_settings

    from bounceback.flows.runtime import prefect_updates

    updates = prefect_updates()
    if api_url:
        updates["api.url"] = api_url
    with temporary_settings(updates=updates):  # type: ignore[arg-type]
        runner = Runner(pause_on_shutdown=True)
        ids: dict[str, Any] = {d.name: runner.add_deployment(d) for d in deployments}
        with get_client(sync_client=True) as client:
            for name in RUN_AT_START:
                client.create_flow_run_from_deployment(ids[name])
        announce(f"serving {', '.join(ids)}; stop with Ctrl-C or SIGTERM")
        with suppress(KeyboardInterrupt, TerminationSignal):
            asyncio.run(runner.start())
