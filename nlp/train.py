"""Rebuild the shipped models from the corpus: compile, convert, train, evaluate.

``python -m bounceback.nlp.train`` compiles the hand-written ``corpus/sources`` into
``corpus/*.train.jsonl`` and ``*.dev.jsonl`` (a fixed-seed hash 80/20 split), converts them
to spaCy DocBin files, runs the real ``spacy train`` with ``configs/labels.cfg`` and
``configs/gaps.cfg`` (fixed seeds, so reruns give the same weights), copies the label
model's last epoch and the gap model's ``model-best`` into ``models/labels`` and
``models/gaps`` (``_CHECKPOINT``), and prints the model's dev-set
figures (``python -m bounceback.nlp.evaluate`` prints them beside the keyword baseline).
The gap model also learns from the ``[[category: text]]`` marks of training emails
(:func:`email_gap_examples`). Per-label calibration and thresholds are fitted either on
the dev split (``--dev-thresholds``, as model 0.4.0 was built) or on out-of-fold
predictions of k-fold cross-validation on the training split (``--folds``), which never
touches dev. The dev split is never trained on; spaCy uses it only to pick the gap model's
best checkpoint. The employer/role reader (``models/entities``, ``configs/entities.cfg``)
is trained by :mod:`bounceback.nlp.train_entities` on the training split alone; ``--only
entities`` retrains just that one.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import shutil
import sys
import tempfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import spacy
from spacy.cli.train import train as spacy_train
from spacy.language import Language
from spacy.tokens import DocBin

from bounceback.nlp.analyzer import (
    NO_GAP,
    Analyzer,
    Thresholds,
    gap_text,
    label_text,
)
from bounceback.nlp.corpus_compile import (
    GAP_CLASSES,
    compile_corpus,
    mail_records,
    parse_emails,
    parse_gaps,
    split,
    write_jsonl,
)
from bounceback.nlp.evaluate import (
    EvalReport,
    email_from_record,
    evaluate_system,
    is_dev,
    load_jsonl,
)
from bounceback.nlp.segment import segment
from bounceback.nlp.taxonomy import LABELS
from bounceback.nlp.train_entities import train_entities
from bounceback.nlp.tuning import fit_calibration, thresholds_from_scores, tune_on_dev

__all__ = [
    "GAP_CLASSES",
    "EvalReport",
    "build_docbins",
    "compile_corpus",
    "email_gap_examples",
    "evaluate",
    "fit_calibration",
    "is_dev",
    "load_jsonl",
    "mail_records",
    "main",
    "parse_emails",
    "parse_gaps",
    "split",
    "train_models",
    "tune_on_dev",
    "write_jsonl",
]

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
CORPUS_DIR = PACKAGE_DIR / "corpus"
CONFIG_DIR = PACKAGE_DIR / "configs"
MODEL_DIR = PACKAGE_DIR / "models"

#: Classes of the exclusive gap classifier.
# Files a trained pipeline directory needs at run time; everything else is left behind.
_RUNTIME_FILES = ("config.cfg", "meta.json", "tokenizer", "vocab")


#: Version written into each installed pipeline (0.4.0: issue 11, new .eml sets, dev-picked
#: seeds; 0.5.0: the label model retrained with the brief and lookalikes sets).
MODEL_VERSION = "0.5.0"


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


#: The checkpoint installed per model. The label model's scores are calibrated and given
#: thresholds on dev afterwards, so its last epoch is kept: spaCy's model-best is picked by
#: macro F1 at 0.5 on uncalibrated scores, which peaks early and by chance (a retrain of the
#: same data picked an epoch-1 checkpoint: dev macro-F1 0.946 after tuning, against 0.964
#: for the last of 10 epochs).
_CHECKPOINT = {"labels": "model-last", "gaps": "model-best"}


def _install(checkpoint: Path, destination: Path) -> None:
    """Copy the run-time parts of a trained checkpoint (``_CHECKPOINT``) into ``destination``."""
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    for child in checkpoint.iterdir():
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
            _install(output / _CHECKPOINT[name], model_dir / name)
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
    return thresholds_from_scores(raw)


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
        "--compile-only",
        action="store_true",
        help="only compile the corpus sources and .eml sets into the JSONL splits",
    )
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
    if args.compile_only:
        sys.stdout.write(compile_corpus(args.corpus / "sources", args.corpus) + "\n")
        return 0
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
