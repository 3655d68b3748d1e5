"""Job mail that is about no step of the reader's own candidacy: labelled "other".

Seven kinds read like job mail to a bag of words but carry no label (DESIGN.md, and the
corpus's labelling decisions):

* the reader's own withdrawal, or the employer confirming it ("You have withdrawn your
  application", "I'd like to withdraw from Thursday's interview");
* the reader on the other side of the table: asked to interview, sit on a panel, score or
  shortlist candidates ("Can you interview two finalists on Friday?", "Your scorecard is
  due");
* a status notice that gives no status ("The status of your application has changed. Log
  in to view it");
* the candidate account itself: created, verified, its password reset, a talent community
  joined;
* the first days of a job already accepted: onboarding forms, "before your first day",
  a signed offer received ("Received - thank you! Welcome to Quintrell");
* a survey about the hiring process itself ("How did we do? Two minutes on your interview
  experience"), whatever the outcome was;
* someone else's own news, told or forwarded to the reader: "they offered me the job!!",
  "I GOT IT!!! Forwarding so you can see the numbers" (read in the note above any
  forwarded or quoted message, and only when that note says nothing of "your" candidacy).

A newsletter (:func:`is_a_newsletter`) is close kin: list mail that reads as an issue of
articles ("Issue 112", "Read more", "Also this week") and says nothing of the reader's own
application. The rejections and offers it talks about are its subject, not news; the
analyser still lets its job listings make it a job alert.

Each of the first six looks at the opening of the new text only, and a notice that also
says what happened (regret, an invitation, an offer, a decision) is not one of these. Pure
regex.
"""

from __future__ import annotations

import re
from typing import Final

from bounceback.nlp.records import EmailText

__all__ = ["OPENINGS", "is_a_newsletter", "no_step_of_mine", "someone_elses_news"]

_OPENING: Final = 700
_NOTE: Final = 2000  # how far to look for the end of a note above a forward

_WITHDRAWN: Final = re.compile(
    r"\b(?:you(?:'ve| have)? withdr[ae]wn? (?:your|from)|withdrawn (?:at your request|as "
    r"requested)|(?:we've|we have) withdrawn your application|withdrawal (?:is )?confirmed|"
    r"confirms? that you (?:have )?withdr[ae]wn?|(?:'d|would|want to|decided to) (?:like to )?"
    r"withdraw (?:my application|from)|"
    r"step(?:ping)? back from the (?:process|recruitment))",
    re.IGNORECASE,
)
_INTERVIEWER: Final = re.compile(
    r"\b(?:(?:your|the) scorecard (?:is )?(?:due|outstanding)|submit (?:your )?scorecard|"
    r"interview kit|you(?:'re| are|'ve been added) (?:on|to) (?:the |an )?(?:interview )?panel|"
    r"you(?:'re| are) (?:an |the |one of the )?interviewers?\b|\[interviewer\]|"
    r"(?:thanks|thank you) for (?:joining|sitting on) the (?:interview )?panel|"
    r"scorecards? (?:are|is) (?:in|on|at) [A-Z]|"
    r"(?:sit|join me|join us) on the (?:interview )?panel|short (?:of )?a panell?ist|"
    r"(?:can|could|would) you (?:interview|sit in on|score|shortlist)|"
    r"you interviewed [A-Z][a-z]+ [A-Z]|(?:candidates?|finalists?) (?:for your|waiting for "
    r"your (?:review|decision))|to interview (?:them|both|the (?:candidates|finalists)))",
    re.IGNORECASE,
)
_STATUS_ONLY: Final = re.compile(
    r"\b(?:status (?:of (?:one of )?your applications?(?: for [^.\n]{1,60}?)? )?has "
    r"(?:changed|been updated)|"
    r"(?:an? )?(?:change|update) to (?:one of )?your (?:applications?|job submissions?)|"
    r"updated the status of your application)",
    re.IGNORECASE,
)
_ACCOUNT: Final = re.compile(
    r"\b(?:(?:thank you|thanks) for (?:creating|registering) (?:a|an|your) (?:candidate )?"
    r"(?:profile|account)|your (?:candidate )?(?:profile|account) (?:has been|was|is) (?:created|"
    r"set up|activated)|reset (?:your|the) password|password reset|verify your email)",
    re.IGNORECASE,
)
_ONBOARDING: Final = re.compile(
    r"\b(?:before your first day|on your first day|first[- ]week schedule|onboarding|"
    r"welcome (?:aboard|to the team)|signed (?:offer|contract)(?: letter)?,? (?:received|back)|"
    r"pre-employment checks?|dbs (?:check|certificate)|right[- ]to[- ]work check|"
    r"(?:received|got) (?:your|the) signed (?:offer|contract))",
    re.IGNORECASE,
)
_SURVEY: Final = re.compile(
    r"\b(?:how did we do|(?:take|complete|fill (?:in|out)|answer) (?:our|the|a|this) (?:short |"
    r"quick |brief |\d+[- ]minute )?(?:candidate )?(?:experience )?survey|candidate "
    r"(?:experience )?survey|(?:feedback|thoughts) on (?:your|our) (?:candidate|interview|"
    r"application|recruitment|hiring) (?:experience|process)|(?:how was|tell us about|rate) "
    r"your (?:candidate |interview |application )?experience)\b",
    re.IGNORECASE,
)
_CALENDAR_PREFIX: Final = re.compile(
    r"^(?:updated |new )?invitation(?: \(updated\))?:\s*", re.IGNORECASE
)
# A talent community or pool joined is an account, not an application - unless the mail
# goes on to list its openings (a job alert).
_COMMUNITY: Final = re.compile(
    r"\b(?:thank you|thanks) for joining (?:our|the) (?:[\w&]+ ){0,3}?talent (?:community|"
    r"network|pool)\b",
    re.IGNORECASE,
)
#: Openings in the plural: mail that names them lists jobs ("These roles opened this month").
OPENINGS: Final = re.compile(r"\b(?:roles|jobs|openings|vacancies|opportunities)\b", re.IGNORECASE)
# A newsletter's marks: at least two of them in the subject, sender and opening.
_EDITORIAL: Final = re.compile(
    r"\b(?:issue (?:no\.? ?)?#?\d+|newsletter|weekly|this week(?:'s)?|read (?:more|online|the "
    r"full|on)|in this issue|templates?|tips|how to|what (?:it|they) (?:really )?means?|"
    r"our survey of|readers?)\b",
    re.IGNORECASE,
)
# Said to the reader about the reader's own application: then it is no newsletter.
_OWN_STEP: Final = re.compile(
    r"\byour (?:application|candidacy|interview (?:on|with|for|at)|profile for)\b|"
    r"\byou(?:'ve| have) (?:been (?:shortlisted|selected|invited)|applied)\b|"
    r"\bwe (?:regret|are sorry|'re sorry)\b|\bthank you for (?:applying|your application)\b",
    re.IGNORECASE,
)
_IN_QUOTES: Final = re.compile(r"\"[^\"\n]{0,400}\"|“[^”\n]{0,400}”")
_LOG_IN: Final = re.compile(r"\b(?:log|sign)(?:ged)? ?in\b|\bview (?:the )?update\b", re.I)
# Words that say what happened: then the notice is a step after all.
_SAYS_WHAT: Final = re.compile(
    r"\b(?:unfortunately|regret|not (?:been )?(?:successful|shortlisted|selected)|"
    r"not (?:be )?(?:progressing|moving forward|taking)|invite you|invitation|offer you|"
    r"pleased to (?:offer|confirm)|congratulations|decided|(?:conditional|formal|verbal|job) "
    r"offer|offer of employment|made you an? (?:\w+ )?offer)\b",
    re.IGNORECASE,
)


# Someone's own candidacy in the first person, and anything said to the reader as one.
_OWN_NEWS: Final = re.compile(
    r"\b(?:offered me|(?:gave|given) me the (?:job|role|offer)|gave me (?:some |proper )?"
    r"feedback|I (?:got|landed) (?:it|the (?:job|role|offer|gig))\b|"
    # "I didn't get it", and the diary style that drops the I: "Just saw the email, didn't
    # get the Brennan job", "didn't get through the e-tray"
    r"(?:\bI |(?:^|[.,!?;:]|\n)[ \t]*(?:just |so |well,? )?)(?:didn't|did not|didnt) get "
    r"(?:it|the|an?|through)\b|(?:rejected|turned) me\b|I(?:'ve| have) been (?:offered|rejected|"
    r"shortlisted|turned down)|my (?:interview|application|job offer|offer letter|rejection))",
    re.IGNORECASE,
)
_TO_THE_READER: Final = re.compile(
    r"\byour (?:application|interview|candidacy|cv|offer|presentation|answers?|experience)\b|"
    r"\byou(?:'ve| have) been\b|\byou (?:were|did|didn't|came|seemed|showed)\b|"
    r"\b(?:offer(?:ed)? you|invited? you|we(?:'d| would) like|pleased to|regret to|"
    r"unfortunately we)\b",
    re.IGNORECASE,
)
# Where the note ends and what it passes on begins.
_PASSED_ON: Final = re.compile(
    r"^(?:-{3,}|Begin forwarded|On .{5,80}wrote:|From: |>)", re.MULTILINE | re.IGNORECASE
)
_OWN_NEWS_KEYS: Final = (
    "offered me", "gave me", "given me", "turned me", "rejected me", "i got", "i landed",
    "t get", "i've been", "i have been", "my interview", "my application", "my job offer",
    "my offer letter", "my rejection",
)  # fmt: skip


def someone_elses_news(body: str) -> bool:
    """True if the note above anything forwarded or quoted tells the sender's own news and
    says nothing to the reader as a candidate ("They called last night - the clinic
    offered me the charge nurse job!")."""
    end = _PASSED_ON.search(body, 0, _NOTE)
    note = body[: end.start()] if end else body[:_OPENING]
    folded = note.lower()
    if not any(k in folded for k in _OWN_NEWS_KEYS):
        return False
    return bool(_OWN_NEWS.search(note)) and not _TO_THE_READER.search(note)


# Words each pattern needs: most mail is ruled out by substring tests, not regexes.
_WITHDRAWN_KEYS: Final = ("withdr", "step back", "stepping back")
_INTERVIEWER_KEYS: Final = (
    "interviewer", "scorecard", "interview kit", "panel", "you interview", "sit in on", "you score",
    "you shortlist", "candidate for your", "candidates for your", "finalist for your",
    "finalists for your", "waiting for your", "to interview",
)  # fmt: skip
_STATUS_KEYS: Final = ("status", "change to", "update to")
_SURVEY_KEYS: Final = (
    "survey", "how did we do", "how was your", "tell us about your", "rate your", "thoughts on",
    "feedback on your", "feedback on our",
)  # fmt: skip
_ACCOUNT_KEYS: Final = ("profile", "account", "password", "verify")
_ONBOARDING_KEYS: Final = (
    "first day", "first-week", "first week", "onboarding", "welcome", "signed",
    "pre-employment", "dbs", "right to work", "right-to-work",
)  # fmt: skip


def is_a_newsletter(email: EmailText) -> bool:
    """True for list mail that reads as an issue of articles about job hunting or hiring and
    says nothing to the reader about an application of their own (quotes aside: a template
    "Thank you for applying..." is an article's example)."""
    if not email.signals.bulk:
        return False
    head = _IN_QUOTES.sub(" ", f"{email.subject}\n{email.sender}\n{email.body[:_NOTE]}")
    marks = {m.group(0).lower() for m in _EDITORIAL.finditer(head)}
    return len(marks) >= 2 and not _OWN_STEP.search(head)


def no_step_of_mine(email: EmailText) -> bool:
    """True for a withdrawal, mail to the reader as an interviewer, a status notice with no
    status, the candidate account or a talent community, onboarding, a survey about the
    process, or someone else's own news: job mail about no step of the reader's own
    candidacy."""
    if someone_elses_news(email.body):
        return True
    text = f"{email.subject}\n{email.body[:_OPENING]}"
    folded = text.lower()
    withdrawn = any(k in folded for k in _WITHDRAWN_KEYS) and bool(_WITHDRAWN.search(text))
    found = (
        withdrawn
        or (any(k in folded for k in _INTERVIEWER_KEYS) and bool(_INTERVIEWER.search(text)))
        or (
            any(k in folded for k in _STATUS_KEYS)
            and bool(_STATUS_ONLY.search(text) and _LOG_IN.search(text))
        )
        or (any(k in folded for k in _ACCOUNT_KEYS) and bool(_ACCOUNT.search(text)))
        or (any(k in folded for k in _SURVEY_KEYS) and bool(_SURVEY.search(text)))
        or ("talent" in folded and bool(_COMMUNITY.search(text) and not OPENINGS.search(text)))
        or (any(k in folded for k in _ONBOARDING_KEYS) and bool(_ONBOARDING.search(text)))
    )
    if not found:
        return False
    # A calendar's "Invitation: ..." subject is the calendar's word, not the sender's.
    said = _CALENDAR_PREFIX.sub("", text, count=1)
    if _SAYS_WHAT.search(said):  # the notice says what happened: a step after all
        return withdrawn and "unfortunately" not in folded
    return True
