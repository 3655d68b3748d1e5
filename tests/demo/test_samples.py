"""The bundled demo mail: every sample parses, is dated, and has intended labels."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bounceback.nlp.mail import parse_email
from bounceback.nlp.taxonomy import LABELS, ParseStatus

SAMPLES = Path(__file__).parents[2] / "src" / "bounceback" / "demo" / "samples"
FILES = sorted(SAMPLES.glob("*.eml"))
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))


def test_expected_covers_every_sample_and_nothing_else() -> None:
    assert len(FILES) >= 38
    assert set(EXPECTED) == {path.stem for path in FILES}


def test_expected_uses_the_taxonomy() -> None:
    for stem, entry in EXPECTED.items():
        assert set(entry["labels"]) <= set(LABELS), stem
        assert isinstance(entry["gaps"], int) and entry["gaps"] >= 0, stem
        assert entry["gaps"] == 0 or "feedback" in entry["labels"], stem


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_sample_parses(path: Path) -> None:
    parsed = parse_email(path.read_bytes())
    assert parsed.status in (ParseStatus.OK, ParseStatus.DEGRADED), parsed.defects
    assert parsed.message_id and parsed.message_id.startswith("<")
    assert parsed.date is not None
    assert datetime(2026, 10, 19, tzinfo=UTC) <= parsed.date < datetime(2026, 11, 27, tzinfo=UTC)
    assert parsed.to == ("alex.morgan@example.com",)
    assert parsed.sender_address and parsed.subject
    assert len(parsed.new_text) > 80


def test_message_ids_are_unique() -> None:
    ids = [parse_email(path.read_bytes()).message_id for path in FILES]
    assert len(set(ids)) == len(ids)


def test_the_mix_matches_the_brief() -> None:
    counts = Counter(label for entry in EXPECTED.values() for label in entry["labels"] or ["other"])
    assert counts["rejection"] >= 12
    assert counts["feedback"] >= 8
    assert counts["interview"] >= 5
    assert counts["application_received"] >= 5
    assert counts["offer"] == 1
    assert counts["job_alert"] >= 7
    assert counts["other"] >= 6


def test_last_week_is_the_richest() -> None:
    per_week: Counter[str] = Counter()
    for path in FILES:
        parsed = parse_email(path.read_bytes())
        assert parsed.date is not None
        per_week[parsed.date.strftime("%G-W%V")] += 1
    assert per_week.most_common(1)[0][0] == "2026-W48"
    assert len(per_week) == 6


def test_special_cases_are_represented() -> None:
    parsed = {path.stem: parse_email(path.read_bytes()) for path in FILES}
    raw = {path.stem: path.read_bytes() for path in FILES}
    html_only = [stem for stem, p in parsed.items() if p.html and b"text/plain" not in raw[stem]]
    assert len(html_only) >= 2
    assert any(b"message/rfc822" in data for data in raw.values())
    assert any(b'charset="iso-8859-1"' in data for data in raw.values())
    quoted = parsed["21-feedback-followup-tillerman-quoted"]
    assert "wrote:" in quoted.text and "wrote:" not in quoted.new_text
    forwarded = parsed["28-forwarded-rejection-fernway"]
    assert "Owen" not in forwarded.text
