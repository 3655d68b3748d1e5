"""Where secrets come from: environment, 0600 files and the OS keyring, never the database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from typer.testing import CliRunner

from bounceback.flows.embedded import EmbeddedImapServer, SmtpSink
from bounceback.flows.errors import SecretError
from bounceback.flows.secret_refs import (
    PLAINTEXT_KEYRING_ENV,
    env_ref,
    file_ref,
    keyring_ref,
    resolve_secret,
    store_in_keyring,
)


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
    from bounceback.flows.cli import app

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
