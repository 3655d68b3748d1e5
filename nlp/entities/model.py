"""The learned reader: a small spaCy NER (EMPLOYER, ROLE) over the short text of one email.

The model reads what a person reads first: the subject, the sender and the opening few
hundred characters of the body, with single line breaks joined (so a body re-wrapped at
72 columns reads the same). It is trained by :mod:`bounceback.nlp.train_entities` from
the corpus's Company:/Role: annotations; the rules in this package stay the candidate
generator and the fallback (see :func:`bounceback.nlp.entities.extract.extract_company_role`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["EMPLOYER", "ROLE", "EntityModel", "Spans", "entity_text"]

EMPLOYER = "EMPLOYER"
ROLE = "ROLE"
#: How much of the body the model reads (the employer and role are named near the top).
BODY_CHARS = 150
_SOFT_BREAK = re.compile(r"[ \t]*\n(?!\s*\n)[ \t]*")
_PARAGRAPHS = re.compile(r"\s*\n\s*\n\s*")
_QUOTED = re.compile(r"^>.*$", re.MULTILINE)


def entity_text(subject: str, sender: str, body: str, limit: int = BODY_CHARS) -> str:
    """The short text the model reads: subject, sender and the opening of the body."""
    display, address = parseaddr(sender)
    head = _QUOTED.sub("", body[: limit * 3]).strip()
    head = _PARAGRAPHS.sub("\n", _SOFT_BREAK.sub(" ", head))
    if len(head) > limit:
        cut = head.rfind(" ", 0, limit)
        head = head[: cut if cut > 0 else limit]
    return f"{subject.strip()}\n{display.strip()} <{address.strip()}>\n{head}"


@dataclass(frozen=True, slots=True)
class Spans:
    """What the model found: the first EMPLOYER and ROLE span, and where each was."""

    employer: str | None = None
    role: str | None = None
    employer_in_subject: bool = False
    role_in_subject: bool = False


class EntityModel:
    """A loaded employer/role NER; one instance per process, built at the edge."""

    def __init__(self, pipeline: Language) -> None:
        self._pipeline = pipeline

    @classmethod
    def load(cls, path: Path) -> EntityModel:
        """Load the trained pipeline from ``path`` (``nlp/models/entities``)."""
        import spacy  # imported on first load: commands that never read entities skip ~1 s

        return cls(spacy.load(path))

    def read(self, subject: str, sender: str, body: str) -> Spans:
        """The spans the model marks in one email's short text."""
        return self.read_many([(subject, sender, body)])[0]

    def read_many(self, emails: list[tuple[str, str, str]]) -> list[Spans]:
        """Spans for many emails at once (one batched pass through the pipeline)."""
        texts = [entity_text(*email) for email in emails]
        found: list[Spans] = []
        for doc in self._pipeline.pipe(texts, batch_size=64):
            subject_end = doc.text.find("\n")
            employer = role = None
            employer_first = role_first = False
            for ent in doc.ents:
                if ent.label_ == EMPLOYER and employer is None:
                    employer, employer_first = ent.text, ent.start_char < subject_end
                elif ent.label_ == ROLE and role is None:
                    role, role_first = ent.text, ent.start_char < subject_end
            found.append(Spans(employer, role, employer_first, role_first))
        return found
