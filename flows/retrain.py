"""Retraining (`bounceback train`, the retrain flow): learn from corrections, switch if not worse.

1. Copy the shipped corpus sources into a scratch folder and add the user's corrections
   in the same source format: ``emails_user_<stamp>.txt`` (emails whose labels, company
   or role the user set or confirmed, with ``[[category: text]]`` marks for their kept
   gaps) and ``gaps_user_<stamp>.txt`` (each corrected gap sentence with its category,
   ``none`` for a dismissed one).
2. Compile it with :func:`bounceback.nlp.train.compile_corpus`: the fixed hash split sends
   about a fifth of the user's examples to dev, next to the shipped dev split. That dev
   split is the held-out set: it is never trained on.
3. Score the model in use now on it, train new models with
   :func:`bounceback.nlp.train.train_models` into ``BOUNCEBACK_HOME/models/<stamp>/``,
   and score them on the same held-out set.
4. Only if the new score is not lower, point ``models/ACCEPTED`` at the new folder
   (one atomic rename); otherwise delete it. Either way the figures are appended to
   ``models/history.jsonl``. Corrections stay in the database untouched.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bounceback.flows.corrections import (
    CorrectionExport,
    build_corpus,
    held_out,
    keep_corrections,
)
from bounceback.settings import Settings

if TYPE_CHECKING:  # spaCy loads slowly: the CLI imports this module for every command
    from bounceback.nlp.train import EvalReport

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TrainResult:
    """Before/after figures on the held-out split and what was done with the new model."""

    before: EvalReport
    after: EvalReport
    accepted: bool
    model_path: Path | None
    exported: CorrectionExport
    held_out_user_emails: int
    held_out_user_gaps: int
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (``bounceback train --json``)."""
        return {
            "accepted": self.accepted,
            "model": str(self.model_path) if self.model_path else None,
            "before": report_json(self.before),
            "after": report_json(self.after),
            "corrections": {
                "emails": self.exported.emails,
                "gap_sentences": self.exported.gap_sentences,
                "held_out_emails": self.held_out_user_emails,
                "held_out_gap_sentences": self.held_out_user_gaps,
            },
            "notes": self.notes,
        }


def macro_f1(report: EvalReport) -> float:
    """Mean F1 over the six labels."""
    return sum(values[2] for values in report.labels.values()) / max(len(report.labels), 1)


def score(report: EvalReport) -> float:
    """One number to compare models: the mean of label macro-F1 and gap accuracy."""
    return (macro_f1(report) + report.gap_accuracy) / 2


def report_json(report: EvalReport) -> dict[str, Any]:
    """The figures of one evaluation."""
    return {
        "score": round(score(report), 4),
        "label_macro_f1": round(macro_f1(report), 4),
        "label_f1": {label: round(v[2], 4) for label, v in report.labels.items()},
        "gap_accuracy": round(report.gap_accuracy, 4),
        "dev_emails": report.email_count,
        "dev_gap_sentences": report.sentence_count,
    }


def _point_at(models_dir: Path, name: str) -> None:
    """Switch ``models/ACCEPTED`` to ``name`` in one atomic rename."""
    from bounceback.nlp.registry import MODEL_POINTER

    temporary = models_dir / f".{MODEL_POINTER}.{os.getpid()}"
    temporary.write_text(name + "\n", encoding="utf-8")
    os.replace(temporary, models_dir / MODEL_POINTER)


def _train(
    corpus: Path, target: Path, scratch: Path, overrides: dict[str, Any] | None, folds: int
) -> str:
    """Train new models into target; spaCy's console tables come back as a transcript."""
    from bounceback.nlp.train import train_models

    transcript = io.StringIO()
    # spaCy prints its training tables on stdout; `--json` must print one document.
    try:
        with contextlib.redirect_stdout(transcript):
            train_models(
                corpus, target, workdir=scratch / "work", overrides=overrides, tune_folds=folds
            )
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # never leave half a model behind
        raise
    return transcript.getvalue()


def _record(models_dir: Path, stamp: str, result: TrainResult) -> None:
    """Append the figures to history.jsonl; an accepted model keeps its report beside it."""
    with (models_dir / "history.jsonl").open("a", encoding="utf-8") as history:
        history.write(json.dumps({"at": stamp, **result.to_json()}) + "\n")
    if result.accepted and result.model_path is not None:
        report = result.model_path / "report.json"
        report.write_text(json.dumps(result.to_json(), indent=2) + "\n", encoding="utf-8")


def retrain(
    settings: Settings,
    *,
    folds: int = 4,
    overrides: dict[str, Any] | None = None,
    force: bool = False,
    tolerance: float = 0.0,
    progress: Callable[[str], None] = log.info,
) -> TrainResult:
    """Retrain on the shipped corpus plus corrections; switch models only if not worse."""
    from bounceback.nlp.analyzer import Analyzer
    from bounceback.nlp.registry import accepted_model_dir
    from bounceback.nlp.train import evaluate
    from bounceback.storage.db import sessions_for

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    models_dir = settings.models_dir
    target = models_dir / stamp
    current = accepted_model_dir(models_dir)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bounceback-retrain-") as scratch:
        corpus = Path(scratch) / "corpus"
        exported = build_corpus(sessions_for(settings.database_url), corpus, stamp)
        if not exported.emails and not exported.gap_sentences:
            notes.append("no corrections yet: this run retrains on the shipped corpus only")
        held_emails, held_gaps = held_out(corpus, exported)
        progress(
            f"corrections: {exported.emails} emails and {exported.gap_sentences} gap sentences "
            f"({held_emails} and {held_gaps} of them held out for scoring)"
        )
        progress(f"scoring the model in use ({current or 'shipped'}) on the held-out split")
        before = evaluate(Analyzer.load(current), corpus)
        progress("training new models (this takes a while)")
        transcript = _train(corpus, target, Path(scratch), overrides, folds)
        models_dir.mkdir(parents=True, exist_ok=True)
        (models_dir / "last-train.log").write_text(transcript, encoding="utf-8")
        after = evaluate(Analyzer.load(target), corpus)
        keep_corrections(exported, target)
    accepted = force or score(after) >= score(before) - tolerance
    if accepted:
        if force and score(after) < score(before):
            notes.append("--force: switched although the new model scored lower")
        _point_at(models_dir, stamp)
    else:
        shutil.rmtree(target)
    result = TrainResult(
        before, after, accepted, target if accepted else None, exported, held_emails,
        held_gaps, notes,
    )  # fmt: skip
    _record(models_dir, stamp, result)
    return result
