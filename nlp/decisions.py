"""A plain statement that the application will not go on: a rejection, whatever the layout.

Job boards and applicant-tracking systems wrap a one-line decision in cards, buttons and
"new jobs for you" blocks ("Wexcombe Engineering has decided not to move forward at this
time"), and a bag of words trained mostly on letters can score that below its threshold.
When the opening of the new text says it in one of these fixed ways, the rejection label
is not left to the wording around it. Pure regex.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["states_a_rejection"]

_OPENING: Final = 900

_DECISION: Final = re.compile(
    r"\b(?:has|have|had|we've|we have|they've|they have|and)\s+(?:decided|chosen|elected|opted)\s+"
    r"(?:not to (?:move|go|proceed|progress|continue) (?:forward |ahead |further )?with "
    r"(?:your|you|the|this) (?:application|candidacy)|"
    r"not to (?:move|go|proceed) (?:forward|ahead|further)\b|"
    r"to (?:move|go) (?:forward|ahead) with (?:other|another|a different|more suitable) "
    r"(?:candidates?|applicants?))"
    r"|\bwill not be (?:moving|progressing|proceeding|taking) (?:forward |further )?(?:with )?"
    r"your application\b"
    r"|\byour application (?:was|has been|is) (?:unsuccessful|not successful|declined|rejected)\b"
    r"|\byou (?:were|have) not (?:been )?(?:selected|shortlisted)\b"
    # a go-between's plain word: "Quenby came back - it's a no", "they've said no"
    r"|\bit(?:'s|’s| is) a no\b|\b(?:they|client)(?:'ve|’ve| have) said no\b",
    re.IGNORECASE,
)


# "If you have not been shortlisted within four weeks, please assume your application has
# been unsuccessful": an acknowledgement's conditional, not a decision.
_CONDITIONAL: Final = re.compile(r"\b(?:if|unless|assume|should|in case|where)\b", re.IGNORECASE)
_SENTENCE_START: Final = re.compile(r"[.!?\n]")


def states_a_rejection(body: str) -> bool:
    """True if the opening of ``body`` states the decision in a fixed form, not as a
    condition ("if you have not heard from us...")."""
    opening = body[:_OPENING]
    for match in _DECISION.finditer(opening):
        before = opening[: match.start()]
        starts = [m.end() for m in _SENTENCE_START.finditer(before)]
        sentence = before[starts[-1] if starts else 0 :]
        if not _CONDITIONAL.search(sentence):
            return True
    return False
