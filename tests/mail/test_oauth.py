"""OAuth2 (XOAUTH2) sign-in: token command and refresh-token exchange, against real servers.

pymap (IMAP) and aiosmtpd (SMTP) accept XOAUTH2 here, checking the bearer token as the
provider would; the refresh-token exchange talks to a token endpoint on 127.0.0.1.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import shutil
import stat
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from bounceback.cli.app import app
from bounceback.demo.servers import EmbeddedImapServer, SmtpSink
from bounceback.errors import SecretError
from bounceback.mail import oauth
from bounceback.mail.secret_store import file_ref, keyring_ref
from tests.mail.test_credentials import MemoryKeyring, memory_keyring  # noqa: F401 (fixture)

runner = CliRunner()
SAMPLES = Path(__file__).resolve().parents[2] / "src" / "bounceback" / "demo" / "samples"
TOKEN = "ya29.a0AfB_test-access-token-7Qx"
GRANT = {"access_token": TOKEN, "expires_in": 3599}
CLIENT_ID = "1234-desktop.apps.googleusercontent.com"
#: Refresh tokens in the order a rotating provider hands them out.
RT = [f"M.C5_BAY.-rotated-refresh-token-{n}-Qm7" for n in range(4)]


@pytest.fixture(autouse=True)
def fresh_token_memory() -> Iterator[None]:
    """Each test starts like a new process: no cached access or rotated refresh tokens."""
    for memory in (oauth._cache, oauth._rotated, oauth._warned_env):
        memory.clear()
    yield
    for memory in (oauth._cache, oauth._rotated, oauth._warned_env):
        memory.clear()


@pytest.fixture
def imap() -> Iterator[EmbeddedImapServer]:
    """pymap accepting XOAUTH2 with TOKEN (and, as pymap does, a LOGIN with it)."""
    with EmbeddedImapServer(user="alex", password=TOKEN, xoauth2=True) as server:
        yield server


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink(xoauth2_token=TOKEN) as server:
        yield server


def token_command(tmp_path: Path, output: str, status: int = 0) -> str:
    """A tiny Python script that prints output and exits with status."""
    script = tmp_path / "print_token.py"
    script.write_text(f"import sys\nsys.stdout.write({output!r})\nsys.exit({status})\n")
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"


def connect_args(imap: EmbeddedImapServer, sink: SmtpSink, *auth: str) -> list[str]:
    return [
        "connect",
        "alex@example.com",
        "--imap-host", imap.host, "--imap-port", str(imap.port), "--imap-security", "none",
        "--smtp-host", sink.host, "--smtp-port", str(sink.port), "--smtp-security", "none",
        "--username", imap.user, "--allow-insecure-loopback", "--yes",
        *auth,
    ]  # fmt: skip


def database_dump(home: Path) -> str:
    engine = create_engine(f"sqlite:///{home / 'bounceback.db'}")
    with engine.connect() as conn:
        rows = [
            repr(row)
            for table in ("accounts", "folders", "messages")
            for row in conn.execute(text(f"SELECT * FROM {table}"))
        ]
    engine.dispose()
    return "\n".join(rows)


def said(result: Any) -> str:
    """stderr with rich's line wrapping undone."""
    return " ".join(result.stderr.split())


def no_accounts() -> bool:
    status = runner.invoke(app, ["status", "--json"])
    return bool(json.loads(status.stdout) == {"accounts": []})


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_connect_poll_and_send_with_a_token_command(
    imap: EmbeddedImapServer, sink: SmtpSink, bounceback_home: Path, tmp_path: Path
) -> None:
    command = token_command(tmp_path, TOKEN + "\nsecond line is ignored\n")
    result = runner.invoke(app, connect_args(imap, sink, "--oauth2-token-command", command))
    assert result.exit_code == 0, result.output
    assert "SMTP verified" in result.stdout and "offered no AUTH" not in result.stdout
    samples = sorted(SAMPLES.glob("*.eml"))
    imap.append(path.read_bytes() for path in samples)
    polled = runner.invoke(app, ["poll", "--json"])
    assert polled.exit_code == 0, polled.output
    (summary,) = json.loads(polled.stdout)["accounts"]
    assert summary["new_messages"] == len(samples)
    # the digest goes out through SMTP AUTH XOAUTH2 (and the IMAP sent-check)
    sent = runner.invoke(app, ["digest", "--send", "--week", "2026-W48"])
    assert sent.exit_code == 0, sent.output
    assert len(sink.wait_for(1)) == 1
    dump = database_dump(bounceback_home)
    assert "oauth2:command=" in dump
    assert TOKEN not in dump
    assert TOKEN not in result.output + polled.output + sent.output


def test_a_refused_token_is_one_clear_sentence(
    imap: EmbeddedImapServer, sink: SmtpSink, bounceback_home: Path, tmp_path: Path
) -> None:
    stale = "ya29.expired-token-000"
    command = token_command(tmp_path, stale + "\n")
    result = runner.invoke(app, connect_args(imap, sink, "--oauth2-token-command", command))
    assert result.exit_code == 1
    assert "IMAP server" in said(result)
    assert "the OAuth2 token was refused: it may be expired or revoked" in said(result)
    assert "run your token command" in said(result)
    assert "Traceback" not in result.output and stale not in result.output
    assert no_accounts()


def test_smtp_refusing_the_token_is_reported_and_nothing_saved(
    imap: EmbeddedImapServer, bounceback_home: Path, tmp_path: Path
) -> None:
    with SmtpSink(xoauth2_token="a-different-token") as other:
        command = token_command(tmp_path, TOKEN)
        result = runner.invoke(app, connect_args(imap, other, "--oauth2-token-command", command))
    assert result.exit_code == 1
    assert "SMTP server" in said(result) and "OAuth2 token was refused" in said(result)
    assert TOKEN not in result.output
    assert no_accounts()


@pytest.mark.parametrize(
    ("output", "status", "expected"),
    [
        ("", 0, "printed nothing"),
        ("\n  \n", 0, "printed nothing"),
        (TOKEN, 3, "failed with exit status 3"),
    ],
)
def test_a_broken_token_command_says_what_to_do(
    imap: EmbeddedImapServer,
    sink: SmtpSink,
    bounceback_home: Path,
    tmp_path: Path,
    output: str,
    status: int,
    expected: str,
) -> None:
    command = token_command(tmp_path, output, status)
    result = runner.invoke(app, connect_args(imap, sink, "--oauth2-token-command", command))
    assert result.exit_code == 1
    assert expected in said(result)
    assert "Traceback" not in result.output and TOKEN not in result.output
    assert no_accounts()


def test_a_missing_token_command_is_named(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="was not found"):
        oauth.run_token_command(str(tmp_path / "no-such-helper") + " --account work")


def test_the_token_command_runs_without_a_shell(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    command = token_command(tmp_path, TOKEN) + f" ; touch {marker}"
    assert oauth.run_token_command(command) == TOKEN  # "; touch" are plain arguments
    assert not marker.exists()


class TokenEndpoint:
    """A token endpoint on 127.0.0.1 that records the forms posted to it.

    It answers with `replies` in turn and repeats the last one.
    """

    def __init__(self) -> None:
        self.forms: list[dict[str, str]] = []
        self.replies: list[tuple[int, dict[str, Any]]] = [(200, GRANT)]
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                endpoint.forms.append(
                    dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                )
                turn = min(len(endpoint.forms), len(endpoint.replies)) - 1
                status, body = endpoint.replies[turn]
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> TokenEndpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def sent_refresh_tokens(self) -> list[str]:
        return [form["refresh_token"] for form in self.forms]


@pytest.fixture
def token_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[TokenEndpoint]:
    """A local token endpoint, where bounceback's refresh-token exchanges go."""
    with TokenEndpoint() as endpoint:
        monkeypatch.setenv(oauth.TOKEN_URL_ENV, endpoint.url)
        yield endpoint


def secret_file(folder: Path, name: str, value: str) -> Path:
    path = folder / name
    path.write_text(value + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def locked_refresh_token_file(tmp_path: Path) -> Iterator[Path]:
    """A 0600 file holding RT[0] in a folder where no new file can be made, not even by root."""
    folder = tmp_path / "locked"
    folder.mkdir()
    path = secret_file(folder, "rt", RT[0])
    if os.geteuid() != 0:
        folder.chmod(0o500)
        yield path
        folder.chmod(0o700)
        return
    # root writes through permission bits; an immutable folder stops it too
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", folder], check=False).returncode != 0:
        pytest.skip("running as root without chattr +i, so no folder here refuses writes")
    try:
        yield path
    finally:
        subprocess.run([chattr, "-i", folder], check=True)


def refresh_args(provider: str, *source: str) -> list[str]:
    """connect options for a refresh-token exchange with CLIENT_ID."""
    return ["--oauth2-client-id", CLIENT_ID, "--oauth2-provider", provider, *source]


def rotating(*tokens: str, expires_in: int = 30) -> list[tuple[int, dict[str, Any]]]:
    """Replies that rotate the refresh token to each of tokens in turn (30 s: never cached)."""
    return [(200, {**GRANT, "expires_in": expires_in, "refresh_token": t}) for t in tokens]


def warnings_from_oauth(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == oauth.__name__ and record.levelno >= logging.WARNING
    ]


def test_connect_with_a_refresh_token_exchanges_it_once(
    imap: EmbeddedImapServer,
    sink: SmtpSink,
    bounceback_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    token_endpoint: TokenEndpoint,
) -> None:
    refresh_token = "1//0g-refresh-token-kept-in-a-file"
    client_secret = "GOCSPX-client-secret-in-env"
    monkeypatch.setenv("BB_OAUTH_SECRET", client_secret)
    source = ("--oauth2-refresh-token-file", str(secret_file(tmp_path, "rt", refresh_token)))
    secret = ("--oauth2-client-secret-env", "BB_OAUTH_SECRET")
    args = connect_args(imap, sink, *refresh_args("google", *source, *secret))
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    # IMAP and SMTP both logged in with one exchange: the token is cached until expiry
    assert token_endpoint.forms == [
        {
            "grant_type": "refresh_token",
            "client_id": CLIENT_ID,
            "refresh_token": refresh_token,
            "client_secret": client_secret,
        }
    ]
    dump = database_dump(bounceback_home)
    assert "oauth2:provider=google" in dump and "env%3ABB_OAUTH_SECRET" in dump
    for secret_value in (TOKEN, refresh_token, client_secret):
        assert secret_value not in dump and secret_value not in result.output


def test_a_revoked_refresh_token_is_one_clear_sentence(
    imap: EmbeddedImapServer,
    sink: SmtpSink,
    bounceback_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    token_endpoint: TokenEndpoint,
) -> None:
    monkeypatch.setenv("BB_RT", "1//revoked")
    body = {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
    token_endpoint.replies = [(400, body)]
    args = refresh_args("microsoft", "--oauth2-refresh-token-env", "BB_RT")
    result = runner.invoke(app, connect_args(imap, sink, *args))
    assert result.exit_code == 1
    assert "refused the refresh token (invalid_grant)" in said(result)
    assert "re-authorise" in said(result) and "1//revoked" not in result.output
    (form,) = token_endpoint.forms
    assert "client_secret" not in form  # a public client has none
    assert "offline_access" in form["scope"] and "IMAP.AccessAsUser.All" in form["scope"]
    assert no_accounts()


def test_an_expired_cached_token_is_fetched_again(
    monkeypatch: pytest.MonkeyPatch, token_endpoint: TokenEndpoint
) -> None:
    monkeypatch.setenv("BB_RT", "1//rt")
    ref = oauth.refresh_ref("google", CLIENT_ID, "env:BB_RT")
    token_endpoint.replies = [(200, {**GRANT, "expires_in": 30})]
    first = oauth.access_token(ref)
    second = oauth.access_token(ref)  # 30 s is inside the 60 s safety margin: not cached
    assert first == second == TOKEN and isinstance(first, oauth.OAuth2Token)
    assert len(token_endpoint.forms) == 2
    assert TOKEN not in repr(first)


def test_a_rotated_refresh_token_replaces_the_file(
    tmp_path: Path, token_endpoint: TokenEndpoint, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    path = secret_file(tmp_path, "rt", RT[0])
    ref = oauth.refresh_ref("microsoft", CLIENT_ID, file_ref(path))
    token_endpoint.replies = rotating(RT[1], RT[2])
    assert oauth.access_token(ref) == TOKEN
    assert path.read_text() == RT[1] + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left beside it
    oauth.access_token(ref)
    assert token_endpoint.sent_refresh_tokens() == [RT[0], RT[1]]
    assert path.read_text() == RT[2] + "\n"
    # a new process starts from the file
    oauth._cache.clear()
    oauth._rotated.clear()
    oauth.access_token(ref)
    assert token_endpoint.sent_refresh_tokens() == [RT[0], RT[1], RT[2]]
    assert warnings_from_oauth(caplog) == []
    assert not any(token in caplog.text for token in (TOKEN, *RT))


def test_a_refresh_token_another_process_saved_is_used(
    tmp_path: Path, token_endpoint: TokenEndpoint
) -> None:
    path = secret_file(tmp_path, "rt", RT[0])
    ref = oauth.refresh_ref("microsoft", CLIENT_ID, file_ref(path))
    token_endpoint.replies = rotating(RT[1], RT[3])
    oauth.access_token(ref)
    # another process refreshed too and replaced the file after us: the last writer wins,
    # and this process follows the file rather than the token it remembers
    secret_file(tmp_path, "rt", RT[2])
    oauth.access_token(ref)
    assert token_endpoint.sent_refresh_tokens() == [RT[0], RT[2]]
    assert path.read_text() == RT[3] + "\n"


def test_an_unchanged_refresh_token_is_not_rewritten(
    tmp_path: Path, token_endpoint: TokenEndpoint
) -> None:
    path = secret_file(tmp_path, "rt", RT[0])
    before = path.stat()
    token_endpoint.replies = rotating(RT[0])
    oauth.access_token(oauth.refresh_ref("microsoft", CLIENT_ID, file_ref(path)))
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_rotated_refresh_token_replaces_the_keyring_entry(
    memory_keyring: MemoryKeyring,  # noqa: F811 (the fixture imported above)
    token_endpoint: TokenEndpoint,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    memory_keyring.set_password("bounceback", "alex@example.com", RT[0])
    ref = oauth.refresh_ref("microsoft", CLIENT_ID, keyring_ref("alex@example.com"))
    token_endpoint.replies = rotating(RT[1], RT[2])
    oauth.access_token(ref)
    assert memory_keyring.saved == {("bounceback", "alex@example.com"): RT[1]}
    oauth.access_token(ref)
    assert token_endpoint.sent_refresh_tokens() == [RT[0], RT[1]]
    assert memory_keyring.saved == {("bounceback", "alex@example.com"): RT[2]}
    assert warnings_from_oauth(caplog) == []


def test_a_rotated_refresh_token_from_the_environment_is_kept_in_memory(
    monkeypatch: pytest.MonkeyPatch,
    token_endpoint: TokenEndpoint,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("BB_RT", RT[0])
    ref = oauth.refresh_ref("microsoft", CLIENT_ID, "env:BB_RT")
    token_endpoint.replies = rotating(RT[1], RT[2], RT[3])
    for _ in range(3):
        assert oauth.access_token(ref) == TOKEN
    assert token_endpoint.sent_refresh_tokens() == [RT[0], RT[1], RT[2]]
    assert os.environ["BB_RT"] == RT[0]
    (warning,) = warnings_from_oauth(caplog)  # once per process, not once per rotation
    assert "cannot update the environment variable BB_RT" in warning
    assert "--oauth2-refresh-token-file" in warning
    assert not any(token in caplog.text for token in (TOKEN, *RT))


def test_a_rotated_refresh_token_that_cannot_be_saved_still_logs_in(
    imap: EmbeddedImapServer,
    sink: SmtpSink,
    bounceback_home: Path,
    locked_refresh_token_file: Path,
    token_endpoint: TokenEndpoint,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bounceback")
    token_endpoint.replies = rotating(RT[1], RT[2], expires_in=3599)
    source = ("--oauth2-refresh-token-file", str(locked_refresh_token_file))
    result = runner.invoke(app, connect_args(imap, sink, *refresh_args("microsoft", *source)))
    assert result.exit_code == 0, result.output
    assert "SMTP verified" in result.stdout
    (warning,) = warnings_from_oauth(caplog)
    assert "sent a new refresh token that could not be saved" in warning
    assert str(locked_refresh_token_file.parent) in warning
    assert locked_refresh_token_file.read_text() == RT[0] + "\n"
    assert list(locked_refresh_token_file.parent.iterdir()) == [locked_refresh_token_file]
    # the rest of this process refreshes with the new token, not the stale one in the file
    oauth._cache.clear()
    oauth.access_token(
        oauth.refresh_ref("microsoft", CLIENT_ID, file_ref(locked_refresh_token_file))
    )
    assert token_endpoint.sent_refresh_tokens() == [RT[0], RT[1]]
    leaks = caplog.text + result.output + database_dump(bounceback_home)
    assert not any(token in leaks for token in (TOKEN, *RT))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--oauth2-client-id", "cid"], "--oauth2-refresh-token-env"),
        (["--oauth2-refresh-token-env", "X"], "need --oauth2-client-id"),
        (["--oauth2-token-command", "x", "--oauth2-client-id", "c"], "not both"),
        (["--oauth2-token-command", "x", "--password-env", "P"], "not both"),
        # An unknown --oauth2-provider is a usage error (exit 2): see tests/cli/test_bad_input.
    ],
)
def test_contradictory_oauth2_options_are_refused(
    bounceback_home: Path, args: list[str], expected: str
) -> None:
    result = runner.invoke(
        app, ["connect", "someone@example.org", "--imap-host", "imap.example.org", "--yes", *args]
    )
    assert result.exit_code == 1
    assert expected in said(result)


def test_gmail_preset_picks_google_for_the_refresh_flow() -> None:
    from bounceback.cli.connect import _oauth2_ref
    from bounceback.mail.providers import preset_for

    preset = preset_for("someone@gmail.com")
    assert preset is not None and preset.oauth2 == "google"
    ref = _oauth2_ref(preset.oauth2, None, "cid", None, ("RT", None), (None, None))
    assert ref is not None and ref.startswith("oauth2:provider=google&")
