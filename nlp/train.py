"""Rebuild the shipped models from the corpus: compile, convert, train, evaluate.

``python -m bounceback.nlp.train`` compiles the hand-written ``corpus/sources`` into
``corpus/*.train.jsonl`` and ``*.dev.jsonl`` (a fixed-seed hash 80/20 split), converts them
to spaCy DocBin files, runs the real ``spacy train`` with ``configs/labels.cfg`` and
``configs/gaps.cfg`` (fixed seeds, so reruns give the same weights), copies each
``model-best`` into ``models/labels`` and ``models/gaps``, and prints dev-set figures:
per-label precision/recall/F1 and gap-category accuracy. Per-label thresholds come from
4-fold cross-validation on the training split (``--folds``). The dev split is never
trained on; spaCy uses it only to pick the best checkpoint.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import shutil
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
from spacy.cli.train import train as spacy_train
from spacy.language import Language
from spacy.tokens import DocBin

from bounceback.nlp.analyzer import NO_GAP, Analyzer, Thresholds, gap_text, label_text
from bounceback.nlp.records import EmailText
from bounceback.nlp.taxonomy import GAP_CATEGORIES, LABELS

__all__ = [
    "GAP_CLASSES",
    "EvalReport",
    "build_docbins",
    "compile_corpus",
    "evaluate",
    "load_jsonl",
    "main",
    "train_models",
]

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
CORPUS_DIR = PACKAGE_DIR / "corpus"
CONFIG_DIR = PACKAGE_DIR / "configs"
MODEL_DIR = PACKAGE_DIR / "models"

#: Classes of the exclusive gap classifier.
GAP_CLASSES: tuple[str, ...] = (*GAP_CATEGORIES, NO_GAP)
# Files a trained pipeline directory needs at run time; everything else is left behind.
_RUNTIME_FILES = ("config.cfg", "meta.json", "tokenizer", "vocab")
SPLIT_SEED = 13
DEV_EVERY = 5  # one example in five goes to dev
# Email sources: records start with "### labels: a b" (or "other"), then From: and
# Subject: lines, a blank line, and the body verbatim. Gap sources: "category | sentence".
_HEADER = re.compile(r"^### labels:\s*(?P<labels>.*)$", re.MULTILINE)


def parse_emails(path: Path) -> list[dict[str, Any]]:
    """Parse one email source file into corpus records."""
    text = path.read_text(encoding="utf-8")
    records = []
    heads = list(_HEADER.finditer(text))
    for number, head in enumerate(heads, start=1):
        end = heads[number].start() if number < len(heads) else len(text)
        chunk = text[head.end() : end].strip("\n")
        header, _, body = chunk.partition("\n\n")
        fields = dict(line.split(":", 1) for line in header.splitlines())
        labels = [x for x in head.group("labels").split() if x != "other"]
        unknown = set(labels) - set(LABELS)
        if unknown:
            raise ValueError(f"{path.name} #{number}: unknown labels {unknown}")
        records.append(
            {
                "id": f"{path.stem.removeprefix('emails_')}-{number:03d}",
                "subject": fields["Subject"].strip(),
                "from": fields["From"].strip(),
                "body": body.rstrip() + "\n",
                "labels": labels,
            }
        )
    return records


def parse_gaps(path: Path) -> list[dict[str, str]]:
    """Parse one gap-sentence source file into corpus records."""
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        category, _, sentence = line.partition(" | ")
        category = category.strip()
        if category not in GAP_CLASSES or not sentence.strip():
            raise ValueError(f"{path.name}:{number}: bad line {line!r}")
        records.append({"text": sentence.strip(), "category": category})
    return records


def is_dev(key: str) -> bool:
    """Fixed-seed hash split: ~20% dev, and an example never moves when others are added."""
    return zlib.crc32(f"{SPLIT_SEED}:{key}".encode()) % DEV_EVERY == 0


def split(
    records: list[dict[str, Any]], key: Callable[[dict[str, Any]], str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split records into (train, dev) by :func:`is_dev` of ``key(record)``."""
    train = [record for record in records if not is_dev(key(record))]
    dev = [record for record in records if is_dev(key(record))]
    return train, dev


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    """Write records one per line, UTF-8, stable key order."""
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def compile_corpus(sources: Path = CORPUS_DIR / "sources", corpus_dir: Path = CORPUS_DIR) -> str:
    """Compile the hand-written sources into ``{emails,gaps}.{train,dev}.jsonl``; a summary."""
    emails = [r for p in sorted(sources.glob("emails_*.txt")) for r in parse_emails(p)]
    gaps = [r for p in sorted(sources.glob("gaps_*.txt")) for r in parse_gaps(p)]
    if len({r["id"] for r in emails}) != len(emails):
        raise ValueError("duplicate email ids in the corpus sources")
    seen: set[str] = set()
    for record in gaps:
        lowered = record["text"].lower()
        if lowered in seen:
            raise ValueError(f"duplicate gap sentence: {record['text']!r}")
        seen.add(lowered)
    summary = []
    jobs: list[tuple[str, list[dict[str, Any]], Callable[[dict[str, Any]], str]]] = [
        ("emails", emails, lambda r: f"{r['from']}\n{r['subject']}\n{r['body']}"),
        ("gaps", gaps, lambda r: str(r["text"]).lower()),
    ]
    for name, records, key in jobs:
        train, dev = split(records, key)
        write_jsonl(corpus_dir / f"{name}.train.jsonl", train)
        write_jsonl(corpus_dir / f"{name}.dev.jsonl", dev)
        summary.append(f"{name}: {len(train)} train, {len(dev)} dev")
    return "; ".join(summary)


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


def _email_docbin(blank: Language, records: Iterable[dict[str, Any]], path: Path) -> Path:
    docs = DocBin()
    for record in records:
        doc = blank.make_doc(label_text(email_from_record(record)))
        doc.cats = {label: float(label in record["labels"]) for label in LABELS}
        docs.add(doc)
    docs.to_disk(path)
    return path


def build_docbins(corpus_dir: Path, workdir: Path) -> dict[str, Path]:
    """Convert the JSONL corpus into the four DocBin files the configs train on."""
    blank = spacy.blank("en")
    paths: dict[str, Path] = {}
    for split_name in ("train", "dev"):
        records = load_jsonl(corpus_dir / f"emails.{split_name}.jsonl")
        paths[f"labels.{split_name}"] = _email_docbin(
            blank, records, workdir / f"labels.{split_name}.spacy"
        )
        docs = DocBin()
        for record in load_jsonl(corpus_dir / f"gaps.{split_name}.jsonl"):
            doc = blank.make_doc(gap_text(record["text"]))
            doc.cats = {name: float(name == record["category"]) for name in GAP_CLASSES}
            docs.add(doc)
        paths[f"gaps.{split_name}"] = workdir / f"gaps.{split_name}.spacy"
        docs.to_disk(paths[f"gaps.{split_name}"])
    return paths


def _install(best: Path, destination: Path) -> None:
    """Copy the run-time parts of a trained ``model-best`` into ``destination``."""
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    for child in best.iterdir():
        keep = child.name in _RUNTIME_FILES or child.name.startswith("textcat")
        if not keep:
            continue
        if child.is_dir():
            shutil.copytree(child, destination / child.name)
        else:
            shutil.copy2(child, destination / child.name)
    meta_path = destination / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(name=destination.name, version="0.1.0")
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _spacy_train(config: Path, output: Path, train: Path, dev: Path, overrides: dict) -> Path:
    """Run the real ``spacy train``; return the output folder."""
    spacy_train(
        config, output, overrides={"paths.train": str(train), "paths.dev": str(dev), **overrides}
    )
    return output


def train_models(
    corpus_dir: Path = CORPUS_DIR,
    model_dir: Path = MODEL_DIR,
    *,
    config_dir: Path = CONFIG_DIR,
    workdir: Path | None = None,
    overrides: dict[str, Any] | None = None,
    which: Sequence[str] = ("labels", "gaps"),
    tune_folds: int = 0,
) -> None:
    """Train the label and gap pipelines and install them into ``model_dir``.

    Retraining the labels rewrites ``thresholds.json``: 0.5 per label, or with
    ``tune_folds`` > 1 the thresholds that maximise F1 in k-fold cross-validation on the
    training split (never on dev).
    """
    with tempfile.TemporaryDirectory(prefix="bounceback-train-") as scratch:
        work = Path(workdir) if workdir is not None else Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        data = build_docbins(corpus_dir, work)
        for name in which:
            output = _spacy_train(
                config_dir / f"{name}.cfg",
                work / f"{name}-output",
                data[f"{name}.train"],
                data[f"{name}.dev"],
                overrides or {},
            )
            _install(output / "model-best", model_dir / name)
        thresholds = Thresholds()
        if tune_folds > 1 and "labels" in which:
            records = load_jsonl(corpus_dir / "emails.train.jsonl")
            labels = tune_label_thresholds(
                records, config_dir / "labels.cfg", work / "folds", tune_folds, overrides or {}
            )
            thresholds = Thresholds(labels=labels)
    thresholds_file = model_dir / "thresholds.json"
    if "labels" in which or not thresholds_file.exists():
        thresholds_file.write_text(json.dumps(thresholds.to_json(), indent=2) + "\n")


def tune_label_thresholds(
    records: list[dict[str, Any]],
    config: Path,
    workdir: Path,
    folds: int,
    overrides: dict[str, Any],
) -> dict[str, float]:
    """Per-label thresholds that maximise F1 on out-of-fold predictions over ``records``."""
    blank = spacy.blank("en")
    fold_of = [
        zlib.crc32(f"fold:{r['from']}{r['subject']}{r['body']}".encode()) % folds for r in records
    ]
    scored: list[tuple[dict[str, float], set[str]]] = []
    for fold in range(folds):
        held = [r for r, f in zip(records, fold_of, strict=True) if f == fold]
        rest = [r for r, f in zip(records, fold_of, strict=True) if f != fold]
        folder = workdir / f"fold{fold}"
        folder.mkdir(parents=True, exist_ok=True)
        train = _email_docbin(blank, rest, folder / "train.spacy")
        dev = _email_docbin(blank, held, folder / "dev.spacy")
        output = _spacy_train(config, folder / "output", train, dev, overrides)
        model = spacy.load(output / "model-last")  # model-last: the fold never picks a checkpoint
        texts = (label_text(email_from_record(r)) for r in held)
        for record, doc in zip(held, model.pipe(texts), strict=True):
            scored.append((dict(doc.cats), set(record["labels"])))
    return {label: _best_threshold(label, scored) for label in LABELS}


def _best_threshold(label: str, scored: list[tuple[dict[str, float], set[str]]]) -> float:
    """The grid threshold with the best F1 for ``label``; ties go to the one nearest 0.5."""
    best, best_key = 0.5, (-1.0, 0.0)
    for step in range(20, 81, 5):  # clamp: fold models are less sure than the final one
        threshold = step / 100
        tp = sum(1 for cats, gold in scored if cats[label] >= threshold and label in gold)
        fp = sum(1 for cats, gold in scored if cats[label] >= threshold and label not in gold)
        fn = sum(1 for cats, gold in scored if cats[label] < threshold and label in gold)
        key = (_prf(tp, fp, fn)[2], -abs(threshold - 0.5))
        if key > best_key:
            best, best_key = threshold, key
    return best


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Dev-set figures: per-label (precision, recall, F1, support) and gap accuracy."""

    labels: dict[str, tuple[float, float, float, int]]
    gap_accuracy: float
    gap_per_category: dict[str, tuple[int, int]]  # category -> (correct, total)
    email_count: int
    sentence_count: int
    feedback_with_gaps: tuple[int, int] = (0, 0)  # feedback emails with >= 1 gap / all
    other_with_gaps: tuple[int, int] = (0, 0)  # emails without feedback with >= 1 gap / all

    def render(self) -> str:
        """A plain-text table of the figures."""
        lines = [
            f"dev emails: {self.email_count}",
            f"{'label':<22}{'P':>7}{'R':>7}{'F1':>7}{'n':>5}",
        ]
        for label, (p, r, f1, n) in self.labels.items():
            lines.append(f"{label:<22}{p:7.3f}{r:7.3f}{f1:7.3f}{n:5d}")
        macro = sum(v[2] for v in self.labels.values()) / max(len(self.labels), 1)
        lines.append(f"{'macro F1':<22}{'':>14}{macro:7.3f}")
        hit, fed = self.feedback_with_gaps
        stray, rest = self.other_with_gaps
        lines.append(f"dev feedback emails with >= 1 gap: {hit}/{fed}")
        lines.append(f"dev emails without feedback but with gaps: {stray}/{rest}")
        lines.append(f"dev gap sentences: {self.sentence_count}")
        lines.append(f"gap category accuracy (7 categories + none): {self.gap_accuracy:.3f}")
        for category, (correct, total) in self.gap_per_category.items():
            lines.append(f"  {category:<20}{correct:>4}/{total:<4}")
        return "\n".join(lines)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate(analyzer: Analyzer, corpus_dir: Path = CORPUS_DIR) -> EvalReport:
    """Score ``analyzer`` on the dev split of the corpus."""
    emails = load_jsonl(corpus_dir / "emails.dev.jsonl")
    sentences = load_jsonl(corpus_dir / "gaps.dev.jsonl")
    counts = {label: [0, 0, 0, 0] for label in LABELS}  # tp, fp, fn, support
    predictions = analyzer.analyze(email_from_record(r) for r in emails)
    gap_counts = {True: [0, 0], False: [0, 0]}  # has feedback -> [with gaps, total]
    for record, result in zip(emails, predictions, strict=True):
        gold = set(record["labels"])
        gap_counts["feedback" in gold][0] += bool(result.gaps)
        gap_counts["feedback" in gold][1] += 1
        for label in LABELS:
            predicted = label in result.labels
            counts[label][0] += predicted and label in gold
            counts[label][1] += predicted and label not in gold
            counts[label][2] += (not predicted) and label in gold
            counts[label][3] += label in gold
    per_category = {name: [0, 0] for name in GAP_CLASSES}
    gap_predictions = analyzer.gap_scores(r["text"] for r in sentences)
    for record, cats in zip(sentences, gap_predictions, strict=True):
        predicted_category = max(cats, key=cats.__getitem__)
        per_category[record["category"]][0] += predicted_category == record["category"]
        per_category[record["category"]][1] += 1
    correct = sum(c for c, _ in per_category.values())
    return EvalReport(
        labels={label: (*_prf(*c[:3]), c[3]) for label, c in counts.items()},
        gap_accuracy=correct / max(len(sentences), 1),
        gap_per_category={k: (v[0], v[1]) for k, v in per_category.items()},
        email_count=len(emails),
        sentence_count=len(sentences),
        feedback_with_gaps=(gap_counts[True][0], gap_counts[True][1]),
        other_with_gaps=(gap_counts[False][0], gap_counts[False][1]),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: retrain both models into ``nlp/models`` and print dev figures."""
    parser = argparse.ArgumentParser(prog="python -m bounceback.nlp.train", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    parser.add_argument("--models", type=Path, default=MODEL_DIR)
    parser.add_argument("--workdir", type=Path, default=None, help="keep DocBins/checkpoints")
    parser.add_argument("--only", choices=("labels", "gaps"), default=None)
    parser.add_argument("--evaluate-only", action="store_true", help="skip training")
    parser.add_argument(
        "--folds",
        type=int,
        default=4,
        help="k-fold cross-validation on train to tune label thresholds (0: use 0.5)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.evaluate_only:
        if (args.corpus / "sources").is_dir():
            logger.info("corpus: %s", compile_corpus(args.corpus / "sources", args.corpus))
        which = (args.only,) if args.only else ("labels", "gaps")
        train_models(
            args.corpus, args.models, workdir=args.workdir, which=which, tune_folds=args.folds
        )
    report = evaluate(Analyzer.load(args.models), args.corpus)
    sys.stdout.write(report.render() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
