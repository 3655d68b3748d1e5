"""The employer a go-between names: an agency, a board or a person relaying the decision.

"Corvane Systems viewed your application", "I heard back from St. Brendan's Hospital",
"our client, Fenmoor", "- Tarnwell have come back": the first pattern that gives a clean
name wins. Used for mail whose sender is not the employer (see ``rules._relayed_company``).
"""

from __future__ import annotations

import re

from bounceback.nlp.entities.common import (
    _NAME,
    _VALEDICTION,
    LEGAL_FORMS,
    _clean_body_role,
    _is_role,
)
from bounceback.nlp.entities.company_rules import _board_name, _clean_relayed
from bounceback.nlp.entities.domains import _is_tail

__all__ = ["_relayed_in_text", "_signature_employer", "_signed_employer"]

_RELAYED_COMPANY_PATTERNS = [
    re.compile(p)
    for p in (
        # "Sunbelt Roofing viewed your application": only an employer views an application
        rf"(?m)(?:^|[.!?]\s+)[ \t]*(?P<org>{_NAME}) (?:has |have )?(?:viewed|reviewed|"
        rf"looked at|downloaded|shortlisted) your application",
        # "Pine Hollow has reviewed your CV" (a person may view a profile)
        rf"(?m)(?:^|[.!?]\s+)[ \t]*(?P<company>{_NAME}) (?:has |have )?(?:viewed|reviewed|"
        rf"looked at|downloaded|shortlisted) your (?:profile|CV|résumé|resume)",
        # "Your application was viewed by Quillgate"
        rf"\b(?:was|were|been) (?:viewed|reviewed|seen|opened|downloaded) by (?P<company>{_NAME})",
        # "We sent your profile to Banksia Health Partners", "your CV was forwarded to X"
        rf"\b(?:sent|forwarded|passed) (?:your (?:profile|application|CV|details) )?"
        rf"to (?P<company>{_NAME})",
        # "Your application for Communications Officer at Borough of Elmsworth was sent"
        # (an organisation's place: "at Vantage Home" is kept though it reads like a name)
        rf"\b(?:[Aa]pplication|[Aa]pplied) (?:for|to) [^\n.]{{2,80}}? (?:at|with) (?P<org>{_NAME})",
        rf"\b(?:[Ff]eedback|heard back|[Nn]ews|an update|[Ww]ord|[Aa]n offer|[Oo]ffer)"
        rf"(?: through| back)? from (?P<company>{_NAME})",
        rf"\b(?:phone|call|spoke|spoken|speaking|chat|chatted|catch-up|met|meeting) "
        rf"(?:with|to) (?P<company>{_NAME})",
        rf"\b(?:[Oo]ur|[Mm]y) client,? (?P<company>{_NAME})",
        rf"\b(?:interview|interviews|assessment|meeting) (?:with|at) (?P<company>{_NAME})",
        rf"\b(?:submitted|put) you (?:forward )?(?:to|for) (?P<company>{_NAME})",
        rf"\b(?:applying|applied|application) (?:to|with) (?P<company>{_NAME})",
        rf"\b(?:[Tt]eam|[Pp]eople|[Cc]areers?|hiring manager) at (?P<org>{_NAME})",
        rf"(?m)(?:^|[.!?,]\s+|\s[-–]\s+|\bknow (?:that )?)(?:[Tt]he )?(?P<company>{_NAME}) (?:have|"
        rf"has) (?:just )?(?:come back|got back|gotten back|decided|offered|asked|shortlisted|"
        rf"invited|said|called|phoned|confirmed|been in touch|given|chosen|gone with|made|filled|"
        rf"appointed|selected|moved|reviewed|viewed|received|added|stopped recruiting|withdrawn|"
        rf"closed|passed|turned)",
        # "Quenby came back - it's a no", "Tarnwell got back to me this morning"
        rf"(?m)(?:^|[.!?,]\s+|\s[-–]\s+)(?P<company>{_NAME}) (?:came|got) back\b",
    )
]


def _relayed_in_text(text: str) -> str | None:
    """The employer a go-between names in the subject or body: the first pattern that gives
    a clean name. A pattern whose group is ``org`` only fits an organisation, so a
    two-word name there is kept though it reads like a person's ("Vantage Home")."""
    for pattern in _RELAYED_COMPANY_PATTERNS:
        for match in pattern.finditer(text):
            org = match.groupdict().get("org")
            raw = org or match["company"]
            head, _, title = raw.rpartition(" for ")
            if head and _is_role(_clean_body_role(title) or ""):
                raw = head  # "sent your profile to Banksia Health Partners for Facilities Engineer"
            value = _clean_relayed(raw, people=not org)
            if value:
                return value
    return None


# "General Manager, The Anchor Inn", "Talent Acquisition, Kaveri Fintech", "Head Chef at
# Roslin Arms", "Recruiter | Quenby Foods": a title and an organisation on one line.
_TITLE_AND_ORG = re.compile(rf"^(?P<title>[A-Z][\w &/-]{{2,50}}?)(?:,| at| \|) (?P<org>{_NAME})$")
_HIRING_TEAM = re.compile(r"\b(?:talent|recruit\w*|people|hr|hiring|human resources)\b", re.I)


def _signed_employer(head: str) -> str | None:
    """The employer a person signs with, or a messaging card shows under their name
    ("Meera Pillai · Talent Acquisition, Kaveri Fintech"): a line of a job title or a hiring
    team, then the organisation."""
    for line in head.splitlines()[:60]:
        line = line.strip().rpartition(" · ")[2]
        match = _TITLE_AND_ORG.match(line)
        if match is None or len(line) > 90:
            continue
        title = match.group("title")
        if _is_role(title) or _HIRING_TEAM.search(title):
            value = _clean_relayed(match.group("org"), people=False)
            if value:
                return value
    return None


_LEGAL_END = re.compile(rf",?\s+(?:{LEGAL_FORMS}|LLP|AG)$")
_SIGNATURE_PARTS = re.compile(r"\s+[|·•]\s+")
_TEAM_WORDS = re.compile(
    r"\b(?:team|recruitment|recruiting|talent|human resources|hr|people|careers|department|"
    r"office|acquisition|services team)\b",
    re.IGNORECASE,
)
_NAME_JOINERS = frozenset({"of", "and", "&", "for", "the", "de"})


def _signature_employer(head: str) -> str | None:
    """The organisation an ATS or person signs with on a line of its own below the sign-off
    (or among the last lines when there is none): "Tri-County Regional Transit Authority",
    "Crane & Co LLP". Only a name that ends in a legal form or an
    organisation word ("Authority", "Council", "Bank") counts, never a team or a title."""
    lines = [line.strip() for line in head.splitlines()]
    signed = [i + 1 for i, line in enumerate(lines) if _VALEDICTION.match(line)]
    start = signed[0] if signed else ([i for i, line in enumerate(lines) if line][-4:] or [0])[0]
    for line in [line for line in lines[start : start + 8] if line][:5]:
        for part in _SIGNATURE_PARTS.split(line):
            value = _signature_name(part.strip(" ,."))
            if value:
                return value
    return None


def _signature_name(part: str) -> str | None:
    words = part.split()
    if not 1 < len(words) <= 7 or "@" in part or any(c.isdigit() for c in part):
        return None
    if not all(w[0].isupper() or w in _NAME_JOINERS for w in words):
        return None
    if _TEAM_WORDS.search(part) or _is_role(part) or _board_name(part):
        return None
    if not _LEGAL_END.search(part) and not _is_tail(words[-1]):
        return None
    return _clean_relayed(part, people=False)  # display_employer drops "Ltd", keeps "LLP"
