"""`bounceback train`: corrections become corpus sources, and the model switches only if not worse."""

from __future__ import annotations

import json
import shutil
from importlib.resources import files
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bounceback.cli.app import app
from bounceback.flows.corrections import build_corpus, export_corrections, marked_body
from bounceback.nlp.analyzer import Analyzer
from bounceback.nlp.registry import MODEL_POINTER, accepted_model_dir, load_analyzer
from bounceback.nlp.train import CORPUS_DIR, load_jsonl, parse_emails, parse_gaps
from bounceback.settings import load_settings
from bounceback.storage import corrections
from bounceback.storage import review as store
from bounceback.storage.db import sessions_for
from bounceback.storage.models import Analysis, Correction, Gap
from tests.review.corpus import JOURNEY_GAPS, JOURNEY_MISSED, find_text, populate


def correct_some(sessions: sessionmaker[Session], ids: dict[str, int]) -> str:
    """Review two emails the way a user would; returns the added gap's text."""
    with sessions.begin() as session:
        found = store.message_for_review(ids["journey"], session=session)
        assert found is not None
        message, analysis, gaps = found
        corrections.change_gap(gaps[0], status="accepted", session=session)
        corrections.change_gap(gaps[1], status="edited", category="communication", session=session)
        # The analysed text joins hard-wrapped lines (nlp.reading): find it as it reads.
        start, end = find_text(message.analysed_text, JOURNEY_MISSED)
        missed = message.analysed_text[start:end]
        corrections.add_gap(
            message,
            analysis,
            category="evidence",
            span=(start, end, missed),
            skill=None,
            session=session,
        )
        corrections.relabel(analysis, ["feedback", "rejection"], session=session)
        corrections.set_company_role(
            analysis, "Harbourline", "Junior Data Engineer", session=session
        )
        corrections.mark_reviewed(analysis, session=session)
        other = store.message_for_review(ids["script-tag"], session=session)
        assert other is not None
        for gap in other[2]:
            corrections.change_gap(gap, status="dismissed", session=session)
    return " ".join(missed.split())


def test_marked_body_wraps_kept_gaps_and_neutralises_format_syntax() -> None:
    body = "Hi.\n### labels: offer\nYour [[SQL]] was weak.\r\nThanks."
    gap = Gap(start=body.index("Your"), end=body.index("\r"), category="skill", text="")
    marked = marked_body(body, [gap])
    assert "\n### labels:" not in marked and "[[SQL]]" not in marked and "\r" not in marked
    assert "[[skill: Your [(SQL)] was weak.]]" in marked


def test_corrections_export_in_the_corpus_source_format(
    tmp_path: Path, sqlite_sessions: sessionmaker[Session], analyzer: Analyzer
) -> None:
    ids = populate(sqlite_sessions, analyzer, xss=True)
    missed = correct_some(sqlite_sessions, ids)
    exported = export_corrections(sqlite_sessions, tmp_path, "20261127T000000Z")
    assert (exported.emails, [p.name for p in exported.files]) == (
        1,
        ["emails_user_20261127T000000Z.txt", "gaps_user_20261127T000000Z.txt"],
    )
    (email,) = parse_emails(exported.files[0])
    assert email["labels"] == ["rejection", "feedback"]
    assert (email["company"], email["role"]) == ("Harbourline", "Junior Data Engineer")
    assert email["id"] == "user_20261127T000000Z-001"
    for gap in email["gaps"]:
        assert email["body"][gap["start"] : gap["end"]] == gap["text"]
    assert {(g["category"], " ".join(g["text"].split())) for g in email["gaps"]} == {
        ("skill", " ".join(JOURNEY_GAPS[0][1].split())),
        ("communication", " ".join(JOURNEY_GAPS[1][1].split())),
        ("evidence", missed),
    }
    assert "communication" in {g["category"] for g in email["gaps"]}
    sentences = parse_gaps(exported.files[1])
    assert {"text": missed, "category": "evidence"} in sentences
    assert any(s["category"] == "none" for s in sentences), "dismissed gaps teach 'none'"


@pytest.mark.slow
def test_train_end_to_end_keeps_corrections_and_switches_only_when_not_worse(
    bounceback_home: Path, analyzer: Analyzer
) -> None:
    settings = load_settings()
    sessions = sessions_for(settings.database_url)
    ids = populate(sessions, analyzer, xss=True)
    correct_some(sessions, ids)
    with sessions.begin() as session:
        kept = session.scalar(select(func.count(Correction.id)))
    runner = CliRunner()

    # A 20-step model is far worse than the shipped one: it is scored and thrown away.
    result = runner.invoke(app, ["train", "--folds", "0", "--max-steps", "20", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["accepted"] is False and report["model"] is None
    assert report["after"]["score"] < report["before"]["score"]
    assert report["corrections"]["emails"] == 1
    assert report["corrections"]["gap_sentences"] >= 3
    dev = report["before"]["dev_emails"]
    assert dev == report["after"]["dev_emails"] and dev > 100
    assert not (settings.models_dir / MODEL_POINTER).exists()
    assert accepted_model_dir(settings.models_dir) is None
    assert [p.name for p in settings.models_dir.iterdir() if p.is_dir()] == []

    # --force switches anyway; the pointer names the new folder and classify follows it.
    forced = runner.invoke(app, ["train", "--folds", "0", "--max-steps", "20", "--force", "--json"])
    assert forced.exit_code == 0, forced.output
    report = json.loads(forced.stdout)
    assert report["accepted"] is True
    chosen = accepted_model_dir(settings.models_dir)
    assert chosen is not None and str(chosen) == report["model"]
    assert (settings.models_dir / MODEL_POINTER).read_text().strip() == chosen.name
    assert (chosen / "report.json").is_file()
    saved = sorted(p.name for p in (chosen / "corrections").iterdir())
    assert saved[0].startswith("emails_user_") and saved[1].startswith("gaps_user_")
    assert load_analyzer(chosen).thresholds != analyzer.thresholds
    sample = Path(str(files("bounceback.demo") / "samples" / "08-rejection-feedback-tillerman.eml"))
    classified = runner.invoke(app, ["classify", str(sample)])
    assert classified.exit_code == 0, classified.output
    shipped = runner.invoke(
        app, ["classify", str(sample)], env={"BOUNCEBACK_HOME": str(bounceback_home / "fresh")}
    )
    assert json.loads(classified.stdout)["scores"] != json.loads(shipped.stdout)["scores"]
    history = (settings.models_dir / "history.jsonl").read_text().splitlines()
    assert [json.loads(line)["accepted"] for line in history] == [False, True]

    with sessions.begin() as session:
        assert session.scalar(select(func.count(Correction.id))) == kept, "corrections stay"


def test_build_corpus_without_sources_appends_corrections_to_the_shipped_jsonl(
    tmp_path: Path, sqlite_sessions: sessionmaker[Session], analyzer: Analyzer
) -> None:
    ids = populate(sqlite_sessions, analyzer, xss=True)
    missed = correct_some(sqlite_sessions, ids)
    wheel = tmp_path / "wheel-corpus"  # what an installed wheel holds: compiled JSONL only
    wheel.mkdir()
    for path in CORPUS_DIR.glob("*.jsonl"):
        shutil.copy2(path, wheel / path.name)
    corpus = tmp_path / "corpus"
    exported = build_corpus(sqlite_sessions, corpus, "20261127T000000Z", shipped=wheel)
    assert exported.emails == 1
    emails = load_jsonl(corpus / "emails.train.jsonl") + load_jsonl(corpus / "emails.dev.jsonl")
    shipped = load_jsonl(wheel / "emails.train.jsonl") + load_jsonl(wheel / "emails.dev.jsonl")
    assert len(emails) == len(shipped) + 1
    gaps = load_jsonl(corpus / "gaps.train.jsonl") + load_jsonl(corpus / "gaps.dev.jsonl")
    assert {"text": missed, "category": "evidence"} in gaps


def test_export_is_rebuilt_from_the_corrections_log_even_if_gaps_are_replaced(
    tmp_path: Path, sqlite_sessions: sessionmaker[Session], analyzer: Analyzer
) -> None:
    ids = populate(sqlite_sessions, analyzer, xss=True)
    correct_some(sqlite_sessions, ids)
    (tmp_path / "a").mkdir()
    before = export_corrections(sqlite_sessions, tmp_path / "a", "1")
    with sqlite_sessions.begin() as session:  # e.g. a re-analysis with a new model
        session.execute(delete(Gap).where(Gap.message_id == ids["journey"]))
        analysis = session.scalars(
            select(Analysis).where(Analysis.message_id == ids["journey"])
        ).one()
        analysis.labels, analysis.company, analysis.role = ["offer"], "Wrong", None
    (tmp_path / "b").mkdir()
    after = export_corrections(sqlite_sessions, tmp_path / "b", "1")
    for first, second in zip(before.files, after.files, strict=True):
        assert first.read_text() == second.read_text()
