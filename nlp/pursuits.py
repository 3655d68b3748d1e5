"""Applications, shortlists and offers for something that is no job: labelled "other".

People apply for far more than jobs, and the words are the same: a stall at a Christmas
market is "not successful this year", a quiz show's contestant is "not selected for this
series", an illustrator is "offered the commission", an agency is "shortlisted" after an
RFP and invited to present. A bag of words reads each of these as a rejection, an
interview or an offer.

:func:`pursues_no_job` says when the thing applied for, auditioned for, shortlisted for or
offered is plainly no job — a stall, a contest, a casting, an award, a tender, an
investment, a permit, a course, a commission — and nothing in the mail names a job (a
role, a position, a vacancy, a salary, a CV…). An actor's "audition for the role of
Nancy" names a role, so it stays job mail. Pure regex.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["pursues_no_job"]

_HEAD: Final = 900

# Things that are never a job, whatever is said around them.
_NEVER_A_JOB: Final = re.compile(
    r"\b(?:stall(?:holders?|s)?|market pitch(?:es)?|contestants?|casting interviews?|"
    r"term sheet|pre-money|rfp|request for "
    r"proposals?|(?:invitation to |the |our |this )tender|tender (?:process|submission|"
    r"response)|co-opt(?:ed|ion)?|(?:parking|residents'?|market|street trading) permits?|"
    r"judging (?:interview|panel))\b",
    re.IGNORECASE,
)
# Things applied for, auditioned for, shortlisted for or offered that are a job only
# when a role is named with them ("audition for the role of ..."): read as the object.
_OBJECT: Final = re.compile(
    r"\b(?:appl(?:y|ying|ied|ication)|auditioning|audition|shortlisted|selected|"
    r"entry|entries|nominated|nomination)(?: to be)? (?:for|to|on|as) (?:a |an |the |this |"
    r"our |your )?(?:[\w'’()&.-]+ ){0,6}?(?:award|awards|prize|course|series|solo|"
    r"show|festival|fair|exhibition|grant|bursary)\b|"
    r"\boffer(?:ed|ing)? (?:you )?(?:an? |the )(?:[\w'’-]+ ){0,2}?(?:solo|commission|"
    r"investment|stall|pitch|prize|award)\b",
    re.IGNORECASE,
)
# Anything that names a job: then the mail is job mail after all.
_JOB_NOUN: Final = re.compile(
    r"\b(?:roles?|positions?|jobs?|vacanc(?:y|ies)|employment|employer|salary|salaries|"
    r"hiring|recruit\w*|careers?|cv|r[eé]sum[eé]|shifts?|hourly rate|per hour|"
    r"start date|notice period|job offer|offer letter|headcount|human resources|hr)\b",
    re.IGNORECASE,
)
_KEYS: Final = (
    "stall", "pitch", "contestant", "casting", "term sheet", "pre-money", "rfp",
    "proposal", "tender", "co-opt", "permit", "judging", "series",
    "award", "prize", "course", "solo", "show", "festival",
    "fair", "exhibition", "grant", "bursary", "commission", "investment",
)  # fmt: skip


def pursues_no_job(subject: str, body: str) -> bool:
    """True if the mail is about applying for, or being offered, something that is no job
    (a market stall, a contest, an award, a tender, an investment...) and names no job."""
    head = f"{subject}\n{body[:_HEAD]}"
    folded = head.lower()
    if not any(key in folded for key in _KEYS):
        return False
    if not (_NEVER_A_JOB.search(head) or _OBJECT.search(head)):
        return False
    return not _JOB_NOUN.search(f"{subject}\n{body}")
