"""Every command fed bad values, as a user in a hurry would: one line, the value, what works.

A failure is one line on stderr naming the value and what would work (exit 1); a bad
option gets click's usage message (exit 2); nothing prompts without a terminal, nothing
starts Prefect before the arguments and accounts are checked, and nothing prints a
traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bounceback.cli.app import app
from tests.cli.test_cli import all_commands

runner = CliRunner()

#: (arguments, text the one line must contain)
FAILURES = [
    (["digest", "--week", "2026-W99", "--send"], "'2026-W99' is not an ISO week"),
    (["digest", "--week", "banana", "--preview", "x.html"], "'banana' is not an ISO week"),
    (["digest", "--week", "2026-W00", "--send"], "'2026-W00' is not an ISO week"),
    (["digest"], "choose one of --preview PATH or --send"),
    (["digest", "--send"], "no account is connected yet"),
    (["poll"], "no account is connected yet"),
    (["poll", "--account", "nobody@example.com"], "no account nobody@example.com"),
    (["poll", "--since", "2099-01-01"], "2099-01-01 is in the future"),
    (["serve", "--prefect-port", "70000"], "--prefect-port 70000 is not a port"),
    (["forget", "nobody@example.com"], "no account nobody@example.com"),
    (["export", "--account", "nobody@example.com"], "no account nobody@example.com"),
    (["export"], "nothing to export"),
    (["db", "reanalyse"], "no account is connected yet"),
    (["db", "reanalyse", "--account", "nobody@example.com"], "no account nobody@example.com"),
    (["profile", "--digest-time", "25:00"], "'25:00' is not a time"),
    (["profile", "--timezone", "Mars/Base"], "'Mars/Base' is not a time zone"),
    (["profile", "--digest-day", "funday"], "'funday' is not a weekday"),
    (["profile", "--salary-floor", "-5"], "cannot be negative (-5)"),
    (["profile", "--quiet-days", "0"], "--quiet-days 0 is out of range"),
    (["profile", "--role", "Analyst"], "no account is connected yet"),
    (["connect", "not-an-address", "--yes"], "'not-an-address' is not an email address"),
    (["connect", "sam@unknown-provider.test", "--yes"], "no settings for unknown-provider.test"),
    (
        ["connect", "sam@fastmail.com", "--digest-to", "nowhere", "--password-env", "X"],
        "'nowhere' is not an address for the digest",
    ),
    (
        ["connect", "sam@fastmail.com", "--imap-port", "70000", "--password-env", "X"],
        "70000 is not a port number",
    ),
    (
        ["connect", "sam@fastmail.com", "--timezone", "Europe/Lundon", "--password-env", "X"],
        "'Europe/Lundon' is not a time zone",
    ),
    (
        ["connect", "sam@fastmail.com", "--password-env", "X", "--password-file", "p"],
        "give one password source",
    ),
    (["connect", "sam@fastmail.com"], "say where the password is"),  # no terminal: no prompt
    (
        [
            "connect",
            "sam@example.test",
            "--imap-host",
            "mail.example.test",
            "--imap-security",
            "none",
            "--password-env",
            "X",
        ],
        "refusing an unencrypted connection to mail.example.test",
    ),
]


@pytest.mark.parametrize(("args", "says"), FAILURES, ids=[" ".join(a) for a, _ in FAILURES])
def test_a_bad_value_is_one_line_that_names_it(
    args: list[str], says: str, bounceback_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bounceback_home.mkdir()
    monkeypatch.chdir(bounceback_home)
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("bounceback: ") and says in lines[0], lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ["connect", "sam@fastmail.com", "--imap-security", "tls"],
        ["connect", "sam@fastmail.com", "--oauth2-provider", "yahoo"],
        ["poll", "--since", "yesterday"],
        ["digest", "--nonsense"],
        ["status", "extra"],
    ],
)
def test_a_bad_option_gets_the_usage_message(args: list[str], bounceback_home: Path) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Usage: bounceback" in result.output and "Traceback" not in result.output


def test_a_bad_setting_in_the_environment_is_one_line(
    bounceback_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOUNCEBACK_FETCH_CHUNK", "0")
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("bounceback: BOUNCEBACK_FETCH_CHUNK has a bad value")


def test_an_unwritable_export_folder_is_one_line(bounceback_home: Path) -> None:
    bounceback_home.mkdir()
    target = bounceback_home / "a-file"
    target.write_text("not a folder")
    result = runner.invoke(app, ["export", "--output", str(target)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"bounceback: {target} is a file; give a folder for the export with --output"
    )


@pytest.mark.parametrize("name", [name for name, _ in all_commands()])
def test_help_reads_at_80_columns(name: str) -> None:
    result = runner.invoke(app, [*name.split(), "--help"], terminal_width=80, env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "<bool>" not in result.output and "…" not in result.output
    too_wide = [line for line in result.output.splitlines() if len(line) > 80]
    assert too_wide == []
