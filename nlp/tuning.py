"""Decision thresholds for the label model: Platt calibration and the best-F1 threshold.

Fits, per label, a calibration of the raw score and the threshold with the best F1 on
the calibrated dev scores (:func:`tune_on_dev`); the dev split is carved from the
training sources, so the frozen test split plays no part.
"""

from __future__ import annotations

from pathlib import Path

import numpy
import spacy

from bounceback.nlp.modeltext import label_text
from bounceback.nlp.scoring import CORPUS_DIR, email_from_record, load_jsonl
from bounceback.nlp.scoring import prf as _prf
from bounceback.nlp.taxonomy import LABELS
from bounceback.nlp.thresholds import calibrated

__all__ = ["best_threshold", "fit_calibration", "thresholds_from_scores", "tune_on_dev"]


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
    return thresholds_from_scores(raw)


def thresholds_from_scores(
    raw: list[tuple[dict[str, float], set[str]]],
) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """Per-label (thresholds, calibration) from raw label scores and their gold labels."""
    calibration = {
        label: fit_calibration([cats[label] for cats, _ in raw], [label in g for _, g in raw])
        for label in LABELS
    }
    scored = [
        ({label: calibrated(cats[label], calibration[label]) for label in LABELS}, gold)
        for cats, gold in raw
    ]
    return {label: best_threshold(label, scored) for label in LABELS}, calibration


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


def best_threshold(label: str, scored: list[tuple[dict[str, float], set[str]]]) -> float:
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
