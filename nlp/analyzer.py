"""The run-time analyser: email text in, :class:`Analysis` records out.

Two small spaCy pipelines trained by ``python -m bounceback.nlp.train`` ship in
``nlp/models/``: ``labels`` (multi-label textcat over :data:`LABELS`) and ``gaps``
(exclusive textcat over :data:`GAP_CATEGORIES` + ``none``, one sentence at a time).
Both are loaded once; emails stream through ``pipe`` in batches. The gap model only
reads segments of emails the label model thinks are rejections or feedback, and a
confident gap in turn raises the email's feedback probability (noisy-OR).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import parseaddr
from importlib.resources import files
from itertools import islice
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

from bounceback.nlp.entities import extract_company_role
from bounceback.nlp.records import Analysis, EmailText, Gap
from bounceback.nlp.segment import Segment, segment
from bounceback.nlp.skills import best_skill, find_skills
from bounceback.nlp.taxonomy import GAP_CATEGORIES, LABELS

__all__ = ["NO_GAP", "Analyzer", "Thresholds", "default_model_dir", "gap_text", "label_text"]

logger = logging.getLogger(__name__)

#: The gap model's class for a sentence that is not a gap.
NO_GAP = "none"
# The label model reads this much of the body: the decision is nearly always near the top.
_MAX_BODY_CHARS = 4000
_QUOTE_LINE = re.compile(r"^[ \t]*>.*$\n?", re.MULTILINE)
_ADDRESS_PUNCT = re.compile(r"[<>@._+\-\"]+")
_SLUG = re.compile(r"\W+")


def label_text(email: EmailText) -> str:
    """The text the label model reads, at training and at run time: subject, sender, body."""
    name, address = parseaddr(email.sender)
    sender_words = _ADDRESS_PUNCT.sub(" ", f"{name} {address}").strip()
    body = _QUOTE_LINE.sub("", email.body[:_MAX_BODY_CHARS])
    # Lower-cased: bag-of-words features are case-sensitive and the corpus is small.
    return f"{email.subject.strip()}\n{sender_words}\n{body.strip()}".lower()


def gap_text(sentence: str) -> str:
    """The text the gap model reads, at training and at run time.

    Lower-cased (the bag-of-words features are case-sensitive and the corpus is small),
    plus one marker token per lexicon hit: ``skillmarker`` for a hard skill and
    ``topic_<name>`` for a soft topic, so an unseen tool name still looks like a skill.
    """
    markers = {
        "skillmarker" if match.hard else "topic_" + _SLUG.sub("_", match.skill.lower())
        for match in find_skills(sentence)
    }
    return " ".join([sentence.lower(), *sorted(markers)])


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Decision thresholds stored next to the models in ``thresholds.json``."""

    labels: dict[str, float] = field(default_factory=lambda: dict.fromkeys(LABELS, 0.5))
    gap_gate: float = 0.3  # run the gap model if P(rejection) or P(feedback) reaches this
    gap_min_confidence: float = 0.5  # keep a gap if its category probability reaches this
    gap_min_words: int = 3  # shorter segments ("Kind regards,") are never gaps
    # A gap at least this confident is evidence of feedback: P(feedback) is raised by a
    # noisy-OR with it, because the email model alone misses feedback in unusual wrappers.
    feedback_evidence: float = 0.7

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Thresholds:
        """Build from the JSON object; missing keys keep their defaults."""
        default = cls()
        labels = {**default.labels, **{k: float(v) for k, v in data.get("labels", {}).items()}}
        return cls(
            labels=labels,
            gap_gate=float(data.get("gap_gate", default.gap_gate)),
            gap_min_confidence=float(data.get("gap_min_confidence", default.gap_min_confidence)),
            gap_min_words=int(data.get("gap_min_words", default.gap_min_words)),
            feedback_evidence=float(data.get("feedback_evidence", default.feedback_evidence)),
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON object written to ``thresholds.json``."""
        return {
            "labels": {label: round(self.labels[label], 4) for label in LABELS},
            "gap_gate": self.gap_gate,
            "gap_min_confidence": self.gap_min_confidence,
            "gap_min_words": self.gap_min_words,
            "feedback_evidence": self.feedback_evidence,
        }


def default_model_dir() -> Path:
    """The models shipped inside the package (``bounceback.nlp/models``)."""
    # The package is installed as plain files (wheel or editable), so the resource is a path.
    return Path(str(files("bounceback.nlp").joinpath("models")))


class Analyzer:
    """Labels, company, role and gaps for a stream of emails, from two loaded pipelines."""

    def __init__(self, label_model: Language, gap_model: Language, thresholds: Thresholds):
        self.label_model = label_model
        self.gap_model = gap_model
        self.thresholds = thresholds

    @property
    def version(self) -> str:
        """Identifies the models and thresholds behind each stored analysis.

        ``labels-0.1.0+gaps-0.1.0+t1a2b3c4``: pipeline names and versions from their
        ``meta.json`` and a short hash of the thresholds, so a retrained model or retuned
        threshold is visible in every analysis it produced.
        """
        parts = [
            f"{model.meta.get('name', 'model')}-{model.meta.get('version', '0')}"
            for model in (self.label_model, self.gap_model)
        ]
        digest = hashlib.sha256(
            json.dumps(self.thresholds.to_json(), sort_keys=True).encode()
        ).hexdigest()[:8]
        return "+".join([*parts, f"t{digest}"])[:100]

    @classmethod
    def load(cls, model_dir: Path | None = None) -> Analyzer:
        """Load both pipelines and the thresholds once from ``model_dir`` (default: shipped)."""
        root = Path(model_dir) if model_dir is not None else default_model_dir()
        threshold_file = root / "thresholds.json"
        thresholds = (
            Thresholds.from_json(json.loads(threshold_file.read_text(encoding="utf-8")))
            if threshold_file.exists()
            else Thresholds()
        )
        logger.debug("loading models from %s", root)
        return cls(spacy.load(root / "labels"), spacy.load(root / "gaps"), thresholds)

    def analyze(self, emails: Iterable[EmailText], *, batch_size: int = 256) -> Iterator[Analysis]:
        """Analyse emails lazily, in input order, ``batch_size`` at a time."""
        iterator = iter(emails)
        while batch := list(islice(iterator, batch_size)):
            yield from self._analyze_batch(batch, batch_size)

    def analyze_one(self, email: EmailText) -> Analysis:
        """Analyse a single email (convenience wrapper around :meth:`analyze`)."""
        return next(self.analyze([email]))

    def label_scores(
        self, emails: Iterable[EmailText], *, batch_size: int = 256
    ) -> Iterator[dict[str, float]]:
        """P(label) for all six labels per email, without gaps or entities."""
        texts = (label_text(email) for email in emails)
        for doc in self.label_model.pipe(texts, batch_size=batch_size):
            if not any(token.is_alpha for token in doc):
                # No words, no evidence: an empty bag of words would score 0.5 everywhere.
                yield dict.fromkeys(LABELS, 0.0)
                continue
            yield {label: float(doc.cats.get(label, 0.0)) for label in LABELS}

    def gap_scores(
        self, sentences: Iterable[str], *, batch_size: int = 256
    ) -> Iterator[dict[str, float]]:
        """The gap model's distribution over categories + ``none`` per sentence."""
        texts = (gap_text(sentence) for sentence in sentences)
        for doc in self.gap_model.pipe(texts, batch_size=batch_size):
            yield dict(doc.cats)

    def _analyze_batch(self, batch: list[EmailText], batch_size: int) -> Iterator[Analysis]:
        scores = list(self.label_scores(batch, batch_size=batch_size))
        candidates: list[tuple[int, Segment]] = []
        for index, (email, email_scores) in enumerate(zip(batch, scores, strict=True)):
            if self._wants_gaps(email_scores):
                candidates.extend(
                    (index, seg)
                    for seg in segment(email.body)
                    if len(seg.text.split()) >= self.thresholds.gap_min_words
                )
        gaps: list[list[Gap]] = [[] for _ in batch]
        sentence_scores = self.gap_scores((seg.text for _, seg in candidates), batch_size=1024)
        for (index, seg), cats in zip(candidates, sentence_scores, strict=True):
            gap = self._to_gap(seg, cats)
            if gap is not None:
                gaps[index].append(gap)
        for email, email_scores, email_gaps in zip(batch, scores, gaps, strict=True):
            self._add_gap_evidence(email_scores, email_gaps)
            company, role = extract_company_role(email.subject, email.sender, email.body)
            labels = tuple(
                label for label in LABELS if email_scores[label] >= self.thresholds.labels[label]
            )
            yield Analysis(
                id=email.id,
                labels=labels,
                scores=email_scores,
                company=company,
                role=role,
                gaps=tuple(email_gaps),
            )

    def _add_gap_evidence(self, scores: dict[str, float], gaps: list[Gap]) -> None:
        strong = [g.confidence for g in gaps if g.confidence >= self.thresholds.feedback_evidence]
        if strong:
            scores["feedback"] = 1.0 - (1.0 - scores["feedback"]) * (1.0 - max(strong))

    def _wants_gaps(self, scores: dict[str, float]) -> bool:
        gate = self.thresholds.gap_gate
        return scores["rejection"] >= gate or scores["feedback"] >= gate

    def _to_gap(self, seg: Segment, cats: dict[str, float]) -> Gap | None:
        category = max(cats, key=cats.__getitem__)
        confidence = cats[category]
        if category not in GAP_CATEGORIES or confidence < self.thresholds.gap_min_confidence:
            return None
        return Gap(
            category=category,
            text=seg.text,
            start=seg.start,
            end=seg.end,
            skill=best_skill(seg.text, category),
            confidence=float(confidence),
        )
