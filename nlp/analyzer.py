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
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import parseaddr
from functools import lru_cache
from importlib.resources import files
from itertools import islice
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from bounceback.nlp.entities import EntityModel, EntityReader
from bounceback.nlp.polarity import praise_only
from bounceback.nlp.reading import MAX_NAME, MAX_SUBJECT, bounded, reading_text
from bounceback.nlp.records import Analysis, EmailText, Gap
from bounceback.nlp.segment import Segment, segment
from bounceback.nlp.skills import best_skill, find_skills
from bounceback.nlp.taxonomy import GAP_CATEGORIES, LABELS

__all__ = [
    "NO_GAP",
    "Analyzer",
    "Thresholds",
    "calibrated",
    "default_model_dir",
    "gap_text",
    "label_text",
]

logger = logging.getLogger(__name__)

#: The gap model's class for a sentence that is not a gap.
NO_GAP = "none"
# The label model reads this much of the body: the decision is nearly always near the top.
_MAX_BODY_CHARS = 4000
# The gap model reads at most this much of one segment (a sentence is far shorter).
_MAX_SEGMENT_CHARS = 1000
# ...and at most this many segments of one email (real mail has far fewer sentences).
_MAX_SEGMENTS = 150
_QUOTE_LINE = re.compile(r"^[ \t]*>.*$\n?", re.MULTILINE)
_ADDRESS_PUNCT = re.compile(r"[<>@._+\-\"]+")
_SLUG = re.compile(r"\W+")
# Body length buckets (in words) for the length token of label_text.
_LENGTH_BUCKETS = (
    (8, "lengthtiny"),
    (20, "lengthshort"),
    (60, "lengthmedium"),
    (10**9, "lengthlong"),
)


def label_text(email: EmailText) -> str:
    """The text the label model reads, at training and at run time: subject, sender, body."""
    sender_words = _sender_words(email.sender)
    body = _QUOTE_LINE.sub("", email.body[:_MAX_BODY_CHARS]).strip()
    # A bag of words sums evidence, so a five-word note scores near its bias for every
    # label; a length token gives the model a learned bias per length instead.
    words = body.count(" ") + body.count("\n") + 1 if body else 0
    length = next(name for limit, name in _LENGTH_BUCKETS if words < limit)
    # Lower-cased: bag-of-words features are case-sensitive and the corpus is small.
    return f"{email.subject.strip()}\n{sender_words}\n{body}".lower() + f"\n{length}"


@lru_cache(maxsize=8192)
def _sender_words(sender: str) -> str:
    """The sender as words (a mailbox has few distinct senders, so this is cached)."""
    name, address = parseaddr(sender)
    # The top-level domain says nothing about the mail, and reserved ones (.test,
    # .example) would teach the model words like "test" from addresses.
    address = address.rpartition(".")[0] if "@" in address and "." in address else address
    return _ADDRESS_PUNCT.sub(" ", f"{name} {address}").strip()


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


def _has_words(doc: Doc) -> bool:
    """True if the label text has a word besides its length token (always the last one)."""
    words = 0
    for token in doc:  # stops at the second word: nearly always within the subject
        if token.is_alpha:
            words += 1
            if words == 2:
                return True
    return False


# Words that put a mail in a job search. A short note with none of them anywhere — subject,
# sender or body — is everyday mail ("Free for lunch on Friday?"), whatever a bag of words
# trained on terse calendar invitations makes of it.
_JOB_CONTEXT = re.compile(
    r"\b(?:applica(?:tion|nt)s?|applied|apply|candida(?:te|cy|tes)|roles?|positions?|"
    r"vacanc(?:y|ies)|jobs?|posts?|openings?|interview\w*|recruit\w*|hiring|hire|"
    r"shortlist\w*|offer letter|cv|r[eé]sum[eé]|careers?|talent|assessment|screening|"
    r"hr|onboarding|contract|salary|start date|team|manager|panel|employment|opportunit\w+)\b",
    re.IGNORECASE,
)
_SHORT_NOTE_WORDS = 25
_SURE = 0.75  # a short note scored this high on some label is not second-guessed


# Decisions and "interviews" from outside a job search: rentals, houses, loans, study,
# papers, passports, podcasts and research. Only read when no hiring word is near them.
_OTHER_DOMAIN = re.compile(
    r"\b(?:rent(?:al|ing)?|tenan(?:t|cy|ts)|landlord|lettings?|propert(?:y|ies)|vendors?|"
    r"mortgage|loan|podcast|episode|listeners|radio|customer interview|"
    r"user research|research study|study|degree|universit(?:y|ies)|"
    r"passport|visa|case status|switch|membership|manuscript|journal|paper|"
    r"school place)\b",
    re.IGNORECASE,
)
_HIRING = re.compile(
    r"\b(?:roles?|positions?|vacanc(?:y|ies)|jobs?|candidate|cv|r[eé]sum[eé]|hiring|recruit\w*|"
    r"careers?|talent|employment|employer|salary|applicant tracking|offer letter)\b",
    re.IGNORECASE,
)
_HEAD_CHARS = 600


def job_context(email: EmailText, *, confident: bool = False) -> bool:
    """False for mail that is plainly not about a job search.

    That is a short note with no job-search word anywhere in it, or mail whose subject and
    opening are about a rental, a house, a loan, study, a paper, a podcast and so on, with
    no hiring word (role, vacancy, candidate, CV...) anywhere near. A short note the
    model is ``confident`` about ("sorry, we went with someone else") keeps its labels.
    """
    head = f"{email.subject}\n{email.sender}\n{email.body[:_HEAD_CHARS]}"
    if _OTHER_DOMAIN.search(head) and not _HIRING.search(head):
        return False
    if len(email.body.split()) > _SHORT_NOTE_WORDS or confident:
        return True
    return bool(_JOB_CONTEXT.search(f"{email.subject}\n{email.sender}\n{email.body}"))


# "Your demo was great, although you lacked Terraform": the point is after the contrast.
_CONTRAST = re.compile(r",\s+(?:but|however,?|although|though|whereas|yet)\s+", re.IGNORECASE)


def gap_focus(sentence: str) -> str:
    """What the gap model reads of one sentence: the clause after a contrast that follows
    praise, else the whole sentence. The gap reported is always the whole sentence."""
    matches = list(_CONTRAST.finditer(sentence))
    if not matches:
        return sentence
    found = matches[-1]
    rest = sentence[found.end() :]
    if len(rest.split()) < 3 or not praise_only(sentence[: found.start()]):
        return sentence
    return rest


def _bounded_email(email: EmailText) -> EmailText:
    """``email`` with every text the pipelines read capped and collapsed."""
    body = email.body
    if not body.strip() and email.html:
        body = reading_text(None, email.html)
    subject, sender = email.subject, email.sender
    if len(subject) > MAX_SUBJECT or not subject.isascii():
        subject = bounded(subject, MAX_SUBJECT)
    if len(sender) > MAX_NAME or not sender.isascii():
        sender = bounded(sender, MAX_NAME)
    new_body = bounded(body)
    if new_body is body and subject is email.subject and sender is email.sender:
        return email
    return EmailText(id=email.id, subject=subject, sender=sender, body=new_body, html=email.html)


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
        self.thresholds = thresholds
        self.entities = EntityReader(entity_model)

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
        return cls(spacy.load(root / "labels"), spacy.load(root / "gaps"), thresholds, entities)

    def analyze(self, emails: Iterable[EmailText], *, batch_size: int = 256) -> Iterator[Analysis]:
        """Analyse emails lazily, in input order, ``batch_size`` at a time.

        Every text is bounded first (:func:`~bounceback.nlp.reading.bounded`): text that
        went through :func:`~bounceback.nlp.reading.reading_text` is unchanged by it, so
        gap offsets index the body as given; anything else is capped and collapsed before
        spaCy sees it. A body-less email with HTML is read from its HTML.
        """
        iterator = (_bounded_email(email) for email in emails)
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
        texts = (label_text(email) for email in listed)
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
        texts = (gap_text(sentence[:_MAX_SEGMENT_CHARS]) for sentence in sentences)
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
        decided: list[tuple[dict[str, float], tuple[str, ...]]] = []
        for email, email_scores, email_gaps in zip(batch, scores, gaps, strict=True):
            self._add_gap_evidence(email_scores, email_gaps)
            if not job_context(email, confident=max(email_scores.values()) >= _SURE):
                # Everyday mail: keep the scores' order but well under every threshold.
                email_scores = {label: score * 0.2 for label, score in email_scores.items()}
            labels = tuple(
                label for label in LABELS if email_scores[label] >= self.thresholds.labels[label]
            )
            decided.append((email_scores, labels))
        # Mail that is not about one application names no employer and role of its own:
        # "other" mail, and job alerts that list many companies' roles.
        named = [i for i, (_, labels) in enumerate(decided) if labels and labels != ("job_alert",)]
        found = self.entities.read(
            [(batch[i].subject, batch[i].sender, batch[i].body) for i in named]
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
                gaps=tuple(gaps[index]),
            )

    def _add_gap_evidence(self, scores: dict[str, float], gaps: list[Gap]) -> None:
        strong = [g.confidence for g in gaps if g.confidence >= self.thresholds.feedback_evidence]
        if strong:
            scores["feedback"] = 1.0 - (1.0 - scores["feedback"]) * (1.0 - max(strong))

    def _wants_gaps(self, scores: dict[str, float]) -> bool:
        gate = self.thresholds.gap_gate
        return scores["rejection"] >= gate or scores["feedback"] >= gate

    def _to_gap(self, seg: Segment, cats: dict[str, float]) -> Gap | None:
        # The bag of words cannot see polarity: "your pandas work was tidy" names a skill
        # and reads like feedback. Praise with no contrast or shortcoming is never a gap.
        if praise_only(seg.text):
            return None
        gap_mass = 1.0 - cats.get(NO_GAP, 0.0)
        if gap_mass < self.thresholds.gap_min_confidence:
            return None
        category = max(GAP_CATEGORIES, key=lambda name: cats.get(name, 0.0))
        confidence = cats[category]  # the category's own probability, for review ordering
        if confidence < self.thresholds.gap_min_category:
            return None
        return Gap(
            category=category,
            text=seg.text,
            start=seg.start,
            end=seg.end,
            skill=best_skill(seg.text, category),
            confidence=float(confidence),
        )
