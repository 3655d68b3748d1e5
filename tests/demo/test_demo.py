"""`bounceback demo` from the console script, as a newcomer runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from bounceback.demo.run import demo_week_shift, sample_messages, shift_dates


def test_samples_move_whole_weeks_into_the_last_complete_week() -> None:
    delta = demo_week_shift(datetime(2027, 3, 10, 12, tzinfo=UTC))  # a Wednesday
    assert delta.days % 7 == 0
    raw = dict(sample_messages())
    newest = max(
        message_from_bytes(shift_dates(r, delta), policy=policy.default)["Date"].datetime
        for r in raw.values()
    )
    # the busiest sample week now ends before the Monday of the week containing "today"
    assert datetime(2027, 3, 1, tzinfo=UTC) <= newest < datetime(2027, 3, 8, tzinfo=UTC)


def test_shift_dates_moves_the_date_header_and_the_dates_in_the_text() -> None:
    raw = dict(sample_messages())["32-interview-final-round-kestrel.eml"]
    moved = shift_dates(raw, timedelta(days=-14))
    assert moved.replace(b"\r\n", b"\n").count(b"\n") == raw.replace(b"\r\n", b"\n").count(b"\n")
    before = message_from_bytes(raw, policy=policy.default)
    after = message_from_bytes(moved, policy=policy.default)
    assert after["Date"].datetime == before["Date"].datetime - timedelta(days=14)
    old_text = before.get_body(preferencelist=("plain",)).get_content()
    new_text = after.get_body(preferencelist=("plain",)).get_content()
    assert "Monday 30 November" in old_text and "Monday 30 November" not in new_text
    # the same weekday two weeks earlier, and nothing else in the text changed
    assert new_text == old_text.replace("Monday 30 November", "Monday 16 November")


def test_a_written_year_is_kept_and_moved_across_new_year() -> None:
    raw = dict(sample_messages())["37-offer-greyfriars.eml"]
    moved = shift_dates(raw, timedelta(days=-70))
    text = message_from_bytes(moved, policy=policy.default).get_body(("plain",)).get_content()
    assert "Monday 2 November 2026" in text  # was Monday 11 January 2027


@pytest.mark.slow
def test_demo_runs_the_whole_loop(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BOUNCEBACK_HOME": str(tmp_path / "home"),
        "PREFECT_HOME": str(tmp_path / "prefect"),
    }
    env.pop("BOUNCEBACK_DATABASE_URL", None)
    env.pop("PREFECT_API_URL", None)
    bounceback = Path(sys.executable).with_name("bounceback")
    result = subprocess.run(
        [str(bounceback), "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    out = result.stdout
    assert "feedback gaps extracted" in out
    _assert_dates_ahead(tmp_path / "home" / "demo" / "demo.db")
    demo = tmp_path / "home" / "demo"
    (eml,) = demo.glob("digest-*.eml")
    html = eml.with_suffix(".html").read_text(encoding="utf-8")
    text = eml.with_suffix(".txt").read_text(encoding="utf-8")
    assert str(eml) in out.replace("\n", "")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "alex.morgan@example.com"
    for section in ("week at a glance", "feedback", "next steps", "job"):
        assert section in text.lower(), section
    # recurring themes from the samples: several employers mention stakeholder management
    assert "stakeholder" in text.lower()
    assert "mailto:" in html
    assert "<script" not in html.lower()


def _assert_dates_ahead(database: Path) -> None:
    """Seen at the digest's moment, the week's interview and take-home are ahead, on the
    dates the mail names, moved with the samples into the last complete week."""
    from bounceback.digest.collect import Week
    from bounceback.storage.applications import list_applications
    from bounceback.storage.db import sessions_for

    now = datetime.now(UTC)
    delta = demo_week_shift(now)
    moment = Week.last_complete(now, "UTC").end
    with sessions_for(f"sqlite:///{database}").begin() as session:
        views = {v.employer: v for v in list_applications(1, now=moment, session=session)}
    ahead = {(u.kind, u.at) for u in views["Kestrel Analytics"].upcoming}
    assert ("interview", datetime(2026, 11, 30, 9, 30, tzinfo=UTC) + delta) in ahead
    take_home = [u.at.date() for u in views["Ridgeback Retail"].upcoming if u.kind == "take_home"]
    assert take_home == [(datetime(2026, 12, 4, tzinfo=UTC) + delta).date()]
    assert views["Holloway Insurance"].rejected_at == "interview"
