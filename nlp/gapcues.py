"""Cue tokens for the gap model: phrases that tell gap categories apart.

A bag of words sees "haven't", "before" and "own" one at a time; these patterns join them
into one token per cue, which :func:`bounceback.nlp.analyzer.gap_text` appends to the text
the gap model reads (at training and at run time).
"""

from __future__ import annotations

import re

__all__ = ["category_cues"]

# Phrases that tell the categories apart where single words do not (DESIGN.md taxonomy):
# not having done it (experience), claims without results (evidence), not knowing the
# employer (preparation), how an answer came across (communication), logistics (fit);
# and a sentence that names the deciding point (any category).
CATEGORY_CUES = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        (
            "cuenotdone",
            r"\b(?:ha(?:ve|s|d)n[’']?t|ha(?:ve|s|d) not|never|not yet)\b[^.;]{0,60}"
            r"\b(?:before|yet|own|live|production|site|post|level|role|led|run|managed)\b"
            r"|\bonly\b[^.;]{0,30}\b(?:course|college|university|simulator|training|"
            r"placement|volunteer\w*)\b|\b(?:years?|months?) of\b|\blight on\b",
        ),
        (
            "cuenoresult",
            r"\bby how much\b|\b(?:no|any|without|missing|lacked?|few)\b[^.;]{0,30}"
            r"\b(?:figures?|numbers?|metrics?|data|results?|outcomes?|impact|samples?)\b"
            r"|\bwhat it achieved\b|\bback(?:ed)? (?:it )?up\b|\btrack record\b",
        ),
        (
            "cueemployer",
            r"\b(?:aware|know|knew|research\w*|read up|looked at|familiar)\b[^.;]{0,40}"
            r"\b(?:our|the (?:firm|company|school|trust|client|brand|charity|business))\b",
        ),
        (
            "cuedelivery",
            r"\b(?:came across|answers? (?:were|was)|ramble\w*|to the point|concise\w*|"
            r"succinct|eye contact|tone|spoke|talked over|hard to follow|structure[ds]?)\b",
        ),
        (
            # "What held us back was ...": the sentence names the point that decided it.
            "cueverdict",
            r"\b(?:held (?:you|us|them) back|main (?:concern|reason|gap|issue|factor)|"
            r"deciding factor|fell short|(?:let you|counted) (?:down|against)|"
            r"area to (?:work on|develop|improve)|came down to)\b",
        ),
        (
            "cuelogistics",
            r"\b(?:licen[cs]e|dbs|clearance|commute|relocat\w+|sponsor\w*|notice period|"
            r"nights|weekends|salary|band|based in|availability|right to work)\b",
        ),
    )
)


# Words each cue's pattern needs (lower case): a sentence with none of them is not searched.
CUE_KEYS: dict[str, tuple[str, ...]] = {
    "cuenotdone": ("n't", "n’t", "not", "never", "only", "year", "month", "light on"),
    "cuenoresult": (
        "how much", "figure", "number", "metric", "data", "result", "outcome", "impact",
        "sample", "achieved", "back", "track record",
    ),
    "cueemployer": ("aware", "know", "knew", "research", "read up", "looked at", "familiar"),
    "cuedelivery": (
        "came across", "answer", "rambl", "to the point", "concise", "succinct", "eye contact",
        "tone", "spoke", "talked over", "hard to follow", "structure",
    ),
    "cueverdict": (
        "held", "main", "deciding factor", "fell short", "let you", "counted", "area to",
        "came down to",
    ),
    "cuelogistics": (
        "licen", "dbs", "clearance", "commute", "relocat", "sponsor", "notice period", "nights",
        "weekends", "salary", "band", "based in", "availability", "right to work",
    ),
}  # fmt: skip


def category_cues(sentence: str) -> list[str]:
    """The cue tokens whose pattern occurs in ``sentence``, in a fixed order."""
    folded = sentence.lower()
    return [
        name
        for name, cue in CATEGORY_CUES
        if any(key in folded for key in CUE_KEYS[name]) and cue.search(sentence)
    ]
