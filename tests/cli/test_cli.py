"""The command line, invoked as a user would, against loopback servers and a real database."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
import typer.main
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from bounceback.cli.app import app
from bounceback.demo.servers import EmbeddedImapServer, SmtpSink
from bounceback.nlp.reading import reading_text
from bounceback.nlp.taxonomy import GAP_CATEGORIES, LABELS
from tests.support.mail import make_mail

runner = CliRunner()
SAMPLES = Path(__file__).resolve().parents[2] / "src" / "bounceback" / "demo" / "samples"


def all_commands() -> list[tuple[str, Any]]:
    root: Any = typer.main.get_command(app)
    found = []
    for name, command in root.commands.items():
        if hasattr(command, "commands"):
            found += [(f"{name} {sub}", c) for sub, c in command.commands.items()]
        else:
            found.append((name, command))
    return found


def test_every_command_has_help() -> None:
    commands = all_commands()
    assert {"connect", "poll", "status", "digest", "classify", "demo", "db upgrade"} <= {
        name for name, _ in commands
    }
    for name, command in commands:
        assert command.help and len(command.help.strip()) > 20, name
        result = runner.invoke(app, [*name.split(), "--help"])
        assert result.exit_code == 0, name


def connect_args(imap: EmbeddedImapServer, sink: SmtpSink, *extra: str) -> list[str]:
    return [
        "connect",
        "alex@example.com",
        "--imap-host",
        imap.host,
        "--imap-port",
        str(imap.port),
        "--imap-security",
        "none",
        "--smtp-host",
        sink.host,
        "--smtp-port",
        str(sink.port),
        "--smtp-security",
        "none",
        "--username",
        imap.user,
        "--password-env",
        "BB_TEST_PW",
        "--allow-insecure-loopback",
        "--yes",
        *extra,
    ]


@pytest.fixture
def connected(
    bounceback_home: Path,
    imap_server: EmbeddedImapServer,
    smtp_sink: SmtpSink,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[EmbeddedImapServer, SmtpSink]:
    monkeypatch.setenv("BB_TEST_PW", imap_server.password)
    result = runner.invoke(app, connect_args(imap_server, smtp_sink))
    assert result.exit_code == 0, result.output
    return imap_server, smtp_sink


def database_dump(home: Path) -> bytes:
    engine = create_engine(f"sqlite:///{home / 'bounceback.db'}")
    with engine.connect() as conn:
        rows = [
            repr(row).encode()
            for table in ("accounts", "folders", "messages")
            for row in conn.execute(text(f"SELECT * FROM {table}"))
        ]
    engine.dispose()
    return b"\n".join(rows)


def test_connect_saves_the_account_but_never_the_password(
    connected: tuple[EmbeddedImapServer, SmtpSink], bounceback_home: Path
) -> None:
    imap, _ = connected
    dump = database_dump(bounceback_home)
    assert b"alex@example.com" in dump
    assert imap.password.encode() not in dump
    assert b"env:BB_TEST_PW" in dump


def test_connect_with_a_wrong_password_saves_nothing(
    bounceback_home: Path,
    imap_server: EmbeddedImapServer,
    smtp_sink: SmtpSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BB_TEST_PW", "not-the-password")
    result = runner.invoke(app, connect_args(imap_server, smtp_sink))
    assert result.exit_code == 1
    assert "refused the login" in result.stderr
    assert "Traceback" not in result.output
    status = runner.invoke(app, ["status", "--json"])
    assert json.loads(status.stdout) == {"accounts": []}


def test_connect_refuses_plaintext_to_a_remote_host(
    bounceback_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BB_TEST_PW", "x")
    result = runner.invoke(
        app,
        [
            "connect",
            "alex@example.com",
            "--imap-host",
            "imap.example.com",
            "--imap-security",
            "none",
            "--smtp-host",
            "smtp.example.com",
            "--password-env",
            "BB_TEST_PW",
            "--allow-insecure-loopback",
            "--yes",
        ],
    )
    assert result.exit_code == 1
    assert "refusing an unencrypted connection" in result.stderr


def test_connect_without_a_password_source_says_what_to_do(bounceback_home: Path) -> None:
    result = runner.invoke(app, ["connect", "someone@gmail.com", "--yes"])
    assert result.exit_code == 1
    assert "--password-env" in result.stderr


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_poll_status_and_digest_end_to_end(
    connected: tuple[EmbeddedImapServer, SmtpSink], bounceback_home: Path, tmp_path: Path
) -> None:
    imap, sink = connected
    imap.append(
        (SAMPLES / name).read_bytes() for name in sorted(p.name for p in SAMPLES.glob("*.eml"))
    )
    polled = runner.invoke(app, ["poll", "--json"])
    assert polled.exit_code == 0, polled.output
    (summary,) = json.loads(polled.stdout)["accounts"]
    count = len(list(SAMPLES.glob("*.eml")))
    assert summary["new_messages"] == count

    again = runner.invoke(app, ["poll", "--json"])
    assert json.loads(again.stdout)["accounts"][0]["new_messages"] == 0

    status = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    (account,) = status["accounts"]
    assert account["address"] == "alex@example.com"
    assert account["messages"] == count
    assert account["labels"].get("rejection", 0) >= 4
    assert account["labels"].get("job_alert", 0) >= 3
    assert account["gaps"] >= 3
    assert account["postings"] >= 5
    assert account["last_error"] is None and account["last_poll"]

    preview = tmp_path / "preview" / "digest.html"
    result = runner.invoke(app, ["digest", "--preview", str(preview), "--week", "2026-W48"])
    assert result.exit_code == 0, result.output
    html = preview.read_text(encoding="utf-8")
    assert "<html" in html.lower()
    assert preview.with_suffix(".txt").exists() and preview.with_suffix(".eml").exists()
    assert sink.messages == []  # a preview sends nothing

    for _ in range(2):
        sent = runner.invoke(app, ["digest", "--send", "--week", "2026-W48"])
        assert sent.exit_code == 0, sent.output
    received = sink.wait_for(1)
    assert len(received) == 1  # sent at most once per account and ISO week
    message = message_from_bytes(received[0][2], policy=policy.default)
    assert message["To"] == "alex@example.com"
    assert message.get_body(preferencelist=("html",)) is not None
    assert message.get_body(preferencelist=("plain",)) is not None
    status = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    assert status["accounts"][0]["digests_sent"] == 1


def check_contract(item: dict[str, object], body: str) -> None:
    assert set(item) == {"id", "labels", "scores", "company", "role", "gaps"}
    scores = item["scores"]
    assert isinstance(scores, dict) and set(scores) == set(LABELS)
    assert all(0.0 <= v <= 1.0 for v in scores.values())
    assert set(item["labels"]) <= set(LABELS)  # type: ignore[arg-type]
    for gap in item["gaps"]:  # type: ignore[attr-defined]
        assert set(gap) == {"category", "text", "start", "end", "skill", "confidence"}
        assert gap["category"] in GAP_CATEGORIES
        assert body[gap["start"] : gap["end"]] == gap["text"]


def test_classify_jsonl_follows_the_contract(tmp_path: Path) -> None:
    rows = [
        {
            "id": "r1",
            "subject": "Your application to Northwind Logistics",
            "from": "Northwind Talent <talent@northwind.test>",
            "body": "Dear Sam,\n\nThank you for interviewing for the Operations Analyst role. We have decided not to "
            "progress your application. The panel felt your answers lacked concrete examples with measurable "
            "results, and the successful candidate had more experience with SQL reporting.\n\nKind regards,\nNorthwind",
            "html": None,
        },
        {
            "id": "i1",
            "subject": "Interview invitation: Data Analyst",
            "from": "Priya at Quanta <priya@quanta.test>",
            "body": "Hi Sam, we'd love to invite you to a video interview next Tuesday at 10am. Please confirm a slot.",
        },
        {
            "id": "o1",
            "subject": "Lunch?",
            "from": "Jo <jo@friends.test>",
            "body": "Free for lunch on Friday?",
        },
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["classify", "--jsonl", str(path)])
    assert result.exit_code == 0, result.output
    items = [json.loads(line) for line in result.stdout.splitlines()]
    assert [i["id"] for i in items] == ["r1", "i1", "o1"]
    for item, row in zip(items, rows, strict=True):
        # Offsets index the body as read (the one reading path), here the body as given.
        assert reading_text(row["body"]) == row["body"]
        check_contract(item, row["body"])
    assert "rejection" in items[0]["labels"]
    assert "interview" in items[1]["labels"]
    assert items[2]["labels"] == []


def test_classify_eml_files_uses_file_stems_as_ids() -> None:
    from bounceback.nlp.mail import parse_email

    paths = sorted(SAMPLES.glob("*.eml"))[:6]
    result = runner.invoke(app, ["classify", *map(str, paths)])
    assert result.exit_code == 0, result.output
    items = [json.loads(line) for line in result.stdout.splitlines()]
    assert [i["id"] for i in items] == [p.stem for p in paths]
    for item, path in zip(items, paths, strict=True):
        check_contract(item, parse_email(path.read_bytes()).new_text)


@pytest.mark.parametrize(
    ("name", "content", "word"),
    [
        ("empty.eml", b"", "empty"),
        ("blank.eml", b"  \r\n\n", "empty"),
        ("photo.eml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
        ("in.jsonl", b"", "is empty: give a JSON-lines file with"),
        ("in2.jsonl", b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "not a JSON-lines file"),
    ],
)
def test_classify_refuses_empty_or_binary_input(
    tmp_path: Path, name: str, content: bytes, word: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    args = ["--jsonl", str(path)] if name.endswith(".jsonl") else [str(path)]
    result = runner.invoke(app, ["classify", *args])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert word in result.stderr and str(path) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_classify_bad_jsonl_line_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "body": "x"}\nnot json\n', encoding="utf-8")
    result = runner.invoke(app, ["classify", "--jsonl", str(path)])
    assert result.exit_code == 1
    assert "line 2" in result.stderr


@pytest.mark.parametrize("field", ['"subject": 5', '"body": ["a"]', '"from": {"x": 1}'])
def test_classify_a_field_that_is_not_text_is_one_clear_error(tmp_path: Path, field: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(f'{{"id": "a", {field}}}\n', encoding="utf-8")
    result = runner.invoke(app, ["classify", "--jsonl", str(path)])
    assert result.exit_code == 1
    name = field.split(":")[0]
    assert f"line 1: {name} must be text" in result.stderr
    assert "unexpected" not in result.stderr


def test_poll_before_connect_is_a_clear_error(bounceback_home: Path) -> None:
    result = runner.invoke(app, ["poll", "--account", "nobody@example.com"])
    assert result.exit_code == 1
    assert "bounceback connect" in result.stderr


def test_status_is_json_for_scripts(connected: tuple[EmbeddedImapServer, SmtpSink]) -> None:
    imap, _ = connected
    imap.append([make_mail(1)])
    result = runner.invoke(app, ["status", "--json"])
    document = json.loads(result.stdout)
    account = document["accounts"][0]
    assert {
        "address",
        "messages",
        "labels",
        "gaps",
        "postings",
        "digests_sent",
        "last_poll",
        "last_error",
    } <= set(account)
    assert account["messages"] == 0 and account["last_poll"] is None


@pytest.mark.usefixtures("prefect_harness", "connected")
def test_poll_of_an_account_held_by_another_poll_says_so(bounceback_home: Path) -> None:
    from bounceback.flows.lease import acquire
    from bounceback.settings import load_settings
    from bounceback.storage import accounts
    from bounceback.storage.db import sessions_for

    sessions = sessions_for(load_settings().database_url)
    with sessions.begin() as session:
        account = accounts.get_account("alex@example.com", session=session)
        assert account is not None
        account_id = account.id
    assert acquire(sessions, account_id, "a poll that was killed") is not None
    result = runner.invoke(app, ["poll"])
    assert result.exit_code == 0, result.output
    assert "skipped, another poll holds this account until" in result.stdout
    assert "new messages" not in result.stdout


def test_a_gmail_account_polled_minutes_ago_is_not_polled_again(bounceback_home: Path) -> None:
    from datetime import timedelta

    from bounceback.flows.schedules import gmail_next_poll
    from bounceback.settings import load_settings
    from bounceback.storage import accounts
    from bounceback.storage.db import sessions_for
    from bounceback.storage.models import utcnow

    sessions = sessions_for(load_settings().database_url)
    polled = utcnow() - timedelta(minutes=5)
    with sessions.begin() as session:
        account = accounts.save_account(
            {
                "address": "alex.doe@gmail.com",
                "username": "alex.doe@gmail.com",
                "imap_host": "imap.gmail.com",
                "imap_port": 993,
                "imap_security": "ssl",
                "secret_ref": "env:BOUNCEBACK_TEST_NEVER_SET",
                "digest_to": "alex.doe@gmail.com",
            },
            ["INBOX"],
            session=session,
        )
        account.last_poll_at = polled
        assert gmail_next_poll(account, utcnow()) == polled + timedelta(minutes=15)
        assert gmail_next_poll(account, polled + timedelta(minutes=15, seconds=1)) is None
    # No connection is attempted (this machine cannot reach Gmail, and the secret is unset).
    result = runner.invoke(app, ["poll", "--account", "alex.doe@gmail.com"])
    assert result.exit_code == 0, result.output
    assert "skipped, polled less than 15 minutes ago" in result.stdout
    assert "--now" in result.stdout
    data = json.loads(
        runner.invoke(app, ["poll", "--account", "alex.doe@gmail.com", "--json"]).stdout
    )
    (item,) = data["accounts"]
    assert item["skipped"] and item["reason"] == "gmail-interval" and item["held_until"] is None
    assert item["next_poll_at"].startswith((polled + timedelta(minutes=15)).isoformat()[:16])
    # Asked for explicitly, the poll goes ahead (and fails here: no Gmail to reach).
    forced = runner.invoke(app, ["poll", "--account", "alex.doe@gmail.com", "--now"])
    assert forced.exit_code != 0
    assert "skipped" not in forced.stdout
