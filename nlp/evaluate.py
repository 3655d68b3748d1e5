"""Score the shipped model and the keyword baseline on the dev split, side by side.

``python -m bounceback.nlp.evaluate`` reads ``corpus/emails.dev.jsonl`` and
``corpus/gaps.dev.jsonl`` (never the training split) and prints, for each system:

* per-label precision/recall/F1 and macro-F1 over the six DESIGN.md labels;
* gap spans on dev emails that carry gap annotations (a ``gaps`` key): a predicted gap
  matches a gold one when their character overlap is at least half the shorter span,
  one-to-one, scored with and without requiring the same category;
* company and role accuracy on emails annotated with ``company`` / ``role``
  (as the product links applications: an employer at ``SAME_EMPLOYER`` similarity or
  more, so "The Foo Ltd" is "Foo" and "Keel Boat PR" is "Keelboat PR"; a title with the
  same folded key, without "role"/"position", or the same title with one specialisation
  added or dropped, "Nurse Manager, Med-Surg"; a gold null must be predicted null);
* gap-category accuracy on the dev gap sentences (7 categories + ``none``), and how
  accurate the items above and below the review threshold are.

``--json`` prints one JSON document, ``--markdown`` a table for the model card.

``--mail DIR`` (repeatable) scores folders of annotated ``.eml`` files instead
(``corpus/mail/test`` is the frozen test split; ``--mail-split dev`` keeps the dev fifth of
a training set): label macro-F1 and per-label F1, other accuracy, exact label sets,
company and role accuracy, gap F1 with and without the category, model beside the keyword
baseline. ``--perturb`` adds how often re-wrapping at 72/78 columns, CRLF, a signature, a
legal footer or quoted history changes the model's labels, company, role or gaps.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bounceback.nlp.htmltext import html_to_text
from bounceback.nlp.records import Analysis, EmailText
from bounceback.nlp.taxonomy import GAP_CATEGORIES, LABELS

__all__ = [
    "CORPUS_DIR",
    "EvalReport",
    "SpanScore",
    "System",
    "email_from_record",
    "evaluate_records",
    "evaluate_system",
    "is_dev",
    "load_jsonl",
    "load_mail_set",
    "locate",
    "main",
    "match_spans",
    "normalise_name",
    "same_employer",
    "same_role",
    "spans_overlap",
]

PACKAGE_DIR = Path(__file__).resolve().parent
CORPUS_DIR = PACKAGE_DIR / "corpus"
GAP_CLASSES: tuple[str, ...] = (*GAP_CATEGORIES, "none")
_SPACE = re.compile(r"\s+")
# One specialisation after a title: "(Go)", ", Med-Surg", " - Grocery".
_SPECIALISATION = re.compile(r"\s*(?:\([^()]*\)|,\s.*|\s[-–]\s.*)$")
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
    from bounceback.nlp.employers import SAME_EMPLOYER, employer_key, employer_similarity

    if not employer_key(predicted) or not employer_key(gold):
        return employer_key(predicted) == employer_key(gold)
    return employer_similarity(predicted, gold) >= SAME_EMPLOYER


def same_role(predicted: str | None, gold: str | None) -> bool:
    """One title as the product links them: the same folded key without "role"/"position";
    a title also matches itself with one specialisation added after a bracket, a comma or
    a dash ("Nurse Manager" = "Nurse Manager, Med-Surg", "Academy Coach (U12)"), never a
    different one ("Backend Engineer (Go)" is not "Backend Engineer (Python)")."""
    from bounceback.nlp.employers import role_key

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
            lines.append(f"{title} accuracy: {_ratio(correct, total)} ({correct}/{total})")
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
            lines.append(f"{title} accuracy: {_ratio(correct, total)} ({correct}/{total})")
        lines.append(f"dev gap sentences: {self.sentence_count}")
        lines.append(f"gap category accuracy (7 categories + none): {self.gap_accuracy:.3f}")
        for category, (correct, total) in self.gap_per_category.items():
            lines.append(f"  {category:<20}{correct:>4}/{total:<4}")
        for part, (correct, total) in self.review_split.items():
            lines.append(f"sentence gaps {part}: {correct}/{total} correct")
        return "\n".join(lines)


def _ratio(correct: int, total: int) -> str:
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


def evaluate_records(
    system: System,
    emails: Sequence[dict[str, Any]],
    sentences: Sequence[dict[str, Any]] = (),
    *,
    name: str = "model",
) -> EvalReport:
    """Score ``system`` on corpus email records and isolated gap sentences."""
    counts = {label: [0, 0, 0, 0] for label in LABELS}  # tp, fp, fn, support
    gap_counts = {True: [0, 0], False: [0, 0]}  # has feedback -> [with gaps, total]
    spans = [0, 0, 0]
    spans_category = [0, 0, 0]
    annotated = 0
    names = {"company": [0, 0], "role": [0, 0]}
    other = [0, 0]
    exact = [0, 0]
    predictions = system.analyze(email_from_record(r) for r in emails)
    for record, result in zip(emails, predictions, strict=True):
        gold = set(record["labels"])
        exact[0] += gold == set(result.labels)
        exact[1] += 1
        if not gold:
            other[0] += not result.labels
            other[1] += 1
        gap_counts["feedback" in gold][0] += bool(result.gaps)
        gap_counts["feedback" in gold][1] += 1
        for label in LABELS:
            predicted = label in result.labels
            counts[label][0] += predicted and label in gold
            counts[label][1] += predicted and label not in gold
            counts[label][2] += (not predicted) and label in gold
            counts[label][3] += label in gold
        if "gaps" in record:
            annotated += 1
            guessed = [g.to_json() for g in result.gaps]
            for total, by_category in ((spans, False), (spans_category, True)):
                found = match_spans(record["gaps"], guessed, by_category=by_category)
                for k in range(3):
                    total[k] += found[k]
        _count_names(names, record, result)
    per_category, review = _score_sentences(system, sentences)
    correct = sum(c for c, _ in per_category.values())
    return EvalReport(
        name=name,
        labels={label: (*prf(*c[:3]), c[3]) for label, c in counts.items()},
        gap_accuracy=correct / max(len(sentences), 1),
        gap_per_category={k: (v[0], v[1]) for k, v in per_category.items()},
        email_count=len(emails),
        sentence_count=len(sentences),
        feedback_with_gaps=(gap_counts[True][0], gap_counts[True][1]),
        other_with_gaps=(gap_counts[False][0], gap_counts[False][1]),
        gap_spans=SpanScore(*spans),
        gap_spans_category=SpanScore(*spans_category),
        gap_annotated_emails=annotated,
        company=(names["company"][0], names["company"][1]),
        role=(names["role"][0], names["role"][1]),
        review_split={k: (v[0], v[1]) for k, v in review.items()},
        other=(other[0], other[1]),
        exact=(exact[0], exact[1]),
    )


def _count_names(names: dict[str, list[int]], record: dict[str, Any], result: Analysis) -> None:
    """Add one email's company and role to the [correct, total] counts, if annotated."""
    for key, value, same in (
        ("company", result.company, same_employer),
        ("role", result.role, same_role),
    ):
        if key in record:
            names[key][0] += same(value, record[key])
            names[key][1] += 1


def _score_sentences(
    system: System, sentences: Sequence[dict[str, Any]]
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Per-category [correct, total] and the same split by the review threshold."""
    per_category = {name: [0, 0] for name in GAP_CLASSES}
    review = {"kept automatically": [0, 0], "flagged for review": [0, 0]}
    guesses = system.gap_categories(r["text"] for r in sentences) if sentences else iter(())
    for record, (category, confidence) in zip(sentences, guesses, strict=True):
        right = category == record["category"]
        per_category[record["category"]][0] += right
        per_category[record["category"]][1] += 1
        if category != "none":
            part = (
                "flagged for review"
                if system.gap_needs_review(confidence)
                else ("kept automatically")
            )
            review[part][0] += right
            review[part][1] += 1
    return per_category, review


def locate(body: str, text: str) -> tuple[int, int] | None:
    """Where ``text`` reads in ``body``, runs of whitespace compared as one space."""
    words = text.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(word) for word in words)
    found = re.search(pattern, body) or re.search(pattern, body, re.IGNORECASE)
    return (found.start(), found.end()) if found else None


def load_mail_set(folder: Path) -> list[dict[str, Any]]:
    """Corpus email records for one folder of annotated ``.eml`` files (``corpus/mail/*``).

    Each message is read exactly as ``bounceback classify FILE.eml`` reads it; gold gaps
    are located in the text the analyser reads (a gap that reading dropped can never be
    matched, so it counts as missed).
    """
    from bounceback.nlp.mail import parse_email

    records: list[dict[str, Any]] = []
    for note in load_jsonl(folder / "annotations.jsonl"):
        path = folder / note["file"]
        email = parse_email(path.read_bytes()).email_text(path.stem)
        gaps = []
        for gold in note.get("gaps") or []:
            start, end = locate(email.body, gold["text"]) or (-1, -1)
            gaps.append({"category": gold["category"], "start": start, "end": end})
        records.append(
            {
                "id": email.id,
                "subject": email.subject,
                "from": email.sender,
                "body": email.body,
                "html": email.html,
                "labels": list(note["labels"]),
                "company": note.get("company"),
                "role": note.get("role"),
                "gaps": gaps,
            }
        )
    return records


_SIGNATURE_LINES = "\n\n-- \nSam Okafor\nsam.okafor@example.com | 07700 900418\n"
_LEGAL_FOOTER = (
    "\n\nThis message and anything attached to it are confidential and meant only for the"
    " person it is addressed to. If it reached you by mistake, please tell the sender and"
    " delete it. Registered office: 4 Quay Street, Bristol BS1 4DJ.\n"
)
_QUOTED_HISTORY = (
    "\n\nOn Tue, 1 Dec 2026 at 09:14, Sam Okafor <sam.okafor@example.com> wrote:\n"
    "> Thank you for letting me know, I look forward to hearing from you.\n> Sam\n"
)


def _wrap(text: str, width: int) -> str:
    return "\n".join(
        textwrap.fill(line, width, break_long_words=False, break_on_hyphens=False) or line
        for line in text.split("\n")
    )


#: Changes to the raw plain-text body that must not change what the analyser says.
PERTURBATIONS: dict[str, Callable[[str], str]] = {
    "wrapped at 72": lambda text: _wrap(text, 72),
    "wrapped at 78": lambda text: _wrap(text, 78),
    "CRLF": lambda text: text.replace("\n", "\r\n"),
    "wrapped at 72 + CRLF": lambda text: _wrap(text, 72).replace("\n", "\r\n"),
    "signature added": lambda text: text.rstrip() + _SIGNATURE_LINES,
    "legal footer added": lambda text: text.rstrip() + _LEGAL_FOOTER,
    "quoted history added": lambda text: text.rstrip() + _QUOTED_HISTORY,
}


@dataclass(frozen=True, slots=True)
class Agreement:
    """How many of ``total`` messages kept their labels, company, role and gaps."""

    name: str
    total: int
    labels: int
    company: int
    role: int
    gaps_lost: int  # gaps found in the original but not after the change


def raw_plain_bodies(folder: Path) -> list[tuple[EmailText, str | None, str | None]]:
    """(email as read, raw plain body or None, raw HTML or None) per .eml of a mail set."""
    from bounceback.nlp.mail import parse_email

    found = []
    for note in load_jsonl(folder / "annotations.jsonl"):
        path = folder / note["file"]
        parsed = parse_email(path.read_bytes())
        plain = parsed.text if parsed.text.strip() and parsed.html is None else None
        if parsed.html is not None and parsed.text.strip():
            # Multipart with a plain part: parse_email read the plain part as ``text``.
            plain = parsed.text if parsed.text != html_to_text(parsed.html) else None
        found.append((parsed.email_text(path.stem), plain, parsed.html))
    return found


def perturbation_agreement(
    system: System,
    messages: Sequence[tuple[EmailText, str | None, str | None]],
    reader: Callable[[str | None, str | None], str],
) -> list[Agreement]:
    """Agreement between each message and each perturbation of its plain body."""
    plain = [(email, body, html) for email, body, html in messages if body is not None]
    base = list(system.analyze(email for email, _, _ in plain))
    rows = []
    for name, change in PERTURBATIONS.items():
        changed = [
            EmailText(email.id, email.subject, email.sender, reader(change(body), html), html)
            for email, body, html in plain
            if body is not None
        ]
        same = [0, 0, 0]
        lost = 0
        for before, after in zip(base, system.analyze(changed), strict=True):
            same[0] += set(before.labels) == set(after.labels)
            same[1] += normalise_name(before.company) == normalise_name(after.company)
            same[2] += normalise_name(before.role) == normalise_name(after.role)
            kept = {" ".join(g.text.split()) for g in after.gaps}
            lost += sum(1 for g in before.gaps if " ".join(g.text.split()) not in kept)
        rows.append(Agreement(name, len(plain), same[0], same[1], same[2], lost))
    return rows


def agreement_table(title: str, rows: Sequence[Agreement]) -> str:
    """The perturbation agreement as a markdown table."""
    lines = [
        f"| {title} | label sets unchanged | company unchanged | role unchanged | gaps lost |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.name} (n={row.total}) | {row.labels} ({_ratio(row.labels, row.total)}) "
            f"| {row.company} | {row.role} | {row.gaps_lost} |"
        )
    return "\n".join(lines)


def mail_table(title: str, reports: Sequence[EvalReport]) -> str:
    """The headline figures of one mail set, one column per system."""
    rows = [f"| {title} | " + " | ".join(r.name for r in reports) + " |"]
    rows.append("|---|" + "---:|" * len(reports))

    def row(name: str, values: Iterable[str]) -> None:
        rows.append(f"| {name} | " + " | ".join(values) + " |")

    row("**label macro-F1**", (f"**{r.macro_f1:.3f}**" for r in reports))
    for label in LABELS:
        row(
            f"{label} F1 (n={reports[0].labels[label][3]})",
            (f"{r.labels[label][2]:.3f}" for r in reports),
        )
    row(f"other accuracy (n={reports[0].other[1]})", (_ratio(*r.other) for r in reports))
    row(f"exact label set (n={reports[0].exact[1]})", (_ratio(*r.exact) for r in reports))
    row(f"company accuracy (n={reports[0].company[1]})", (_ratio(*r.company) for r in reports))
    row(f"role accuracy (n={reports[0].role[1]})", (_ratio(*r.role) for r in reports))
    gold_gaps = reports[0].gap_spans.tp + reports[0].gap_spans.fn
    row(f"gap F1 ({gold_gaps} gold gaps)", (f"{r.gap_spans.figures[2]:.3f}" for r in reports))
    row("gap + category F1", (f"{r.gap_spans_category.figures[2]:.3f}" for r in reports))
    return "\n".join(rows)


def markdown_table(reports: Sequence[EvalReport]) -> str:
    """One markdown table comparing the systems, metric per row."""
    head = "| dev metric | " + " | ".join(r.name for r in reports) + " |"
    rows = [head, "|---|" + "---:|" * len(reports)]

    def row(title: str, values: Iterable[str]) -> None:
        rows.append(f"| {title} | " + " | ".join(values) + " |")

    for label in LABELS:
        row(
            f"{label} P / R / F1 (n={reports[0].labels[label][3]})",
            (
                f"{r.labels[label][0]:.2f} / {r.labels[label][1]:.2f} / {r.labels[label][2]:.2f}"
                for r in reports
            ),
        )
    row("**macro-F1 (6 labels)**", (f"**{r.macro_f1:.3f}**" for r in reports))
    for title, key in (
        ("gap spans P / R / F1", "gap_spans"),
        ("gap spans + category P / R / F1", "gap_spans_category"),
    ):
        row(
            f"{title} ({reports[0].gap_annotated_emails} annotated emails)",
            (getattr(r, key).short() for r in reports),
        )
    for title, key in (("company accuracy", "company"), ("role accuracy", "role")):
        row(
            f"{title} (n={getattr(reports[0], key)[1]})",
            (_ratio(*getattr(r, key)) for r in reports),
        )
    row(
        f"gap sentence category accuracy (n={reports[0].sentence_count})",
        (f"{r.gap_accuracy:.3f}" for r in reports),
    )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: dev figures for the shipped model and the keyword baseline."""
    from bounceback.nlp.analyzer import Analyzer
    from bounceback.nlp.baseline import KeywordBaseline

    parser = argparse.ArgumentParser(
        prog="python -m bounceback.nlp.evaluate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR, help="folder with *.dev.jsonl")
    parser.add_argument("--models", type=Path, default=None, help="model folder (default: shipped)")
    parser.add_argument(
        "--mail",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="score a folder of annotated .eml files (corpus/mail/*); repeatable",
    )
    parser.add_argument(
        "--mail-split",
        choices=("all", "dev"),
        default="all",
        help="with --mail: every message, or only the dev fifth (train.is_dev of the file name)",
    )
    parser.add_argument(
        "--perturb",
        action="store_true",
        help="with --mail: also print how often re-wrapping, CRLF, a signature, a footer "
        "or quoted history changes the model's answer",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="one JSON document on stdout")
    output.add_argument("--markdown", action="store_true", help="a markdown comparison table")
    args = parser.parse_args(argv)
    if args.mail:
        return _main_mail(args)
    for name in ("emails.dev.jsonl", "gaps.dev.jsonl"):
        if not (args.corpus / name).is_file():
            sys.stderr.write(
                f"No {name} in {args.corpus}: run `python -m bounceback.nlp.train` first.\n"
            )
            return 2
    reports = [
        evaluate_system(Analyzer.load(args.models), args.corpus, name="model"),
        evaluate_system(KeywordBaseline(), args.corpus, name="baseline"),
    ]
    if args.json:
        sys.stdout.write(json.dumps({r.name: r.to_json() for r in reports}, indent=2) + "\n")
    elif args.markdown:
        sys.stdout.write(markdown_table(reports) + "\n")
    else:
        sys.stdout.write("\n\n".join(r.render() for r in reports) + "\n\n")
        sys.stdout.write(markdown_table(reports) + "\n")
    return 0


def _main_mail(args: argparse.Namespace) -> int:
    """``--mail``: the model and the keyword baseline on each folder of annotated mail."""
    from bounceback.nlp.analyzer import Analyzer
    from bounceback.nlp.baseline import KeywordBaseline

    systems: list[tuple[str, System]] = [
        ("model", Analyzer.load(args.models)),
        ("baseline", KeywordBaseline()),
    ]
    documents: dict[str, Any] = {}
    for folder in args.mail:
        if not (folder / "annotations.jsonl").is_file():
            sys.stderr.write(f"No annotations.jsonl in {folder}: give a corpus/mail/* folder.\n")
            return 2
        records = load_mail_set(folder)
        if args.mail_split == "dev":
            records = [r for r in records if is_dev(r["id"])]
        title = f"{folder.name} ({args.mail_split}, {len(records)} messages)"
        reports = [evaluate_records(system, records, name=name) for name, system in systems]
        documents[folder.name] = {r.name: r.to_json() for r in reports}
        if not args.json:
            sys.stdout.write(mail_table(title, reports) + "\n\n")
        if args.perturb:
            from bounceback.nlp.reading import reading_text

            messages = raw_plain_bodies(folder)
            if args.mail_split == "dev":
                messages = [m for m in messages if is_dev(m[0].id)]
            rows = perturbation_agreement(systems[0][1], messages, reading_text)
            documents[folder.name]["perturbations"] = [asdict(row) for row in rows]
            if not args.json:
                sys.stdout.write(agreement_table(f"{folder.name}: model", rows) + "\n\n")
    if args.json:
        sys.stdout.write(json.dumps(documents, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
