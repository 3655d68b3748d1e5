"""Where secrets come from: environment, 0600 files, the OS keyring and Prefect Secret blocks.

Never bounceback's database. The Prefect tests run a real Prefect server the way bounceback
runs it (no PREFECT_API_URL: Prefect's temporary server, in a subprocess), one per module.
"""

from __future__ import annotations

import json
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from cryptography.fernet import Fernet
from keyring.backend import KeyringBackend
from keyring.backends import fail
from prefect.blocks.core import Block
from prefect.blocks.system import Secret
from prefect.events.worker import EventsWorker
from prefect.server.api.server import SubprocessASGIServer
from prefect.settings import temporary_settings
from typer.testing import CliRunner

from bounceback.demo.servers import EmbeddedImapServer, SmtpSink
from bounceback.errors import SecretError
from bounceback.flows.runtime import prefect_updates
from bounceback.mail.credentials import resolve_secret
from bounceback.mail.secret_store import (
    ENCRYPTION_KEY_ENV,
    PLAINTEXT_KEYRING_ENV,
    env_ref,
    file_ref,
    keyring_ref,
    prefect_secret_ref,
    replace_secret,
    store_in_keyring,
)
from tests.cli.test_cli import connect_args


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps passwords in this process (stands in for the OS one)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.saved: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.saved.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.saved[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.saved.pop((service, username), None)


class PlaintextKeyring(MemoryKeyring):
    """Looks like keyrings.alt's file backend, which stores passwords unencrypted."""


PlaintextKeyring.__module__ = "keyrings.alt.file"


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_keyring_round_trip_keeps_only_a_reference(memory_keyring: MemoryKeyring) -> None:
    ref = store_in_keyring("Alex@Example.com", "kr-secret-1")
    assert ref == keyring_ref("alex@example.com") == "keyring:bounceback/alex@example.com"
    assert "kr-secret-1" not in ref
    assert resolve_secret(ref) == "kr-secret-1"
    assert memory_keyring.saved == {("bounceback", "alex@example.com"): "kr-secret-1"}


def test_a_missing_keyring_entry_says_to_reconnect(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(SecretError, match=r"holds no password for sam@example\.com"):
        resolve_secret(keyring_ref("sam@example.com"))


def test_a_headless_machine_is_told_to_use_env_or_a_file() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(SecretError, match="no OS keyring works here"):
            store_in_keyring("alex@example.com", "x")
    finally:
        keyring.set_keyring(previous)


def test_a_plaintext_keyring_needs_an_explicit_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    try:
        with pytest.raises(SecretError, match="unencrypted"):
            store_in_keyring("alex@example.com", "x")
        monkeypatch.setenv(PLAINTEXT_KEYRING_ENV, "1")
        assert resolve_secret(store_in_keyring("alex@example.com", "x")) == "x"
    finally:
        keyring.set_keyring(previous)


def test_env_and_file_references(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BB_TEST_PW", "from-env")
    assert resolve_secret(env_ref("BB_TEST_PW")) == "from-env"
    path = tmp_path / "pw"
    path.write_text("from-file\n")
    path.chmod(0o644)
    with pytest.raises(SecretError, match="chmod 600"):
        resolve_secret(file_ref(path))
    path.chmod(0o600)
    assert resolve_secret(file_ref(path)) == "from-file"


def test_connect_with_keyring_stores_the_password_there_not_in_the_database(
    memory_keyring: MemoryKeyring,
    imap_server: EmbeddedImapServer,
    smtp_sink: SmtpSink,
    bounceback_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bounceback.cli.app import app

    monkeypatch.setenv("BB_CONNECT_PW", imap_server.password)
    result = CliRunner().invoke(
        app,
        [
            "connect",
            "alex@example.com",
            "--imap-host",
            imap_server.host,
            "--imap-port",
            str(imap_server.port),
            "--imap-security",
            "none",
            "--smtp-host",
            smtp_sink.host,
            "--smtp-port",
            str(smtp_sink.port),
            "--smtp-security",
            "none",
            "--username",
            imap_server.user,
            "--password-env",
            "BB_CONNECT_PW",
            "--keyring",
            "--allow-insecure-loopback",
            "--yes",
        ],
    )
    assert result.exit_code == 0, result.output
    assert memory_keyring.saved[("bounceback", "alex@example.com")] == imap_server.password
    with sqlite3.connect(bounceback_home / "bounceback.db") as db:
        assert db.execute("SELECT secret_ref FROM accounts").fetchall() == [
            ("keyring:bounceback/alex@example.com",)
        ]
    for path in bounceback_home.glob("bounceback.db*"):  # the database, its WAL and journal
        assert imap_server.password.encode() not in path.read_bytes()


class MailNote(Block):
    """A block of another type than Secret, to be mistaken for one."""

    text: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def prefect_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory: pytest.TempPathFactory, prefect_key: str) -> Iterator[Path]:
    """PREFECT_HOME of Prefect's temporary server, started with the encryption key in its env.

    No PREFECT_API_URL, as when bounceback runs Prefect itself. The server is registered as
    the process's temporary one, so every client here uses it instead of starting another.
    """
    home = tmp_path_factory.mktemp("prefect-home")
    updates = {
        **prefect_updates(),
        "home": str(home),
        "api.url": None,
        "server.ephemeral.enabled": True,
        "server.database.connection_url": f"sqlite+aiosqlite:///{home / 'prefect.db'}",
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENCRYPTION_KEY_ENV, prefect_key)  # the server subprocess inherits it
        patch.delenv("PREFECT_API_URL", raising=False)
        with temporary_settings(updates=updates):  # type: ignore[arg-type]
            server = SubprocessASGIServer(port=_free_port())
            prior = SubprocessASGIServer._instances.get(None)
            SubprocessASGIServer._instances[None] = server
            try:
                server.start(timeout=90)
                yield home
            finally:
                # Loading a block emits an event: send it while the server is still up, as
                # prefect_test_harness does, or a later exit waits a minute on a dead server.
                EventsWorker.drain_all(timeout=30)
                server.stop()
                if prior is None:
                    SubprocessASGIServer._instances.pop(None, None)
                else:
                    SubprocessASGIServer._instances[None] = prior


def _save_secret(name: str, value: str) -> None:
    Secret(value=value).save(name, overwrite=True)  # type: ignore[arg-type]


def test_a_prefect_secret_block_is_read_and_its_key_stays_out_of_prefects_database(
    prefect_home: Path, prefect_key: str
) -> None:
    plaintext = "pf-secret-7c41e9a0"
    _save_secret("bb-mail-pw", plaintext)
    _save_secret("bb-digits", "0123")  # Secret.get() would make this the number 123
    ref = prefect_secret_ref("bb-mail-pw")
    assert ref == "prefect-secret:bb-mail-pw"
    assert resolve_secret(ref) == plaintext
    assert resolve_secret(prefect_secret_ref("bb-digits")) == "0123"

    files = [path for path in prefect_home.rglob("*") if path.is_file()]  # the DB, WAL, logs
    assert prefect_home / "prefect.db" in files
    assert [path for path in files if plaintext.encode() in path.read_bytes()] == []
    with sqlite3.connect(prefect_home / "prefect.db") as db:
        assert (
            db.execute("SELECT key FROM configuration WHERE key = 'ENCRYPTION_KEY'").fetchall()
            == []
        )
        (stored,) = db.execute(
            "SELECT data FROM block_document WHERE name = 'bb-mail-pw'"
        ).fetchone()
    # What is stored is ciphertext under the key from the environment, not under one of its own.
    assert json.loads(Fernet(prefect_key.encode()).decrypt(json.loads(stored))) == {
        "value": plaintext
    }


def test_without_the_key_bounceback_refuses_a_prefect_secret(
    prefect_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _save_secret("bb-refused", "never-read-4e1b")
    monkeypatch.delenv(ENCRYPTION_KEY_ENV)
    with pytest.raises(SecretError) as refused:
        resolve_secret(prefect_secret_ref("bb-refused"))
    message = str(refused.value)
    assert f"{ENCRYPTION_KEY_ENV} is not set" in message
    assert "in its own database" in message
    assert "Fernet.generate_key()" in message
    assert "never-read-4e1b" not in message
    monkeypatch.setenv(ENCRYPTION_KEY_ENV, "not-a-key")
    with pytest.raises(SecretError, match="is not a Fernet key"):
        resolve_secret(prefect_secret_ref("bb-refused"))


def test_a_missing_block_or_one_of_another_type_is_one_sentence(prefect_home: Path) -> None:
    with pytest.raises(SecretError, match=r"has no Secret block named bb-nowhere; create it"):
        resolve_secret(prefect_secret_ref("bb-nowhere"))
    MailNote(text="not a password").save("bb-note", overwrite=True)
    with pytest.raises(SecretError, match=r"block bb-note .* is a mailnote block, not a Secret"):
        resolve_secret(prefect_secret_ref("bb-note"))


def test_a_separate_prefect_server_keeps_its_key_itself(
    prefect_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With PREFECT_API_URL, the key is in that server's environment, out of bounceback's sight."""
    _save_secret("bb-remote", "remote-pw-55d0")
    monkeypatch.delenv(ENCRYPTION_KEY_ENV)
    server = SubprocessASGIServer._instances[None]
    with temporary_settings(updates={"api.url": server.api_url}):  # type: ignore[dict-item]
        assert resolve_secret(prefect_secret_ref("bb-remote")) == "remote-pw-55d0"
    closed = f"http://127.0.0.1:{_free_port()}/api"
    with (
        temporary_settings(updates={"api.url": closed}),  # type: ignore[dict-item]
        pytest.raises(SecretError, match=rf"the Prefect server at {closed} could not be reached"),
    ):
        resolve_secret(prefect_secret_ref("bb-remote"))


def test_a_rotated_token_is_written_back_to_its_secret_block(prefect_home: Path) -> None:
    _save_secret("bb-refresh-token", "rt-old")
    ref = prefect_secret_ref("bb-refresh-token")
    replace_secret(ref, "rt-new")
    assert resolve_secret(ref) == "rt-new"


def test_oauth2_secrets_can_live_in_prefect_secret_blocks() -> None:
    from bounceback.cli.connect import _oauth2_ref

    ref = _oauth2_ref(
        "", None, "client-1", "google", (None, None), (None, None), blocks=("bb-rt", "bb-cs")
    )
    assert ref is not None
    assert "prefect-secret%3Abb-rt" in ref and "prefect-secret%3Abb-cs" in ref


def test_connect_with_a_prefect_secret_stores_only_the_reference(
    prefect_home: Path,
    imap_server: EmbeddedImapServer,
    smtp_sink: SmtpSink,
    bounceback_home: Path,
) -> None:
    from bounceback.cli.app import app

    _save_secret("bb-connect-pw", imap_server.password)
    args = connect_args(imap_server, smtp_sink)
    at = args.index("--password-env")
    args[at : at + 2] = ["--password-prefect-secret", "bb-connect-pw"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(bounceback_home / "bounceback.db") as db:
        assert db.execute("SELECT secret_ref FROM accounts").fetchall() == [
            ("prefect-secret:bb-connect-pw",)
        ]
    for path in bounceback_home.glob("bounceback.db*"):
        assert imap_server.password.encode() not in path.read_bytes()
    assert imap_server.password not in result.output

    args[at + 1] = "bb-no-such-block"
    failed = CliRunner().invoke(app, args)
    assert failed.exit_code == 1
    sentence = " ".join(failed.output.split())  # the console wraps long lines
    assert "has no Secret block named bb-no-such-block; create it" in sentence
    assert "Traceback" not in failed.output


def test_no_prefect_server_at_all_is_one_sentence() -> None:
    updates = {"api.url": None, "server.ephemeral.enabled": False}
    with (
        temporary_settings(updates=updates),  # type: ignore[arg-type]
        pytest.raises(SecretError, match=r"no Prefect server is configured .* set PREFECT_API_URL"),
    ):
        resolve_secret(prefect_secret_ref("bb-anything"))


def test_secret_block_references_are_found_inside_oauth2_references() -> None:
    from bounceback.mail.oauth import command_ref, refresh_ref
    from bounceback.mail.secret_store import uses_prefect_secret

    assert uses_prefect_secret(prefect_secret_ref("mail"))
    assert uses_prefect_secret(refresh_ref("google", "id", prefect_secret_ref("refresh")))
    assert uses_prefect_secret(
        refresh_ref("microsoft", "id", env_ref("T"), prefect_secret_ref("client-secret"))
    )
    assert not uses_prefect_secret(refresh_ref("google", "id", env_ref("T")))
    assert not uses_prefect_secret(command_ref("oama access alex@example.com"))
    assert not uses_prefect_secret(env_ref("PW"))
