"""The user's review corrections as training data, in the corpus's own source format.

Corrections are replayed per email into its final state; emails the user vouched for
become ``emails_user_<stamp>.txt`` records (with ``[[category: text]]`` marks for their
kept gaps) and each corrected gap sentence a ``gaps_user_<stamp>.txt`` line (``none``
for a dismissed one). The compiled corpus sends about a fifth of them to dev by the
corpus's fixed hash split, where they are held out for scoring.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.orm import Session, sessionmaker

from bounceback.nlp.taxonomy import LABELS
from bounceback.storage import review as store

if TYPE_CHECKING:  # spaCy loads slowly: the CLI imports this module for every command
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


def held_out(corpus: Path, exported: CorrectionExport) -> tuple[int, int]:
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


def keep_corrections(exported: CorrectionExport, model: Path) -> None:
    """Copy the correction sources a model was trained on into its folder, for the record."""
    if exported.files:
        kept = model / "corrections"
        kept.mkdir()
        for path in exported.files:
            shutil.copy2(path, kept / path.name)
