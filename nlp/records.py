"""Typed records that flow out of the language layer: plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bounceback.nlp.signals import NO_SIGNALS, Signals
from bounceback.nlp.taxonomy import LABELS


@dataclass(frozen=True, slots=True)
class EmailText:
    """What the analyser reads: the new part of one email, plus subject and sender."""

    id: str
    subject: str
    sender: str  # the From header as written, e.g. 'Acme Careers <jobs@acme.com>'
    body: str  # plain text; gap offsets index into this string
    html: str | None = None
    signals: Signals = NO_SIGNALS  # what the headers say (a calendar part, bulk, Reply-To)


@dataclass(frozen=True, slots=True)
class Gap:
    """One thing the employer said was missing, with its evidence in the body."""

    category: str
    text: str  # == body[start:end]
    start: int
    end: int
    skill: str | None
    confidence: float

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "skill": self.skill,
            "confidence": round(self.confidence, 4),
        }


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the language layer says about one email."""

    id: str
    labels: tuple[str, ...]
    scores: dict[str, float]  # a probability for every label in LABELS
    company: str | None
    role: str | None
    gaps: tuple[Gap, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """The `bounceback classify` output object (see DESIGN.md)."""
        return {
            "id": self.id,
            "labels": list(self.labels),
            "scores": {label: round(self.scores.get(label, 0.0), 4) for label in LABELS},
            "company": self.company,
            "role": self.role,
            "gaps": [gap.to_json() for gap in self.gaps],
        }


@dataclass(frozen=True, slots=True)
class JobPosting:
    """One open role parsed out of a job-alert email."""

    title: str
    company: str | None
    location: str | None
    salary: str | None
    url: str | None
    source: str  # the board or agency, e.g. "LinkedIn", "Indeed", "Hays"
    posted: str | None = None  # when the alert says it was posted, in its words ("2 days ago")
