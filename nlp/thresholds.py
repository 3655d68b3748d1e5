"""Decision thresholds and calibration stored next to the models (``thresholds.json``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from bounceback.nlp.taxonomy import LABELS

__all__ = ["Thresholds", "calibrated"]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Decision thresholds stored next to the models in ``thresholds.json``."""

    labels: dict[str, float] = field(default_factory=lambda: dict.fromkeys(LABELS, 0.5))
    gap_gate: float = 0.3  # run the gap model if P(rejection) or P(feedback) reaches this
    # Keep a segment as a gap if the gap categories together reach this (1 - P(none)): when
    # the model hesitates between skill and experience, the sentence is still a gap.
    gap_min_confidence: float = 0.5
    # ...and the top category alone reaches this: a near-uniform guess on unfamiliar words
    # (a signature, "Kestrel Payments Recruiting") has a large gap mass but no category.
    gap_min_category: float = 0.35
    gap_min_words: int = 3  # shorter segments ("Kind regards,") are never gaps
    # A gap at least this confident is evidence of feedback: P(feedback) is raised by a
    # noisy-OR with it, because the email model alone misses feedback in unusual wrappers.
    feedback_evidence: float = 0.7
    # Mail in which no gap is found is "feedback" only if P(feedback) reaches this as well:
    # a warm "really enjoyed meeting you" rejection reads like feedback to a bag of words,
    # but feedback the reader can act on names something. Chosen on dev (see MODEL_CARD).
    feedback_without_gaps: float = 0.6
    # Review threshold: a gap under this confidence, or a label score within
    # ``review_margin`` of its threshold, is shown first on the review page. Not part of
    # the classify output (the contract allows no extra keys); see needs_review().
    review_below: float = 0.7
    review_margin: float = 0.1
    # Per-label Platt scaling (a, b): P = sigmoid(a * logit(raw) + b), fitted on
    # out-of-fold scores of the training split, so scores read as probabilities.
    # Empty = raw scores.
    calibration: dict[str, tuple[float, float]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Thresholds:
        """Build from the JSON object; missing keys keep their defaults."""
        default = cls()
        labels = {**default.labels, **{k: float(v) for k, v in data.get("labels", {}).items()}}
        return cls(
            labels=labels,
            gap_gate=float(data.get("gap_gate", default.gap_gate)),
            gap_min_confidence=float(data.get("gap_min_confidence", default.gap_min_confidence)),
            gap_min_category=float(data.get("gap_min_category", default.gap_min_category)),
            gap_min_words=int(data.get("gap_min_words", default.gap_min_words)),
            feedback_evidence=float(data.get("feedback_evidence", default.feedback_evidence)),
            feedback_without_gaps=float(
                data.get("feedback_without_gaps", default.feedback_without_gaps)
            ),
            review_below=float(data.get("review_below", default.review_below)),
            review_margin=float(data.get("review_margin", default.review_margin)),
            calibration={
                label: (float(a), float(b)) for label, (a, b) in data.get("calibration", {}).items()
            },
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON object written to ``thresholds.json``."""
        return {
            "labels": {label: round(self.labels[label], 4) for label in LABELS},
            "gap_gate": self.gap_gate,
            "gap_min_confidence": self.gap_min_confidence,
            "gap_min_category": self.gap_min_category,
            "gap_min_words": self.gap_min_words,
            "feedback_evidence": self.feedback_evidence,
            "feedback_without_gaps": self.feedback_without_gaps,
            "review_below": self.review_below,
            "review_margin": self.review_margin,
            "calibration": {
                label: [round(value, 5) for value in params]
                for label, params in self.calibration.items()
            },
        }


def calibrated(raw: float, params: tuple[float, float]) -> float:
    """Apply one label's calibration to a raw model score."""
    a, b = params
    clipped = min(max(raw, 1e-6), 1 - 1e-6)
    z = a * math.log(clipped / (1 - clipped)) + b
    return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))
