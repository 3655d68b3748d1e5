"""Rebuild the shipped models from the corpus: compile, convert, train, evaluate.

``python -m bounceback.nlp.train`` compiles the hand-written ``corpus/sources`` into
``corpus/*.train.jsonl`` and ``*.dev.jsonl`` (a fixed-seed hash 80/20 split), converts them
to spaCy DocBin files, runs the real ``spacy train`` with ``configs/labels.cfg`` and
``configs/gaps.cfg`` (fixed seeds, so reruns give the same weights), copies each
``model-best`` into ``models/labels`` and ``models/gaps``, and prints the model's dev-set
figures (``python -m bounceback.nlp.evaluate`` prints them beside the keyword baseline).
The gap model also learns from the ``[[category: text]]`` marks of training emails
(:func:`email_gap_examples`). Per-label thresholds maximise F1 over out-of-fold
predictions of 4-fold cross-validation on the training split (``--folds``), so they are
tuned on held-out data without touching dev. The dev split is never trained on; spaCy
uses it only to pick the best checkpoint. The employer/role reader (``models/entities``,
``configs/entities.cfg``) is trained by :mod:`bounceback.nlp.train_entities` on the
training split alone; ``--only entities`` retrains just that one.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import re
import shutil
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy
import spacy
from spacy.cli.train import train as spacy_train
from spacy.language import Language
from spacy.tokens import DocBin

from bounceback.nlp.analyzer import (
    NO_GAP,
    Analyzer,
    Thresholds,
    calibrated,
    gap_text,
    label_text,
)
from bounceback.nlp.evaluate import (
    EvalReport,
    email_from_record,
    evaluate_system,
    is_dev,
    load_jsonl,
    load_mail_set,
)
from bounceback.nlp.evaluate import prf as _prf
from bounceback.nlp.reading import reading_text
from bounceback.nlp.segment import segment
from bounceback.nlp.taxonomy import GAP_CATEGORIES, LABELS
from bounceback.nlp.train_entities import train_entities

__all__ = [
    "GAP_CLASSES",
    "EvalReport",
    "build_docbins",
    "compile_corpus",
    "email_gap_examples",
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
        where = f"{path.name} #{number}"
        # The dev/train split hashes the body as written, so that reading it differently
        # never moves an example to the other side of the split.
        written, _ = _strip_gap_marks(body.rstrip() + "\n", where)
        # Read as run time reads it (one reading path), marks and all, then unmark.
        body, gaps = _strip_gap_marks(reading_text(body), where)
        record: dict[str, Any] = {
            "id": f"{path.stem.removeprefix('emails_')}-{number:03d}",
            "subject": fields["Subject"].strip(),
            "from": fields["From"].strip(),
            "body": body,
            "labels": labels,
            SPLIT_KEY: f"{fields['From'].strip()}\n{fields['Subject'].strip()}\n{written}",
        }
        # Optional annotations: "Company:"/"Role:" header lines ("-" = the email names
        # none) and [[category: text]] gap marks in the body. Absent = not annotated.
        for key in ("Company", "Role"):
            if key in fields:
                value = fields[key].strip()
                record[key.lower()] = None if value == "-" else value
        if gaps or "[[" in chunk:
            record["gaps"] = gaps
        records.append(record)
    return records


_GAP_MARK = re.compile(r"\[\[(?P<category>[a-z_]+):\s*(?P<text>.+?)\]\]", re.DOTALL)


def _strip_gap_marks(body: str, where: str) -> tuple[str, list[dict[str, Any]]]:
    """Remove ``[[category: text]]`` marks; the gaps with offsets into the clean body."""
    out: list[str] = []
    gaps: list[dict[str, Any]] = []
    position = 0  # in the clean body
    last = 0  # in the marked body
    for match in _GAP_MARK.finditer(body):
        category = match.group("category")
        if category not in GAP_CATEGORIES:
            raise ValueError(f"{where}: unknown gap category {category!r}")
        out.append(body[last : match.start()])
        position += match.start() - last
        text = match.group("text")
        gaps.append(
            {"start": position, "end": position + len(text), "category": category, "text": text}
        )
        out.append(text)
        position += len(text)
        last = match.end()
    out.append(body[last:])
    clean = "".join(out)
    if "[[" in clean or "]]" in clean:
        raise ValueError(f"{where}: malformed gap mark")
    return clean, gaps


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


def split(
    records: list[dict[str, Any]], key: Callable[[dict[str, Any]], str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split records into (train, dev) by :func:`is_dev` of ``key(record)``."""
    train: list[dict[str, Any]] = []
    dev: list[dict[str, Any]] = []
    for record in records:
        (dev if is_dev(key(record)) else train).append(record)
    return train, dev


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    """Write records one per line, UTF-8, stable key order."""
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


#: A record's split key while compiling (never written to the JSONL files).
SPLIT_KEY = "_split_key"
#: Version written into each installed pipeline (0.3.0: issue 11, category cues, hard negatives).
MODEL_VERSION = "0.3.0"

#: The annotated .eml sets trained on; ``mail/test`` is the frozen test split, never read.
MAIL_TRAINING_SETS = ("ats", "boards", "feedback")


def mail_records(mail_dir: Path) -> list[dict[str, Any]]:
    """Corpus records of the annotated .eml training sets (never ``mail/test``).

    Gold gaps keep their text and offsets in the body as the analyser reads it; a gap the
    reading path cannot find is left out of training rather than guessed at.
    """
    records: list[dict[str, Any]] = []
    for name in MAIL_TRAINING_SETS:
        folder = mail_dir / name
        if not (folder / "annotations.jsonl").is_file():
            continue
        for record in load_mail_set(folder):
            record["gaps"] = [
                {**gap, "text": record["body"][gap["start"] : gap["end"]]}
                for gap in record["gaps"]
                if gap["start"] >= 0
            ]
            record["set"] = name
            records.append(record)
    return records


def compile_corpus(sources: Path = CORPUS_DIR / "sources", corpus_dir: Path = CORPUS_DIR) -> str:
    """Compile the hand-written sources into ``{emails,gaps}.{train,dev}.jsonl``; a summary.

    The annotated .eml training sets in ``corpus_dir/mail`` (not ``mail/test``) join the
    emails, split by a hash of the file name as the README there says.
    """
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
    mail = mail_records(corpus_dir / "mail")
    mail_train, mail_dev = split(mail, lambda r: str(r["id"]))
    summary = []
    jobs: list[tuple[str, list[dict[str, Any]], Callable[[dict[str, Any]], str]]] = [
        ("emails", emails, lambda r: str(r.pop(SPLIT_KEY))),
        ("gaps", gaps, lambda r: str(r["text"]).lower()),
    ]
    for name, records, key in jobs:
        train, dev = split(records, key)
        if name == "emails":
            train, dev = train + mail_train, dev + mail_dev
        write_jsonl(corpus_dir / f"{name}.train.jsonl", train)
        write_jsonl(corpus_dir / f"{name}.dev.jsonl", dev)
        summary.append(f"{name}: {len(train)} train, {len(dev)} dev")
    summary.append(f"of the emails, .eml sets: {len(mail_train)} train, {len(mail_dev)} dev")
    return "; ".join(summary)


def _email_docbin(blank: Language, records: Iterable[dict[str, Any]], path: Path) -> Path:
    docs = DocBin()
    for record in records:
        doc = blank.make_doc(label_text(email_from_record(record)))
        doc.cats = {label: float(label in record["labels"]) for label in LABELS}
        docs.add(doc)
    docs.to_disk(path)
    return path


def email_gap_examples(records: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    """Gap-sentence examples from emails annotated with ``[[category: text]]`` marks.

    Each marked span becomes an example of its category; every other segment of the same
    email (segmented as at run time, at least ``gap_min_words`` words, overlapping no
    mark) becomes a ``none`` example, so the gap model also learns from spans in context.
    Only emails with at least one mark contribute: their unmarked sentences are the hard
    negatives that sit next to real gaps.
    """
    min_words = Thresholds().gap_min_words
    examples: list[dict[str, str]] = []
    for record in records:
        gaps = record.get("gaps") or []
        if not gaps:
            continue
        examples.extend({"text": g["text"], "category": g["category"]} for g in gaps)
        for seg in segment(record["body"]):
            if len(seg.text.split()) < min_words:
                continue
            if any(seg.start < g["end"] and g["start"] < seg.end for g in gaps):
                continue
            examples.append({"text": seg.text, "category": NO_GAP})
    return examples


def build_docbins(corpus_dir: Path, workdir: Path) -> dict[str, Path]:
    """Convert the JSONL corpus into the four DocBin files the configs train on.

    The gap training set is the gap sentences plus :func:`email_gap_examples` of the
    *training* emails; dev stays the isolated dev sentences, so no dev email is ever
    trained on and the checkpoint choice is unchanged by how many emails carry marks.
    """
    blank = spacy.blank("en")
    paths: dict[str, Path] = {}
    for split_name in ("train", "dev"):
        records = load_jsonl(corpus_dir / f"emails.{split_name}.jsonl")
        paths[f"labels.{split_name}"] = _email_docbin(
            blank, records, workdir / f"labels.{split_name}.spacy"
        )
        sentences = load_jsonl(corpus_dir / f"gaps.{split_name}.jsonl")
        if split_name == "train":
            # Skip spans already in the sentence sets: no duplicates, and no dev sentence
            # sneaking into training through an email that quotes it.
            dev_sentences = load_jsonl(corpus_dir / "gaps.dev.jsonl")
            known = {s["text"].lower() for s in [*sentences, *dev_sentences]}
            for example in email_gap_examples(records):
                if example["text"].lower() not in known:
                    known.add(example["text"].lower())
                    sentences.append(example)
        docs = DocBin()
        for record in sentences:
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
    meta.update(name=destination.name, version=MODEL_VERSION)
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
    which: Sequence[str] = ("labels", "gaps", "entities"),
    tune_folds: int = 0,
) -> None:
    """Train the label, gap and employer/role pipelines and install them into ``model_dir``.

    Retraining the labels rewrites ``thresholds.json``: 0.5 per label, or with
    ``tune_folds`` > 1 the thresholds that maximise F1 in k-fold cross-validation on the
    training split (never on dev).
    """
    if "entities" in which:
        work = Path(workdir) / "entities" if workdir is not None else None
        train_entities(
            corpus_dir, model_dir, config_dir / "entities.cfg", workdir=work, overrides=overrides
        )
        which = tuple(name for name in which if name != "entities")
    with tempfile.TemporaryDirectory(prefix="bounceback-train-") as scratch:
        work = Path(workdir) if workdir is not None else Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        data = build_docbins(corpus_dir, work) if which else {}
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
            labels, calibration = tune_label_thresholds(
                records, config_dir / "labels.cfg", work / "folds", tune_folds, overrides or {}
            )
            thresholds = Thresholds(labels=labels, calibration=calibration)
    thresholds_file = model_dir / "thresholds.json"
    if "labels" in which or not thresholds_file.exists():
        thresholds_file.write_text(json.dumps(thresholds.to_json(), indent=2) + "\n")


def tune_label_thresholds(
    records: list[dict[str, Any]],
    config: Path,
    workdir: Path,
    folds: int,
    overrides: dict[str, Any],
) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """Per-label calibration and thresholds from out-of-fold predictions over ``records``.

    Each record is scored by a model trained on the other folds. Platt scaling per label is
    fitted on those scores, then the threshold that maximises F1 on the calibrated scores
    is chosen.
    """
    blank = spacy.blank("en")
    fold_of = [
        zlib.crc32(f"fold:{r['from']}{r['subject']}{r['body']}".encode()) % folds for r in records
    ]
    raw: list[tuple[dict[str, float], set[str]]] = []
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
            raw.append((dict(doc.cats), set(record["labels"])))
    calibration = {
        label: fit_calibration([cats[label] for cats, _ in raw], [label in g for _, g in raw])
        for label in LABELS
    }
    scored = [
        ({label: calibrated(cats[label], calibration[label]) for label in LABELS}, gold)
        for cats, gold in raw
    ]
    return {label: _best_threshold(label, scored) for label in LABELS}, calibration


def tune_on_dev(
    model_dir: Path, corpus_dir: Path = CORPUS_DIR
) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """Per-label calibration and thresholds fitted on the dev split's label scores.

    The dev split is carved from the training sources and the .eml training sets, so the
    frozen test split (``mail/test``) plays no part in choosing them.
    """
    model = spacy.load(model_dir / "labels")
    records = load_jsonl(corpus_dir / "emails.dev.jsonl")
    texts = (label_text(email_from_record(r)) for r in records)
    raw = [
        (dict(doc.cats), set(record["labels"]))
        for record, doc in zip(records, model.pipe(texts, batch_size=256), strict=True)
    ]
    calibration = {
        label: fit_calibration([cats[label] for cats, _ in raw], [label in g for _, g in raw])
        for label in LABELS
    }
    scored = [
        ({label: calibrated(cats[label], calibration[label]) for label in LABELS}, gold)
        for cats, gold in raw
    ]
    return {label: _best_threshold(label, scored) for label in LABELS}, calibration


def fit_calibration(raw: list[float], gold: list[bool], *, l2: float = 1e-3) -> tuple[float, float]:
    """Fit Platt scaling P(gold) = sigmoid(a * logit(raw) + b) by Newton's method."""
    scores = numpy.clip(numpy.array(raw, dtype=float), 1e-6, 1 - 1e-6)
    features = numpy.column_stack([numpy.log(scores / (1 - scores)), numpy.ones(len(raw))])
    target = numpy.array(gold, dtype=float)
    weights = numpy.array([1.0, 0.0])
    for _ in range(50):
        predicted = 1 / (1 + numpy.exp(-numpy.clip(features @ weights, -30, 30)))
        gradient = features.T @ (predicted - target) + l2 * weights
        hessian = (features.T * (predicted * (1 - predicted))) @ features + l2 * numpy.eye(2)
        step = numpy.linalg.solve(hessian, gradient)
        weights -= step
        if float(numpy.abs(step).max()) < 1e-8:
            break
    a, b = (float(w) for w in weights)
    return a, b


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


def evaluate(analyzer: Analyzer, corpus_dir: Path = CORPUS_DIR) -> EvalReport:
    """Score ``analyzer`` on the dev split of the corpus (see :mod:`bounceback.nlp.evaluate`)."""
    return evaluate_system(analyzer, corpus_dir, name="model")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: retrain the models into ``nlp/models`` and print dev figures."""
    parser = argparse.ArgumentParser(prog="python -m bounceback.nlp.train", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    parser.add_argument("--models", type=Path, default=MODEL_DIR)
    parser.add_argument("--workdir", type=Path, default=None, help="keep DocBins/checkpoints")
    parser.add_argument("--only", choices=("labels", "gaps", "entities"), default=None)
    parser.add_argument("--evaluate-only", action="store_true", help="skip training")
    parser.add_argument(
        "--dev-thresholds",
        action="store_true",
        help="fit label calibration and thresholds on the dev split instead of k folds",
    )
    parser.add_argument("--epochs", type=int, default=None, help="override max_epochs")
    parser.add_argument(
        "--eval-frequency", type=int, default=None, help="override training.eval_frequency"
    )
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
        which = (args.only,) if args.only else ("labels", "gaps", "entities")
        overrides: dict[str, Any] = {}
        if args.epochs:
            overrides["training.max_epochs"] = args.epochs
        if args.eval_frequency:
            overrides["training.eval_frequency"] = args.eval_frequency
        train_models(
            args.corpus,
            args.models,
            workdir=args.workdir,
            which=which,
            tune_folds=0 if args.dev_thresholds else args.folds,
            overrides=overrides,
        )
    if args.dev_thresholds:
        labels, calibration = tune_on_dev(args.models, args.corpus)
        thresholds_file = args.models / "thresholds.json"
        current = Thresholds.from_json(json.loads(thresholds_file.read_text(encoding="utf-8")))
        tuned = dataclasses.replace(current, labels=labels, calibration=calibration)
        thresholds_file.write_text(json.dumps(tuned.to_json(), indent=2) + "\n")
    report = evaluate(Analyzer.load(args.models), args.corpus)
    sys.stdout.write(report.render() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
