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

__all__ = ["states_a_requirement"]

# Who was chosen, and what they had that the reader did not.
_CHOSEN = (
    r"\b(?:someone|somebody|a candidate|another candidate|other candidates?|the successful "
    r"candidate|the appointed candidate|the person (?:we|they) (?:appointed|chose|hired)|an? "
    r"(?:internal )?(?:applicant|candidate))\b[^.;]{0,40}?\b"
    r"(?:(?:with|had|has|brought|showed|demonstrated) "
    r"(?:more|stronger|greater|deeper|direct|hands-on|recent|proven)"
    r"|who (?:has|had|have)(?: already)? (?:more|managed|led|run|worked|held|done|been)"
    r"|who (?:is|was|lives) (?:based|local|closer|nearer|available))"
)
# A requirement the reader does not meet, in either order.
_NOT_MET = (
    r"\byou (?:do not|don't|did not|didn't|haven't|have not)(?: yet| currently)? "
    r"(?:hold|have|show|meet|possess)\b[^.;]{0,120}\b"
    r"(?:required|requirement|essential|needed|mandatory)\b"
    r"|\b(?:required|essential|mandatory)\b[^.;]{0,80}\byou "
    r"(?:do not|don't|did not|didn't|haven't|have not)\b"
)
# The sentence that names the point which decided it: "What held us back was stakeholder
# management: ...", "Where you fell short was the case study."
_DECIDING_POINT = (
    r"^\W*(?:(?:but|and|so|honestly|in the end),? )?what (?:really |mainly )?held "
    r"(?:you|us|them|the panel) back (?:was|were)\b"
    r"|\bwhere you fell short (?:was|were)\b|\bthe deciding factor (?:was|were)\b"
)
_REQUIREMENT_GAP = re.compile(f"{_CHOSEN}|{_NOT_MET}|{_DECIDING_POINT}", re.IGNORECASE)


def states_a_requirement(sentence: str) -> bool:
    """True if ``sentence`` says the decision came down to a requirement the reader lacks."""
    return bool(_REQUIREMENT_GAP.search(sentence))
