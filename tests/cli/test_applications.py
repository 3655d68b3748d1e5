"""`bounceback applications` and the export of applications, through the CLI runner."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from bounceback.cli.app import app
from bounceback.flows.link import link_pending
from bounceback.storage.db import make_engine, session_factory, upgrade
from tests.support.applications import mail, new_account, store_mail

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _home(tmp_path: Path, monkeypatch: object) -> str:
    url = f"sqlite:///{tmp_path / 'home' / 'bounceback.db'}"
    (tmp_path / "home").mkdir()
    upgrade(url)
    sessions = session_factory(make_engine(url))
    account_id = new_account(sessions)
    store_mail(sessions, account_id, [
        (mail("Thanks", "Received.", when=T0), ["application_received"], "Acme", "Data Analyst"),
        (mail("Interview", "Thank you for attending an interview. We will not proceed.",
              when=T0 + timedelta(days=6)), ["rejection"], "Acme", "Data Analyst"),
        (mail("Thanks", "Received.", when=T0 + timedelta(days=20)), ["application_received"], "Kestrel", "Analyst"),
    ], 1)  # fmt: skip
    link_pending(account_id, sessions=sessions)
    monkeypatch.setenv("BOUNCEBACK_HOME", str(tmp_path / "home"))  # type: ignore[attr-defined]
    monkeypatch.setenv("BOUNCEBACK_DATABASE_URL", url)  # type: ignore[attr-defined]
    return url


def test_applications_json_has_the_design_shape(tmp_path: Path, monkeypatch: object) -> None:
    _home(tmp_path, monkeypatch)
    result = CliRunner().invoke(app, ["applications", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    first, second = data["applications"]
    assert first["employer"] == "Kestrel", "newest activity first"
    for key in (
        "id",
        "employer",
        "role",
        "channel",
        "stage",
        "first_contact",
        "last_contact",
        "events",
        "upcoming",
    ):
        assert key in second
    assert (second["stage"], second["rejected_at"]) == ("rejected", "interview")
    assert [e["kind"] for e in second["events"]] == ["acknowledged", "rejection"]
    assert set(second["events"][0]) >= {"date", "kind", "message_id"}
    datetime.fromisoformat(second["first_contact"])
    text = CliRunner().invoke(app, ["applications"])
    assert text.exit_code == 0 and "rejected at interview" in text.stdout


def test_applications_for_an_unknown_account_is_one_line_and_exit_1(
    tmp_path: Path, monkeypatch: object
) -> None:
    _home(tmp_path, monkeypatch)
    result = CliRunner().invoke(app, ["applications", "--account", "nobody@example.com"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_export_writes_the_record_of_job_search_for_a_period(
    tmp_path: Path, monkeypatch: object
) -> None:
    _home(tmp_path, monkeypatch)
    out = tmp_path / "export"
    result = CliRunner().invoke(
        app, ["export", "--output", str(out), "--from", "2026-11-01", "--to", "2026-11-10"]
    )
    assert result.exit_code == 0, result.output
    (apps_csv,) = out.glob("*-applications.csv")
    rows = list(csv.DictReader(apps_csv.open(encoding="utf-8")))
    assert [(r["employer"], r["date_applied"], r["outcome"]) for r in rows] == [
        ("Acme", "2026-11-02", "rejected")
    ]
    assert "acknowledged 2026-11-02" in rows[0]["stages"]
    (events_csv,) = out.glob("*-application_events.csv")
    assert [r["kind"] for r in csv.DictReader(events_csv.open(encoding="utf-8"))] == [
        "acknowledged",
        "rejection",
    ]
    (json_file,) = out.glob("*.json")
    assert len(json.loads(json_file.read_text(encoding="utf-8"))["applications"]) == 1
    bad = CliRunner().invoke(
        app, ["export", "--output", str(out), "--from", "2026-11-10", "--to", "2026-11-01"]
    )
    assert bad.exit_code == 1
