"""The run-time analyser: email text in, :class:`Analysis` records out.

Two small spaCy pipelines trained by ``python -m bounceback.nlp.train`` ship in
``nlp/models/``: ``labels`` (multi-label textcat over :data:`LABELS`) and ``gaps``
(exclusive textcat over :data:`GAP_CATEGORIES` + ``none``, one sentence at a time).
Both are loaded once; emails stream through ``pipe`` in batches. The gap model only
reads segments of emails the label model thinks are rejections or feedback, and a
confident gap in turn raises the email's feedback probability (noisy-OR).

The texts the models read are built in :mod:`bounceback.nlp.modeltext`, the thresholds
live in :mod:`bounceback.nlp.thresholds`; both are re-exported here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Iterator
from importlib.resources import files
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from bounceback.nlp.decisions import states_a_rejection, states_an_invitation
from bounceback.nlp.entities import EntityModel, EntityReader
from bounceback.nlp.invitations import invites_to_a_hiring_step
from bounceback.nlp.languages import stated_labels
from bounceback.nlp.modeltext import (
    bounded_email,
    gap_focus,
    gap_text,
    job_context,
    label_text,
)
from bounceback.nlp.notices import OPENINGS, is_a_newsletter, no_step_of_mine
from bounceback.nlp.polarity import praise_only
from bounceback.nlp.records import Analysis, EmailText, Gap
from bounceback.nlp.requirements import requirement_category, states_a_requirement
from bounceback.nlp.segment import Segment, segment
from bounceback.nlp.skills import best_skill
from bounceback.nlp.taxonomy import GAP_CATEGORIES, LABELS
from bounceback.nlp.thresholds import Thresholds, calibrated
from bounceback.nlp.tokencache import TokenizerWarmer

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "NO_GAP",
    "Analyzer",
    "Thresholds",
    "calibrated",
    "default_model_dir",
    "gap_focus",
    "gap_text",
    "job_context",
    "label_text",
]

logger = logging.getLogger(__name__)

#: The gap model's class for a sentence that is not a gap.
NO_GAP = "none"
# The gap model reads at most this much of one segment (a sentence is far shorter).
_MAX_SEGMENT_CHARS = 1000
# ...and at most this many segments of one email (real mail has far fewer sentences).
_MAX_SEGMENTS = 150
_SURE = 0.75  # a short note scored this high on some label is not second-guessed


_TO_THE_READER = re.compile(r"\b(?:you|your|you['’](?:re|ve|d|ll))\b", re.IGNORECASE)


def _has_words(doc: Doc) -> bool:
    """True if the label text has a word besides its length token (always the last one)."""
    words = 0
    for token in doc:  # stops at the second word: nearly always within the subject
        if token.is_alpha:
            words += 1
            if words == 2:
                return True
    return False


def default_model_dir() -> Path:
    """The models shipped inside the package (``bounceback.nlp/models``)."""
    # The package is installed as plain files (wheel or editable), so the resource is a path.
    return Path(str(files("bounceback.nlp").joinpath("models")))


class Analyzer:
    """Labels, company, role and gaps for a stream of emails, from two loaded pipelines."""

    def __init__(
        self,
        label_model: Language,
        gap_model: Language,
        thresholds: Thresholds,
        entity_model: EntityModel | None = None,
    ):
        self.label_model = label_model
        self.gap_model = gap_model
        self.entities = EntityReader(entity_model)
        self.thresholds = thresholds
        self._label_words = TokenizerWarmer(label_model)
        self._gap_words = TokenizerWarmer(gap_model)

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
        """Load the pipelines and the thresholds once from ``model_dir`` (default: shipped).

        The employer/role reader (``entities``) is optional: without it the rules alone
        name the company and role.
        """
        root = Path(model_dir) if model_dir is not None else default_model_dir()
        threshold_file = root / "thresholds.json"
        thresholds = (
            Thresholds.from_json(json.loads(threshold_file.read_text(encoding="utf-8")))
            if threshold_file.exists()
            else Thresholds()
        )
        logger.debug("loading models from %s", root)
        entities = EntityModel.load(root / "entities") if (root / "entities").is_dir() else None
        import spacy  # imported on first load, so commands that analyse nothing skip it

        return cls(spacy.load(root / "labels"), spacy.load(root / "gaps"), thresholds, entities)

    def analyze(self, emails: Iterable[EmailText], *, batch_size: int = 256) -> Iterator[Analysis]:
        """Analyse emails lazily, in input order, ``batch_size`` at a time.

        Every text is bounded first (:func:`~bounceback.nlp.reading.bounded`): text that
        went through :func:`~bounceback.nlp.reading.reading_text` is unchanged by it, so
        gap offsets index the body as given; anything else is capped and collapsed before
        spaCy sees it. A body-less email with HTML is read from its HTML.
        """
        iterator = (bounded_email(email) for email in emails)
        while batch := list(islice(iterator, batch_size)):
            yield from self._analyze_batch(batch, batch_size)

    def analyze_one(self, email: EmailText) -> Analysis:
        """Analyse a single email (convenience wrapper around :meth:`analyze`)."""
        return next(self.analyze([email]))

    def label_scores(
        self, emails: Iterable[EmailText], *, batch_size: int = 256
    ) -> Iterator[dict[str, float]]:
        """P(label) for all six labels per email, without gaps or entities."""
        listed = list(emails)
        texts = [label_text(email) for email in listed]
        self._label_words.warm(texts)
        calibration = [(label, self.thresholds.calibration.get(label)) for label in LABELS]
        docs = self.label_model.pipe(texts, batch_size=batch_size)
        for email, doc in zip(listed, docs, strict=True):
            if not _has_words(doc) or not (email.subject.strip() or email.body.strip()):
                # No subject and no body: nothing was said, whoever the sender is.
                # No words, no evidence: an empty bag of words would score 0.5 everywhere.
                yield dict.fromkeys(LABELS, 0.0)
                continue
            cats = doc.cats
            yield {
                label: calibrated(cats[label], params) if params else float(cats[label])
                for label, params in calibration
            }

    def gap_scores(
        self, sentences: Iterable[str], *, batch_size: int = 256
    ) -> Iterator[dict[str, float]]:
        """The gap model's distribution over categories + ``none`` per sentence."""
        texts = [gap_text(sentence[:_MAX_SEGMENT_CHARS]) for sentence in sentences]
        self._gap_words.warm(texts)
        for doc in self.gap_model.pipe(texts, batch_size=batch_size):
            yield dict(doc.cats)

    def gap_categories(self, sentences: Iterable[str]) -> Iterator[tuple[str, float]]:
        """The most likely category (or ``none``) and its probability per sentence.

        A praise-only sentence (:func:`~bounceback.nlp.polarity.praise_only`) is ``none``
        whatever the model says, as in :meth:`analyze`; its probability is then the
        model's own P(none).
        """
        texts = list(sentences)
        for text, cats in zip(texts, self.gap_scores(texts, batch_size=1024), strict=True):
            category = NO_GAP if praise_only(text) else max(cats, key=cats.__getitem__)
            yield category, float(cats[category])

    def gap_needs_review(self, confidence: float) -> bool:
        """True if a gap this confident is uncertain enough to be reviewed first."""
        return confidence < self.thresholds.review_below

    def needs_review(self, analysis: Analysis) -> bool:
        """True if any label decision is close to its threshold or any gap is uncertain."""
        margin = self.thresholds.review_margin
        close = any(
            abs(analysis.scores.get(label, 0.0) - self.thresholds.labels[label]) < margin
            for label in LABELS
        )
        return close or any(self.gap_needs_review(g.confidence) for g in analysis.gaps)

    def _analyze_batch(self, batch: list[EmailText], batch_size: int) -> Iterator[Analysis]:
        scores = list(self.label_scores(batch, batch_size=batch_size))
        gaps = self._find_gaps(batch, scores)
        decided = [
            self._decide(email, email_scores, email_gaps)
            for email, email_scores, email_gaps in zip(batch, scores, gaps, strict=True)
        ]
        # Mail that is not about one application names no employer and role of its own:
        # "other" mail, and job alerts that list many companies' roles.
        named = [i for i, (_, labels) in enumerate(decided) if labels and labels != ("job_alert",)]
        found = self.entities.read(
            [(batch[i].subject, batch[i].sender, batch[i].body) for i in named],
            [batch[i].signals.reply_to for i in named],
        )
        names: dict[int, tuple[str | None, str | None]] = dict(zip(named, found, strict=True))
        for index, (email, (email_scores, labels)) in enumerate(zip(batch, decided, strict=True)):
            company, role = names.get(index, (None, None))
            yield Analysis(
                id=email.id,
                labels=labels,
                scores=email_scores,
                company=company,
                role=role,
                gaps=tuple(gaps[index]) if labels else (),  # "other" mail: no feedback of mine
            )

    def _decide(
        self, email: EmailText, email_scores: dict[str, float], email_gaps: list[Gap]
    ) -> tuple[dict[str, float], tuple[str, ...]]:
        """(scores, labels) of one email from the models' scores, its gaps and the rules;
        ``email_gaps`` is trimmed in place to the gaps that count."""
        stated = list(stated_labels(email.subject, email.body))  # German, French...
        if stated:  # a language the models were not trained on: their guesses say little
            email_scores = {label: score * 0.2 for label, score in email_scores.items()}
            email_gaps.clear()
        if self._reads_as_an_alert(email_scores):
            # A posting's requirements ("8+ years in customer support") are no feedback:
            # in an alert or a pitch only a point said to the reader is, and with none
            # the mail gives no feedback at all.
            email_gaps[:] = [g for g in email_gaps if _TO_THE_READER.search(g.text)]
            if not email_gaps:
                bar = self.thresholds.labels["feedback"]
                email_scores["feedback"] = min(email_scores["feedback"], bar / 2)
        self._add_gap_evidence(email_scores, email_gaps)
        if not stated and (
            no_step_of_mine(email)
            or not job_context(email, confident=max(email_scores.values()) >= _SURE)
        ):
            # Everyday mail: keep the scores' order but well under every threshold.
            email_scores = {label: score * 0.2 for label, score in email_scores.items()}
        elif not stated and is_a_newsletter(email):
            # Its rejections and offers are its subject; its listings still make an alert.
            email_scores = {
                label: score if label == "job_alert" else score * 0.2
                for label, score in email_scores.items()
            }
        elif states_a_rejection(email.body):
            stated.append("rejection")
        elif invites_to_a_hiring_step(email) or states_an_invitation(email.body, email.subject):
            stated.append("interview")
        for label in stated:  # stated in a set form: over the bar whatever the model says
            bar = self.thresholds.labels[label]
            email_scores[label] = max(email_scores[label], min(1.0, bar + 0.25))
        bars = dict(self.thresholds.labels)
        if not email_gaps and "feedback" not in stated:
            bars["feedback"] = max(bars["feedback"], self.thresholds.feedback_without_gaps)
        over = [label for label in LABELS if email_scores[label] >= bars[label]]
        labels = self._one_outcome(email_scores, over, decided="rejection" in stated)
        if "application_received" in labels and not OPENINGS.search(email.subject):
            # "Your application was sent" with "More jobs for you" under it: a confirmation;
            # the board's suggestions make it an alert only when the subject says so.
            labels = tuple(label for label in labels if label != "job_alert")
        return email_scores, labels

    def _one_outcome(
        self, scores: dict[str, float], labels: list[str], *, decided: bool
    ) -> tuple[str, ...]:
        """Labels without two outcomes that exclude each other: "received" and "rejected" (a
        rejection thanks the reader for applying, an acknowledgement may say when to assume
        the worst), "rejected" and "offered the job" ("it's a no ... they did like you"),
        "invited to interview" and "offered the job" ("we'd like to offer you an
        interview"). The label further over its bar stays; a decision stated in a set form
        (``decided``) keeps the rejection."""
        bars = self.thresholds.labels
        pairs = (
            ("rejection", "application_received"),
            ("rejection", "offer"),
            ("interview", "offer"),
        )
        for first, second in pairs:
            if first in labels and second in labels:
                keep_first = scores[first] - bars[first] > scores[second] - bars[second]
                keep_first = keep_first or (first == "rejection" and decided)
                labels.remove(second if keep_first else first)
        return tuple(labels)

    def _find_gaps(self, batch: list[EmailText], scores: list[dict[str, float]]) -> list[list[Gap]]:
        """The gaps of each email whose scores let the gap model read it."""
        candidates: list[tuple[int, Segment]] = []
        for index, (email, email_scores) in enumerate(zip(batch, scores, strict=True)):
            if self._wants_gaps(email_scores):
                wanted = (
                    (index, seg)
                    for seg in segment(email.body)
                    if len(seg.text.split()) >= self.thresholds.gap_min_words
                )
                candidates.extend(islice(wanted, _MAX_SEGMENTS))
        gaps: list[list[Gap]] = [[] for _ in batch]
        sentence_scores = self.gap_scores(
            (gap_focus(seg.text) for _, seg in candidates), batch_size=1024
        )
        for (index, seg), cats in zip(candidates, sentence_scores, strict=True):
            gap = self._to_gap(seg, cats)
            if gap is not None:
                gaps[index].append(gap)
        return gaps

    def _add_gap_evidence(self, scores: dict[str, float], gaps: list[Gap]) -> None:
        strong = [g.confidence for g in gaps if g.confidence >= self.thresholds.feedback_evidence]
        if strong:
            scores["feedback"] = 1.0 - (1.0 - scores["feedback"]) * (1.0 - max(strong))

    def _reads_as_an_alert(self, scores: dict[str, float]) -> bool:
        bars = self.thresholds.labels
        return scores["job_alert"] >= bars["job_alert"] and scores["rejection"] < bars["rejection"]

    def _wants_gaps(self, scores: dict[str, float]) -> bool:
        gate = self.thresholds.gap_gate
        return scores["rejection"] >= gate or scores["feedback"] >= gate

    def _to_gap(self, seg: Segment, cats: dict[str, float]) -> Gap | None:
        category = max(GAP_CATEGORIES, key=lambda name: cats.get(name, 0.0))
        confidence = cats[category]  # the category's own probability, for review ordering
        weak = 1.0 - cats.get(NO_GAP, 0.0) < self.thresholds.gap_min_confidence
        if weak or confidence < self.thresholds.gap_min_category:
            # a requirement or shortfall stated as the reason is a gap whatever the model
            # says; where the model cannot place it, the rule's category is used
            if not states_a_requirement(seg.text):
                return None
            if weak:
                category = requirement_category(seg.text) or category
                confidence = cats[category]
        # The bag of words cannot see polarity: "your pandas work was tidy" names a skill
        # and reads like feedback. Praise with no contrast or shortcoming is never a gap.
        if praise_only(seg.text):
            return None
        return Gap(
            category=category,
            text=seg.text,
            start=seg.start,
            end=seg.end,
            skill=best_skill(seg.text, category),
            confidence=float(confidence),
        )
