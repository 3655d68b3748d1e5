"""`bounceback train`: learn from the review page's corrections, switch only if not worse.

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
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from bounceback.nlp.taxonomy import LABELS
from bounceback.settings import Settings
from bounceback.storage import review as store

if TYPE_CHECKING:  # spaCy loads slowly: the CLI imports this module for every command
    from bounceback.nlp.train import EvalReport
    from bounceback.storage.models import Analysis, Correction, Message

log = logging.getLogger(__name__)

#: Corrections that mean the user vouched for the email's labels, company and role.
EMAIL_KINDS = frozenset({"labels", "company_role", "confirm"})
_HEADER_LINE = re.compile(r"^### labels:", re.MULTILINE)


class Span(Protocol):
    """Anything with a category and offsets: a stored gap or a replayed one."""

    @property
    def category(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


@dataclass(frozen=True, slots=True)
class CorrectionExport:
    """What the user's corrections added to the corpus sources."""

    emails: int
    gap_sentences: int
    files: tuple[Path, ...] = ()


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


# --- exporting corrections in the corpus source format ---------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _safe_body(body: str) -> str:
    """The body with source-format syntax neutralised, keeping every offset in place."""
    body = body.replace("[[", "[(").replace("]]", ")]")
    return _HEADER_LINE.sub("##- labels:", body)


def marked_body(body: str, gaps: Sequence[Span]) -> str:
    """The body with ``[[category: text]]`` around each kept gap (overlaps skipped)."""
    safe = _safe_body(body)
    out: list[str] = []
    position = 0
    for gap in sorted(gaps, key=lambda g: (g.start, g.end)):
        start, end = gap.start, gap.end
        if start < position or end > len(safe) or start >= end:
            continue
        text = safe[start:end]
        if text != text.strip() or "[" in text[:1] or "]" in text[-1:] or "\n\n" in text:
            continue
        out.append(safe[position:start])
        out.append(f"[[{gap.category}: {text}]]")
        position = end
    out.append(safe[position:])
    # Offsets count carriage returns; the source format has none (text reads the same).
    return "".join(out).replace("\r", "")


@dataclass(frozen=True, slots=True)
class GapState:
    """A gap as the user last left it, replayed from the corrections log."""

    category: str
    text: str
    start: int
    end: int
    status: str


@dataclass(slots=True)
class EmailState:
    """What the user said about one email, replayed from the corrections log."""

    vouched: bool = False  # labels, company or role set or confirmed
    labels: list[str] | None = None
    company_role: tuple[str | None, str | None] | None = None
    gaps: dict[tuple[str, int, int], GapState] = field(default_factory=dict)


def replay(corrections: Iterable[Correction]) -> dict[int, EmailState]:
    """The final state of every corrected email, from the corrections alone (oldest first).

    The training set is rebuilt from this log, not from the gap rows, so it survives a
    re-analysis that replaces an email's gaps.
    """
    states: dict[int, EmailState] = {}
    keys: dict[int, tuple[str, int, int]] = {}  # gap id -> key of its state
    for correction in corrections:
        state = states.setdefault(correction.message_id, EmailState())
        new = correction.new or {}
        if correction.kind in EMAIL_KINDS:
            state.vouched = True
        if correction.kind in ("labels", "confirm") and "labels" in new:
            state.labels = list(new["labels"])
        if correction.kind in ("company_role", "confirm") and "company" in new:
            state.company_role = (new.get("company"), new.get("role"))
        if correction.kind.startswith("gap_") and {"start", "end", "category"} <= set(new):
            key = ("span", int(new["start"]), int(new["end"]))
            if correction.gap_id is not None:
                key = keys.setdefault(correction.gap_id, ("gap", correction.gap_id, 0))
            state.gaps[key] = GapState(
                new["category"], new["text"], new["start"], new["end"], new["status"]
            )
    return states


def _email_record(message: Message, analysis: Analysis, state: EmailState) -> str:
    kept = [g for g in state.gaps.values() if g.status in ("accepted", "edited")]
    labels = state.labels if state.labels is not None else list(analysis.labels or [])
    company, role = state.company_role or (analysis.company, analysis.role)
    names = " ".join(label for label in LABELS if label in labels) or "other"
    body = marked_body(message.analysed_text or message.body_text or "", kept).rstrip()
    return (
        f"### labels: {names}\n"
        f"From: {_one_line(message.from_header) or 'unknown'}\n"
        f"Subject: {_one_line(message.subject) or '(no subject)'}\n"
        f"Company: {_one_line(company or '') or '-'}\n"
        f"Role: {_one_line(role or '') or '-'}\n"
        f"\n{body or '(empty)'}\n\n"
    )


def export_corrections(
    sessions: sessionmaker[Session], sources: Path, stamp: str
) -> CorrectionExport:
    """Write the user's corrections into ``sources`` as extra corpus source files."""
    emails: list[str] = []
    sentences: dict[str, tuple[str, str]] = {}  # lower-cased text -> (category, text)
    with sessions.begin() as session:
        states = replay(store.list_corrections(session=session))
        for message, analysis, _ in store.corrected_messages(session=session):
            state = states[message.id]
            if state.vouched:
                emails.append(_email_record(message, analysis, state))
            for gap in state.gaps.values():
                text = _one_line(gap.text)
                if gap.status == "auto" or len(text.split()) < 2:
                    continue
                category = "none" if gap.status == "dismissed" else gap.category
                sentences[text.lower()] = (category, text)
    files: list[Path] = []
    if emails:
        path = sources / f"emails_user_{stamp}.txt"
        path.write_text("".join(emails), encoding="utf-8")
        files.append(path)
    if sentences:
        _drop_shipped_duplicates(sources, set(sentences))
        path = sources / f"gaps_user_{stamp}.txt"
        lines = [f"{category} | {text}" for category, text in sentences.values()]
        path.write_text("# corrections from the review page\n" + "\n".join(lines) + "\n", "utf-8")
        files.append(path)
    return CorrectionExport(len(emails), len(sentences), tuple(files))


def _drop_shipped_duplicates(sources: Path, lowered: set[str]) -> None:
    """The user's category wins over a shipped line with the same sentence (in the copy)."""
    for path in sorted(sources.glob("gaps_*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [
            line
            for line in lines
            if line.startswith("#") or line.partition(" | ")[2].strip().lower() not in lowered
        ]
        if len(kept) != len(lines):
            path.write_text("\n".join(kept) + "\n", encoding="utf-8")


def build_corpus(
    sessions: sessionmaker[Session], corpus: Path, stamp: str, shipped: Path | None = None
) -> CorrectionExport:
    """The shipped sources plus the corrections, compiled into ``corpus`` (train/dev JSONL)."""
    from bounceback.nlp.train import CORPUS_DIR, compile_corpus

    shipped = shipped or CORPUS_DIR
    sources = corpus / "sources"
    if (shipped / "sources").is_dir():
        shutil.copytree(shipped / "sources", sources)
        exported = export_corrections(sessions, sources, stamp)
        log.info("corpus: %s", compile_corpus(sources, corpus))
        return exported
    # An installed wheel ships the compiled JSONL only: split the corrections the same
    # way (the split is per example) and append them to the shipped files.
    sources.mkdir(parents=True)
    exported = export_corrections(sessions, sources, stamp)
    compile_corpus(sources, sources)
    for name in ("emails.train", "emails.dev", "gaps.train", "gaps.dev"):
        shipped_lines = (shipped / f"{name}.jsonl").read_text(encoding="utf-8")
        user_lines = (sources / f"{name}.jsonl").read_text(encoding="utf-8")
        (corpus / f"{name}.jsonl").write_text(shipped_lines + user_lines, encoding="utf-8")
    return exported


def _held_out(corpus: Path, exported: CorrectionExport) -> tuple[int, int]:
    from bounceback.nlp.train import load_jsonl

    emails = sum(1 for r in load_jsonl(corpus / "emails.dev.jsonl") if r["id"].startswith("user_"))
    user_lines: set[str] = set()
    for path in exported.files:
        if path.name.startswith("gaps_user_"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if " | " in line and not line.startswith("#"):
                    user_lines.add(line.partition(" | ")[2].strip().lower())
    gaps = sum(
        1 for r in load_jsonl(corpus / "gaps.dev.jsonl") if str(r["text"]).lower() in user_lines
    )
    return emails, gaps


def _point_at(models_dir: Path, name: str) -> None:
    """Switch ``models/ACCEPTED`` to ``name`` in one atomic rename."""
    from bounceback.nlp.registry import MODEL_POINTER

    temporary = models_dir / f".{MODEL_POINTER}.{os.getpid()}"
    temporary.write_text(name + "\n", encoding="utf-8")
    os.replace(temporary, models_dir / MODEL_POINTER)


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
    from bounceback.nlp.train import evaluate, train_models
    from bounceback.storage.db import sessions_for

    sessions = sessions_for(settings.database_url)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    models_dir = settings.models_dir
    target = models_dir / stamp
    current = accepted_model_dir(settings.models_dir)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bounceback-retrain-") as scratch:
        corpus = Path(scratch) / "corpus"
        exported = build_corpus(sessions, corpus, stamp)
        if not exported.emails and not exported.gap_sentences:
            notes.append("no corrections yet: this run retrains on the shipped corpus only")
        held_emails, held_gaps = _held_out(corpus, exported)
        progress(
            f"corrections: {exported.emails} emails and {exported.gap_sentences} gap sentences "
            f"({held_emails} and {held_gaps} of them held out for scoring)"
        )
        progress(f"scoring the model in use ({current or 'shipped'}) on the held-out split")
        before = evaluate(Analyzer.load(current), corpus)
        progress("training new models (this takes a while)")
        transcript = io.StringIO()
        # spaCy prints its training tables on stdout; `--json` must print one document.
        try:
            with contextlib.redirect_stdout(transcript):
                train_models(
                    corpus,
                    target,
                    workdir=Path(scratch) / "work",
                    overrides=overrides,
                    tune_folds=folds,
                )
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)  # never leave half a model behind
            raise
        models_dir.mkdir(parents=True, exist_ok=True)
        (models_dir / "last-train.log").write_text(transcript.getvalue(), encoding="utf-8")
        after = evaluate(Analyzer.load(target), corpus)
        if exported.files:
            kept = target / "corrections"
            kept.mkdir()
            for path in exported.files:
                shutil.copy2(path, kept / path.name)
    accepted = force or score(after) >= score(before) - tolerance
    if accepted:
        if force and score(after) < score(before):
            notes.append("--force: switched although the new model scored lower")
        _point_at(models_dir, stamp)
    else:
        shutil.rmtree(target)
    result = TrainResult(
        before,
        after,
        accepted,
        target if accepted else None,
        exported,
        held_emails,
        held_gaps,
        notes,
    )
    with (models_dir / "history.jsonl").open("a", encoding="utf-8") as history:
        history.write(json.dumps({"at": stamp, **result.to_json()}) + "\n")
    if accepted:
        (target / "report.json").write_text(json.dumps(result.to_json(), indent=2) + "\n")
    return result


def render(result: TrainResult) -> str:
    """The before/after table printed by `bounceback train`."""
    lines = [
        f"held-out split: {result.after.email_count} emails "
        f"({result.held_out_user_emails} from your corrections), "
        f"{result.after.sentence_count} gap sentences ({result.held_out_user_gaps} yours)",
        f"{'':<24}{'before':>8}{'after':>8}",
    ]
    for label in LABELS:
        lines.append(
            f"{label + ' F1':<24}{result.before.labels[label][2]:8.3f}"
            f"{result.after.labels[label][2]:8.3f}"
        )
    lines.append(
        f"{'label macro F1':<24}{macro_f1(result.before):8.3f}{macro_f1(result.after):8.3f}"
    )
    lines.append(
        f"{'gap category accuracy':<24}{result.before.gap_accuracy:8.3f}"
        f"{result.after.gap_accuracy:8.3f}"
    )
    lines.append(f"{'score':<24}{score(result.before):8.3f}{score(result.after):8.3f}")
    lines.extend(result.notes)
    if result.accepted:
        lines.append(f"switched to the new model: {result.model_path}")
    else:
        lines.append("kept the model in use: the new one scored lower on the held-out split")
    return "\n".join(lines)
