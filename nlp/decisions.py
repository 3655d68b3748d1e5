"""Plain statements of a step: a rejection or an invitation to interview, whatever the layout.

Job boards and applicant-tracking systems wrap a one-line decision in cards, buttons and
"new jobs for you" blocks ("Wexcombe Engineering has decided not to move forward at this
time"), and a bag of words trained mostly on letters can score that below its threshold.
When the opening of the new text says it in one of these fixed ways, the rejection label
is not left to the wording around it. An invitation to interview said outright ("we would
like to invite you for a video interview", "you have been shortlisted for interview") is
treated the same way. Pure regex.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["states_a_rejection", "states_an_invitation"]

_OPENING: Final = 900

_DECISION: Final = re.compile(
    r"\b(?:has|have|had|we've|we have|they've|they have|and)\s+(?:decided|chosen|elected|opted)\s+"
    r"(?:not to (?:move|go|proceed|progress|continue) (?:forward |ahead |further )?with "
    r"(?:your|you|the|this) (?:application|candidacy)|"
    r"not to (?:move|go|proceed) (?:forward|ahead|further)\b|"
    r"to (?:move|go) (?:forward|ahead) with (?:other|another|a different|more suitable) "
    r"(?:candidates?|applicants?)|"
    # "decided to go with another applicant", "to pursue other candidates"
    r"to (?:(?:go|proceed|continue|progress) with|pursue) (?:another|other|a different|the other) "
    r"(?:candidates?|applicants?|finalists?|person|interim))"
    r"|\bwill not be (?:moving|progressing|proceeding|taking) (?:forward |further )?(?:with )?"
    r"your application\b"
    # "we won't be moving forward with your application", "will not be moving ahead with
    # your profile"
    r"|\b(?:will not|won't|will no longer) be (?:moving|progressing|proceeding|going) "
    r"(?:forward|ahead|further) with your (?:application|candidacy|profile)\b"
    r"|\b(?:will not|won't) be offering you (?:the|this|a|an) (?:role|position|job|post)\b"
    r"|\b(?:not able|unable) to (?:move forward|progress|proceed) with your (?:application|"
    r"candidacy)\b"
    r"|\byour application (?:was|has been|is) (?:unsuccessful|not successful|declined|rejected)\b"
    r"|\byou (?:were|have) not (?:been )?(?:selected|shortlisted)\b"
    # a go-between's plain word: "Quenby came back - it's a no", "they've said no"
    r"|\bit(?:'s|’s| is) a no\b|\b(?:they|client)(?:'ve|’ve| have) said no\b",
    re.IGNORECASE,
)


# "If you have not been shortlisted within four weeks, please assume your application has
# been unsuccessful": an acknowledgement's conditional, not a decision.
_CONDITIONAL: Final = re.compile(r"\b(?:if|unless|assume|should|in case|where)\b", re.IGNORECASE)
# An invitation to a hiring step, said outright and in the present: not "if shortlisted, we
# will invite you", not "we won't be inviting you to interview".
_INVITATION: Final = re.compile(
    r"\b(?:(?:we|I)(?:'d|’d| would) (?:like|love)|(?:we|I) want|(?:we are|we're|I am|I'm) "
    r"(?:pleased|delighted|happy|glad)|(?:pleased|delighted|happy|glad)) to (?:invite|ask) you "
    r"(?:for|to|to attend|to come (?:in )?for|in for) (?:an? |the |your |our )?(?:[\w-]+ ){0,3}?"
    r"(?:interview|assessment (?:centre|center|day)|trial shift|cook-off|trial day)\b"
    r"|\b(?:would like|wants?|'d like) to (?:schedule|arrange|book|set up) (?:an? |the |your )?"
    r"(?:[\w-]+ ){0,2}?interview with you\b"
    r"|\byou have been shortlisted for (?:an? )?interview\b"
    r"|\byou have been shortlisted(?:[^.\n]{0,80}[.\n]\s*|,? and )(?:the )?interviews? will "
    r"(?:take place|be held)\b",
    re.IGNORECASE,
)
# Universities, research studies, fellowships and volunteering invite to interview too: the
# mail must name a job and none of those.
_A_JOB: Final = re.compile(
    r"\b(?:roles?|positions?|posts?|jobs?|vacanc(?:y|ies)|r[eé]sum[eé]|cv|hiring manager|"
    r"salary|employment)\b",
    re.IGNORECASE,
)
_NOT_A_JOB: Final = re.compile(
    r"\b(?:volunteer\w*|exit interview|admissions?|studentship|fellowship|research|students?|"
    r"course|degree (?:course|programme|apprenticeship)|trustees?|unpaid)\b",
    re.IGNORECASE,
)
_NEGATED: Final = re.compile(
    r"\b(?:not|unable|unfortunately|regret|won't|cannot|no longer)\b", re.IGNORECASE
)
_SENTENCE_START: Final = re.compile(r"[.!?\n]")


# A line break inside a paragraph (not a blank line): a re-wrap puts one anywhere.
_LINE_BREAK: Final = re.compile(r"[ \t]*\n(?![ \t]*\n)[ \t]*")


def _joined(text: str) -> str:
    """``text`` with the line breaks inside each paragraph read as spaces, so a statement
    says the same however its lines were wrapped; blank lines still end a paragraph."""
    return _LINE_BREAK.sub(" ", text)


def _sentence_before(text: str, at: int) -> str:
    """The part of the sentence of ``text`` that comes before position ``at``."""
    starts = [m.end() for m in _SENTENCE_START.finditer(text, 0, at)]
    return text[starts[-1] if starts else 0 : at]


# Words one of the decision's forms needs: most mail has none of them (a quick test).
_DECISION_KEYS: Final = (
    "decided", "chosen", "elected", "opted", "will not be", "won't be", "will no longer",
    "not able to", "unable to", "your application", "not selected",
    "not been selected", "not shortlisted", "not been shortlisted", "'s a no", "’s a no",
    "is a no", "said no",
)  # fmt: skip


def states_a_rejection(body: str) -> bool:
    """True if the opening of ``body`` states the decision in a fixed form, not as a
    condition ("if you have not heard from us...")."""
    opening = _joined(body[:_OPENING])
    folded = opening.lower()
    if not any(key in folded for key in _DECISION_KEYS):
        return False
    for match in _DECISION.finditer(opening):
        if not _CONDITIONAL.search(_sentence_before(opening, match.start())):
            return True
    return False


def states_an_invitation(body: str, subject: str = "") -> bool:
    """True if the opening of ``body`` invites the reader to interview in a fixed form, not
    as a condition or a refusal ("if shortlisted, we will invite you..."), and the mail
    names a job, not a course, a study or volunteering."""
    opening = _joined(body[:_OPENING])
    folded = opening.lower()
    if "interview" not in folded or "you" not in folded:
        return False
    for match in _INVITATION.finditer(opening):
        sentence = _sentence_before(opening, match.start())
        if not (_CONDITIONAL.search(sentence) or _NEGATED.search(sentence)):
            whole = f"{subject}\n{body}"
            return bool(_A_JOB.search(whole)) and not _NOT_A_JOB.search(whole)
    return False
