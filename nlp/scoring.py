"""Scoring: how a system's answers compare with the corpus annotations.

Owns the figures (per-label P/R/F1, other accuracy, exact label sets, gap spans with and
without the category, company and role, gap-sentence categories) and the dev split rule.
Reads corpus records; imports nothing of bounceback beyond ``nlp.records`` and
``nlp.taxonomy``.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bounceback.nlp.records import Analysis, EmailText
from bounceback.nlp.signals import Signals
from bounceback.nlp.taxonomy import GAP_CATEGORIES, LABELS

PACKAGE_DIR = Path(__file__).resolve().parent
CORPUS_DIR = PACKAGE_DIR / "corpus"
GAP_CLASSES: tuple[str, ...] = (*GAP_CATEGORIES, "none")
_SPACE = re.compile(r"\s+")
# One specialisation after a title: "(Go)", ", Med-Surg", " - Grocery".
_SPECIALISATION = re.compile(r"\s*(?:\([^()]*\)|,\s.*|\s[-–]\s.*)$")
_NAME_COUNTS = ("company", "role", "company_exact", "role_exact")
SPLIT_SEED = 13
DEV_EVERY = 5  # one example in five goes to dev


def is_dev(key: str) -> bool:
    """Fixed-seed hash split: ~20% dev, and an example never moves when others are added."""
    return zlib.crc32(f"{SPLIT_SEED}:{key}".encode()) % DEV_EVERY == 0


class System(Protocol):
    """Anything that can be scored: the spaCy :class:`Analyzer` or the keyword baseline."""

    def analyze(self, emails: Iterable[EmailText], *, batch_size: int = ...) -> Iterator[Analysis]:
        """Analyses in input order."""
        ...

    def gap_categories(self, sentences: Iterable[str]) -> Iterator[tuple[str, float]]:
        """(category or ``none``, confidence) for each isolated sentence."""
        ...

    def gap_needs_review(self, confidence: float) -> bool:
        """True if a gap this confident should be shown for review first."""
        ...


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read one JSON object per non-empty line."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def email_from_record(record: dict[str, Any]) -> EmailText:
    """The :class:`EmailText` for one corpus email record."""
    return EmailText(
        id=str(record["id"]),
        subject=record.get("subject") or "",
        sender=record.get("from") or "",
        body=record.get("body") or "",
        html=record.get("html"),
        signals=Signals.from_json(record.get("signals")),
    )


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts (0.0 where undefined)."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def spans_overlap(a: tuple[int, int], b: tuple[int, int], minimum: float = 0.5) -> bool:
    """True if spans ``a`` and ``b`` share at least ``minimum`` of the shorter one's chars."""
    shared = min(a[1], b[1]) - max(a[0], b[0])
    shorter = min(a[1] - a[0], b[1] - b[0])
    return shorter > 0 and shared > 0 and shared >= minimum * shorter


def match_spans(
    gold: Sequence[dict[str, Any]], predicted: Sequence[dict[str, Any]], *, by_category: bool
) -> tuple[int, int, int]:
    """(tp, fp, fn) for one email: greedy one-to-one matching of overlapping spans.

    Each dict has ``start``, ``end`` and ``category``. Pairs are matched largest overlap
    first, so one long prediction cannot claim two gold gaps.
    """
    pairs = []
    for i, g in enumerate(gold):
        for j, p in enumerate(predicted):
            if by_category and g["category"] != p["category"]:
                continue
            if spans_overlap((g["start"], g["end"]), (p["start"], p["end"])):
                shared = min(g["end"], p["end"]) - max(g["start"], p["start"])
                pairs.append((shared, i, j))
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    for _, i, j in sorted(pairs, reverse=True):
        if i not in used_gold and j not in used_predicted:
            used_gold.add(i)
            used_predicted.add(j)
    tp = len(used_gold)
    return tp, len(predicted) - tp, len(gold) - tp


def normalise_name(value: str | None) -> str | None:
    """Case- and whitespace-normalised company/role for exact comparison; None stays None."""
    if value is None:
        return None
    cleaned = _SPACE.sub(" ", value).strip().casefold()
    return cleaned or None


def same_employer(predicted: str | None, gold: str | None) -> bool:
    """One employer as the product links applications: "Keel Boat PR" is "Keelboat PR",
    "The Foo Ltd" is "Foo", "Donovan Books" is "Donovan's Books" (similarity at least
    ``SAME_EMPLOYER``); a gold null must be predicted null."""
    from bounceback.nlp.namekeys import SAME_EMPLOYER, employer_key, employer_similarity

    if not employer_key(predicted) or not employer_key(gold):
        return employer_key(predicted) == employer_key(gold)
    return employer_similarity(predicted, gold) >= SAME_EMPLOYER


def same_role(predicted: str | None, gold: str | None) -> bool:
    """One title as the product links them: the same folded key without "role"/"position";
    a title also matches itself with one specialisation added after a bracket, a comma or
    a dash ("Nurse Manager" = "Nurse Manager, Med-Surg", "Academy Coach (U12)"), never a
    different one ("Backend Engineer (Go)" is not "Backend Engineer (Python)")."""
    from bounceback.nlp.namekeys import role_key

    def key(value: str | None) -> str:
        return role_key(value).replace(" ", "")

    if key(predicted) == key(gold):
        return True
    if not predicted or not gold:
        return False
    bare_predicted = key(_SPECIALISATION.sub("", predicted))
    bare_gold = key(_SPECIALISATION.sub("", gold))
    return bool(bare_gold) and (bare_predicted == key(gold) or bare_gold == key(predicted))


@dataclass(frozen=True, slots=True)
class SpanScore:
    """Gap-span counts and figures on annotated dev emails."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def figures(self) -> tuple[float, float, float]:
        """(precision, recall, F1)."""
        return prf(self.tp, self.fp, self.fn)

    def short(self) -> str:
        """``P / R / F1``, or ``n/a`` when nothing was annotated or predicted."""
        if not self.tp + self.fp + self.fn:
            return "n/a"
        return "{:.2f} / {:.2f} / {:.2f}".format(*self.figures)

    def describe(self) -> str:
        """Figures with the counts behind them."""
        if not self.tp + self.fp + self.fn:
            return "n/a"
        p, r, f1 = self.figures
        return f"P {p:.3f} R {r:.3f} F1 {f1:.3f} (tp {self.tp}, fp {self.fp}, fn {self.fn})"


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Dev-set figures for one system."""

    name: str
    labels: dict[str, tuple[float, float, float, int]]  # label -> P, R, F1, support
    gap_accuracy: float
    gap_per_category: dict[str, tuple[int, int]]  # category -> (correct, total)
    email_count: int
    sentence_count: int
    feedback_with_gaps: tuple[int, int] = (0, 0)  # feedback emails with >= 1 gap / all
    other_with_gaps: tuple[int, int] = (0, 0)  # emails without feedback with >= 1 gap / all
    gap_spans: SpanScore = field(default_factory=SpanScore)  # span match, any category
    gap_spans_category: SpanScore = field(default_factory=SpanScore)  # span + category
    gap_annotated_emails: int = 0
    company: tuple[int, int] = (0, 0)  # (correct, annotated)
    role: tuple[int, int] = (0, 0)
    # The same, spelled exactly as the annotation (case and spaces aside).
    company_exact: tuple[int, int] = (0, 0)
    role_exact: tuple[int, int] = (0, 0)
    # Isolated dev sentences whose predicted gap category is kept automatically / flagged
    # for review: (correct, total) each, so the review threshold can be judged.
    review_split: dict[str, tuple[int, int]] = field(default_factory=dict)
    other: tuple[int, int] = (0, 0)  # emails with no gold label predicted none / all such
    exact: tuple[int, int] = (0, 0)  # label sets predicted exactly / all emails

    @property
    def macro_f1(self) -> float:
        """Unweighted mean F1 over the six labels."""
        return sum(v[2] for v in self.labels.values()) / max(len(self.labels), 1)

    def to_json(self) -> dict[str, Any]:
        """Machine-readable figures (``--json``)."""
        data = asdict(self)
        data["labels"] = {
            label: dict(zip(("precision", "recall", "f1", "support"), v, strict=True))
            for label, v in self.labels.items()
        }
        data["macro_f1"] = self.macro_f1
        for key in ("gap_spans", "gap_spans_category"):
            score: SpanScore = getattr(self, key)
            p, r, f1 = score.figures
            data[key] = {
                "tp": score.tp,
                "fp": score.fp,
                "fn": score.fn,
                "precision": p,
                "recall": r,
                "f1": f1,
            }
        return data

    def render(self) -> str:
        """A plain-text table of the figures."""
        lines = [
            f"[{self.name}] dev emails: {self.email_count}",
            f"{'label':<22}{'P':>7}{'R':>7}{'F1':>7}{'n':>5}",
        ]
        for label, (p, r, f1, n) in self.labels.items():
            lines.append(f"{label:<22}{p:7.3f}{r:7.3f}{f1:7.3f}{n:5d}")
        lines.append(f"{'macro F1':<22}{'':>14}{self.macro_f1:7.3f}")
        for title, (correct, total) in (("other", self.other), ("exact label set", self.exact)):
            lines.append(f"{title} accuracy: {ratio(correct, total)} ({correct}/{total})")
        hit, fed = self.feedback_with_gaps
        stray, rest = self.other_with_gaps
        lines.append(f"dev feedback emails with >= 1 gap: {hit}/{fed}")
        lines.append(f"dev emails without feedback but with gaps: {stray}/{rest}")
        for title, score in (
            ("gap spans", self.gap_spans),
            ("gap spans + category", self.gap_spans_category),
        ):
            lines.append(
                f"{title} ({self.gap_annotated_emails} annotated emails): {score.describe()}"
            )
        for title, (correct, total) in (("company", self.company), ("role", self.role)):
            lines.append(f"{title} accuracy: {ratio(correct, total)} ({correct}/{total})")
        lines.append(f"dev gap sentences: {self.sentence_count}")
        lines.append(f"gap category accuracy (7 categories + none): {self.gap_accuracy:.3f}")
        for category, (correct, total) in self.gap_per_category.items():
            lines.append(f"  {category:<20}{correct:>4}/{total:<4}")
        for part, (correct, total) in self.review_split.items():
            lines.append(f"sentence gaps {part}: {correct}/{total} correct")
        return "\n".join(lines)


def ratio(correct: int, total: int) -> str:
    return f"{correct / total:.3f}" if total else "n/a"


def evaluate_system(
    system: System, corpus_dir: Path = CORPUS_DIR, name: str = "model"
) -> EvalReport:
    """Score ``system`` on the dev split of the corpus in ``corpus_dir``."""
    return evaluate_records(
        system,
        load_jsonl(corpus_dir / "emails.dev.jsonl"),
        load_jsonl(corpus_dir / "gaps.dev.jsonl"),
        name=name,
    )


@dataclass
class _Tally:
    """Running counts over the email records of one evaluation."""

    labels: dict[str, list[int]] = field(
        default_factory=lambda: {label: [0, 0, 0, 0] for label in LABELS}
    )  # label -> tp, fp, fn, support
    gap_counts: dict[bool, list[int]] = field(
        default_factory=lambda: {True: [0, 0], False: [0, 0]}
    )  # has feedback -> [with gaps, total]
    spans: list[int] = field(default_factory=lambda: [0, 0, 0])
    spans_category: list[int] = field(default_factory=lambda: [0, 0, 0])
    annotated: int = 0
    names: dict[str, list[int]] = field(
        default_factory=lambda: {
            k: [0, 0] for k in ("company", "role", "company_exact", "role_exact")
        }
    )
    other: list[int] = field(default_factory=lambda: [0, 0])
    exact: list[int] = field(default_factory=lambda: [0, 0])

    def add(self, record: dict[str, Any], result: Analysis) -> None:
        """Count one email's labels, gaps, company and role."""
        gold = set(record["labels"])
        self.exact[0] += gold == set(result.labels)
        self.exact[1] += 1
        if not gold:
            self.other[0] += not result.labels
            self.other[1] += 1
        self.gap_counts["feedback" in gold][0] += bool(result.gaps)
        self.gap_counts["feedback" in gold][1] += 1
        for label in LABELS:
            predicted = label in result.labels
            counts = self.labels[label]
            counts[0] += predicted and label in gold
            counts[1] += predicted and label not in gold
            counts[2] += (not predicted) and label in gold
            counts[3] += label in gold
        if "gaps" in record:
            self.annotated += 1
            guessed = [g.to_json() for g in result.gaps]
            for total, by_category in ((self.spans, False), (self.spans_category, True)):
                found = match_spans(record["gaps"], guessed, by_category=by_category)
                for k in range(3):
                    total[k] += found[k]
        for key, value, same in (
            ("company", result.company, same_employer),
            ("role", result.role, same_role),
        ):
            if key in record:
                self.names[key][0] += same(value, record[key])
                self.names[key][1] += 1
                exact = normalise_name(value) == normalise_name(record[key])
                self.names[f"{key}_exact"][0] += exact
                self.names[f"{key}_exact"][1] += 1


def _score_sentences(
    system: System, sentences: Sequence[dict[str, Any]]
) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]]:
    """(correct, total) per gold category, and per review side, on isolated sentences."""
    per_category = {name: [0, 0] for name in GAP_CLASSES}
    review = {"kept automatically": [0, 0], "flagged for review": [0, 0]}
    guesses = system.gap_categories(r["text"] for r in sentences) if sentences else iter(())
    for record, (category, confidence) in zip(sentences, guesses, strict=True):
        right = category == record["category"]
        per_category[record["category"]][0] += right
        per_category[record["category"]][1] += 1
        if category != "none":
            side = (
                "flagged for review"
                if system.gap_needs_review(confidence)
                else "kept automatically"
            )
            review[side][0] += right
            review[side][1] += 1
    return (
        {k: (v[0], v[1]) for k, v in per_category.items()},
        {k: (v[0], v[1]) for k, v in review.items()},
    )


def evaluate_records(
    system: System,
    emails: Sequence[dict[str, Any]],
    sentences: Sequence[dict[str, Any]] = (),
    *,
    name: str = "model",
) -> EvalReport:
    """Score ``system`` on corpus email records and isolated gap sentences."""
    tally = _Tally()
    predictions = system.analyze(email_from_record(r) for r in emails)
    for record, result in zip(emails, predictions, strict=True):
        tally.add(record, result)
    per_category, review = _score_sentences(system, sentences)
    correct = sum(c for c, _ in per_category.values())
    pair = tuple[int, int]

    def two(values: list[int]) -> pair:
        return (values[0], values[1])

    return EvalReport(
        name=name,
        labels={label: (*prf(*c[:3]), c[3]) for label, c in tally.labels.items()},
        gap_accuracy=correct / max(len(sentences), 1),
        gap_per_category=per_category,
        email_count=len(emails),
        sentence_count=len(sentences),
        feedback_with_gaps=two(tally.gap_counts[True]),
        other_with_gaps=two(tally.gap_counts[False]),
        gap_spans=SpanScore(*tally.spans),
        gap_spans_category=SpanScore(*tally.spans_category),
        gap_annotated_emails=tally.annotated,
        company=two(tally.names["company"]),
        role=two(tally.names["role"]),
        company_exact=two(tally.names["company_exact"]),
        role_exact=two(tally.names["role_exact"]),
        review_split=review,
        other=two(tally.other),
        exact=two(tally.exact),
    )
