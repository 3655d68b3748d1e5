"""A requirement stated as the reason for the decision is a gap, whatever the words.

"We've gone with someone who has managed a workshop team before", "you do not currently
hold Qualified Teacher Status, which is required for this post", "What held us back was
stakeholder management: ...": the gap model reads these as plain statements and may score
them "no gap". In mail already read for gaps (a rejection or feedback), a sentence in one
of these fixed forms is reported as a gap; its category is the gap model's best among the
seven. Pure regex.
"""

from __future__ import annotations

import re

__all__ = ["requirement_category", "states_a_requirement"]

# Who was chosen, and what they had that the reader did not.
_CHOSEN = (
    r"\b(?:someone|somebody|a candidate|another candidate|other candidates?|the successful "
    r"candidate|the appointed candidate|the person (?:we|they) (?:appointed|chose|hired)|"
    r"another (?:contractor|applicant|person)|an? "
    r"(?:internal )?(?:applicant|candidate))\b[^.;]{0,40}?\b"
    r"(?:(?:with|had|has|brought|showed|demonstrated) "
    r"(?:more|stronger|greater|deeper|direct|hands-on|recent|proven)"
    r"|who (?:has|had|have)(?: already)? (?:more|managed|led|run|worked|held|done|been)"
    r"|who (?:is|was|lives) (?:based|local|closer|nearer|available)"
    r"|who could start (?:immediately|straight away|sooner|earlier|right away))"
    r"|\b(?:hire|hired|appoint|appointed|gone with|went with|chose|chosen) (?:someone|somebody|"
    r"a candidate) who (?:can|could) start (?:immediately|straight away|sooner|right away)"
)
# The job needs what the reader lacks: "your sketches were lovely but we need someone
# fluent in Revit", "as we need somebody who can drive".
_NEEDED = r"\b(?:but|as|and|so) we (?:really )?(?:need|needed) (?:someone|somebody|a person)\b"
# A requirement the reader does not meet, in either order.
_NOT_MET = (
    r"\byou (?:do not|don't|did not|didn't|haven't|have not)(?: yet| currently)? "
    r"(?:hold|have|show|meet|possess)\b[^.;]{0,120}\b"
    r"(?:required|requirement|essential|needed|mandatory)\b"
    r"|\b(?:required|essential|mandatory)\b[^.;]{0,80}\byou "
    r"(?:do not|don't|did not|didn't|haven't|have not)\b"
    r"|\byour (?:application|cv|form)\b[^.;]{0,30}\b(?:did not|didn't|does not|doesn't) "
    r"(?:show|include|mention|demonstrate)\b[^.;]{0,120}\b(?:required|requirement|essential|"
    r"needed|mandatory)\b"
    r"|\byou (?:do not|don't) (?:currently )?(?:drive|hold|have)\b[^.;]{0,80}\b(?:not able to|"
    r"unable to|can't|cannot) (?:move forward|progress|proceed|take)"
)
# The sentence that names the point which decided it: "What held us back was stakeholder
# management: ...", "Where you fell short was the case study."
_DECIDING_POINT = (
    r"^\W*(?:(?:but|and|so|honestly|in the end),? )?what (?:really |mainly )?held "
    r"(?:you|us|them|the panel) back (?:was|were)\b"
    r"|\bwhere you fell short (?:was|were)\b|\bthe deciding factor (?:was|were)\b"
)
# A shortfall stated plainly, without a word the gap model has learned: "your knowledge of
# the Renters' Rights Act changes was a little thin", "Team handling experience is limited".
_SHORTFALL = (
    r"\b(?:your|his|her|their)\b[^.;]{0,60}?\b(?:was|were|seemed|came across as) "
    r"(?:a (?:little|bit) |rather |quite |somewhat |too |very |still |fairly )?"
    r"(?:thin|limited|general|generic|vague|superficial|patchy|shallow|basic|weak|light)\b"
    r"|\b(?:experience|knowledge|exposure|understanding)\b (?:is|was|seemed) "
    r"(?:a bit |rather |quite |very |somewhat )?limited\b"
    r"|\b(?:answered|covered|addressed) (?:only )?partially\b"
)
_REQUIREMENT_GAP = re.compile(
    f"{_CHOSEN}|{_NOT_MET}|{_NEEDED}|{_SHORTFALL}|{_DECIDING_POINT}", re.IGNORECASE
)


# Words one of the patterns above needs; a sentence with none of them matches none.
_ANCHORS = (
    "someone", "somebody", "candidate", "applicant", "person", "contractor", "require",
    "essential", "needed", "mandatory", "not able", "unable", "can't", "cannot", "thin",
    "limited", "general", "generic", "vague", "superficial", "patchy", "shallow", "basic",
    "weak", "light", "partially", "held", "fell short", "deciding",
)  # fmt: skip


def states_a_requirement(sentence: str) -> bool:
    """True if ``sentence`` says the decision came down to a requirement the reader lacks."""
    text = " ".join(sentence.split())  # a wrap is a space
    lowered = text.lower()
    if not any(word in lowered for word in _ANCHORS):
        return False  # most sentences: no word any of the patterns needs (a quick test)
    return bool(_REQUIREMENT_GAP.search(text))


# What kind of requirement a rule found, when the gap model gives no category of its own.
_LOGISTICS = re.compile(
    r"\b(?:licen[cs]e|drive|driving|drivers?|car|ute|visa|sponsor\w*|right to work|clearance|"
    r"based|local|closer|nearer|commute|relocat\w+|availab\w+|start (?:immediately|straight "
    r"away|right away|sooner)|nights|weekends|shifts?|hours|salary|insurance|aged? (?:over|under)|"
    r"under \d\d|over \d\d)\b",
    re.IGNORECASE,
)
_TRACK_RECORD = re.compile(
    r"\b(?:experience|years?|has (?:run|led|managed|held|worked|done)|track record|background)\b",
    re.IGNORECASE,
)


def requirement_category(sentence: str) -> str | None:
    """``fit`` for logistics (a licence, a visa, where one lives, availability), ``experience``
    for a track record, else None."""
    if _LOGISTICS.search(sentence):
        return "fit"
    if _TRACK_RECORD.search(sentence):
        return "experience"
    return None
