"""What step of a hiring process an email is about, from its own words.

A rejection says where it came: "thank you for attending an interview", "following the
assessment centre", "not shortlisted", "at this stage". An invitation says what it
invites to: an interview round, an assessment, a take-home task. Pure regular
expressions over the new text of one email; nothing here looks at other mail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "STAGE_ORDER",
    "StageEvidence",
    "asks_for_feedback",
    "interview_round",
    "invitation_kind",
    "is_withdrawal",
    "rejection_stage",
]

#: Stages a candidacy passes, earliest first; a rejection "at" one of them came there.
STAGE_ORDER = ("application", "screening", "assessment", "interview", "final")


@dataclass(frozen=True, slots=True)
class StageEvidence:
    """A stage and the words that say so."""

    stage: str
    text: str


_I = re.IGNORECASE
# Most specific first: the first stage whose pattern matches wins.
_REJECTION_STAGES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "final",
        re.compile(
            r"\b(?:after|following|at|from) (?:the |your )?(?:final|last)[- ](?:round|stage|"
            r"interview)|\bfinal[- ](?:round|stage) (?:interview|of)|\bfinal interview\b",
            _I,
        ),
    ),
    (
        "interview",
        re.compile(
            r"\b(?:thank(?:s| you) (?:again )?for (?:attending|coming (?:in|to)|your time at|"
            r"(?:your |the )?(?:interviewing|interview|meeting|taking part in (?:the|"
            r"an|your) interview)|spending (?:\w+ ){0,2}with)|"
            r"(?:after|following|at|from) (?:the |your |our )?(?:second |"
            r"first |recent |panel |video |technical )?interview|interviewed you|"
            r"(?:enjoyed|spent) (?:the |our )?(?:conversation|meeting|time) with|"
            r"after (?:meeting|speaking (?:with|to)) you|(?:the |our )panel|"
            r"after (?:the|your) (?:second|first|technical) (?:round|stage|interview))",
            _I,
        ),
    ),
    (
        "assessment",
        re.compile(
            r"\b(?:after|following|at|from|completing|thank(?:s| you) for completing) "
            r"(?:the |your |"
            r"our )?(?:online |technical |written )?(?:assessment|test|task|take[- ]home|"
            r"exercise|case study|assessment cent(?:re|er))",
            _I,
        ),
    ),
    (
        "screening",
        re.compile(
            r"\b(?:after|following|at) (?:the |your |our )?(?:phone|telephone|initial|"
            r"screening) (?:screen|call|conversation|interview)|\bafter (?:the |your )?screening\b",
            _I,
        ),
    ),
    (
        "application",
        re.compile(
            r"\bnot (?:been )?shortlisted|\bnot (?:be )?(?:taking|progressing|moving) (?:your "
            r"application|you) (?:forward|further)|\breviewed (?:all |your )?application|"
            r"\bat this stage\b|\bmany (?:strong )?applications|\bthanks? (?:you )?for applying|"
            r"\bapplication (?:was|has been) unsuccessful|\bclosed the vacancy\b|"
            r"\bfilled (?:internally|by an internal)|\brecruitment process has been stopped",
            _I,
        ),
    ),
)
_ROUND = re.compile(
    r"\b(?P<round>first|second|third|final|last|1st|2nd|3rd)[- ](?:stage|round)(?: interview)?|"
    r"\b(?P<round2>first|second|third|final)[- ]interview",
    _I,
)
_TAKE_HOME = re.compile(
    r"\btake[- ]home\b|\bhome (?:task|assignment|exercise)\b|\b(?:written|case) (?:task|"
    r"exercise|study) (?:to|you)|\bcoding (?:challenge|exercise|task)\b",
    _I,
)
_ASSESSMENT = re.compile(
    r"\b(?:online |timed |psychometric |technical |numerical |sql |coding )?assessment\b|"
    r"\bassessment cent(?:re|er)\b|\b(?:online|aptitude|skills|coding) test\b|\bhackerrank\b|"
    r"\bcodility\b|\btestgorilla\b",
    _I,
)
_WITHDRAWAL = re.compile(
    r"\b(?:you(?:'ve| have) withdrawn|your (?:application|candidacy) (?:has been|was) "
    r"withdrawn|confirm(?:ing)? (?:that )?(?:we(?:'ve| have) )?withdr[ae]wn?|"
    r"withdrawal of your application)",
    _I,
)
_ASKS_FEEDBACK = re.compile(
    r"\b(?:could|would|can) you (?:please )?(?:share|give|send|provide|offer) (?:me )?"
    r"(?:any |some )?feedback|\b(?:any|some) feedback (?:you could|would be)|"
    r"\bask(?:ing)? for (?:any |some )?feedback",
    _I,
)


def _flat(text: str) -> str:
    """The text on one line: patterns must not depend on where the mail was wrapped."""
    return " ".join(text[:4000].split())


def rejection_stage(text: str) -> StageEvidence | None:
    """The stage a rejection came at, if its own words say so."""
    head = _flat(text)
    for stage, pattern in _REJECTION_STAGES:
        match = pattern.search(head)
        if match:
            return StageEvidence(stage, match.group(0))
    return None


def interview_round(text: str) -> str | None:
    """ "first", "second", "third" or "final" when an invitation names its round."""
    match = _ROUND.search(_flat(text))
    if not match:
        return None
    word = (match.group("round") or match.group("round2")).lower()
    return {"1st": "first", "2nd": "second", "3rd": "third", "last": "final"}.get(word, word)


_INVITING = re.compile(
    r"[^.!?]*\b(?:invite you|next step|would like you to|like to invite|love to invite|"
    r"asking you to|ask you to)\b[^.!?]*",
    _I,
)


def invitation_kind(text: str) -> str:
    """What an invitation invites to: "take_home", "assessment" or "interview".

    The sentence that invites decides ("the next step is a short take-home task"), so a
    final-round invitation that mentions the take-home already submitted stays an
    interview.
    """
    head = _flat(text)
    inviting = _INVITING.search(head)
    for part in ([inviting.group(0)] if inviting else []) + [head]:
        if re.search(r"\binterview|\bfinal round\b", part, _I) and part is not head:
            return "interview"
        if _TAKE_HOME.search(part):
            return "take_home"
        if _ASSESSMENT.search(part) and not re.search(r"\binterview", part, _I):
            return "assessment"
    return "interview"


def is_withdrawal(text: str) -> bool:
    """True if the email confirms the candidate withdrew."""
    return bool(_WITHDRAWAL.search(_flat(text)))


def asks_for_feedback(text: str) -> bool:
    """True if the text (e.g. the user's quoted request) asks for feedback."""
    return bool(_ASKS_FEEDBACK.search(" ".join(text.split())))
