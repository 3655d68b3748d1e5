"""The employer named in a subject, a body or a display name, by rules."""

from __future__ import annotations

import re

from bounceback.nlp.entities.common import (
    _AGENCY,
    _DISPLAY_NOISE,
    _NAME,
    _NON_ALNUM,
    _NOT_ROLE,
    _PERSON_NAME,
    _SPACES,
    _SUBJECT_FILLER,
    _SUBJECT_PARTS,
    _clean_company,
    _display_name,
    _first_match,
    _is_role,
    _letters_of,
    _parse_sender,
    _relay_own_name,
    _split_qualifier,
    _word_list,
    is_ats_domain,
)
from bounceback.nlp.entities.domains import (
    _display_spelled_by_sender,
    _is_tail,
    _sender_core,
    _spelled_by_sender,
)

_BODY_COMPANY_PATTERNS = [
    re.compile(p)
    for p in (
        rf"\b(?:role|position|post|vacancy|job|opportunity|career|interest|interview(?:ing)?)"
        rf" (?:at|with) (?P<company>{_NAME})",
        rf"\b(?:join|joining|working at|work at|interest in) (?P<company>{_NAME})",
        rf"\b(?:[Tt]he )?(?P<company>{_NAME}) (?:[Tt]alent|[Rr]ecruitment|[Rr]ecruiting|"
        rf"[Hh]iring|[Cc]areers|[Pp]eople|HR|[Rr]esourcing) (?:[Tt]eam|[Pp]artner)",
        rf"\bon behalf of (?P<company>{_NAME})",
        # "the role of Police Staff Investigator (PSI) with Tayside and Fife Police Authority"
        rf"\b(?:role|position|post|vacancy) of [^.\n]{{3,60}}? (?:at|with) (?P<company>{_NAME})",
        # "Lakeshore Community Credit Union appreciates your interest"
        rf"\b(?P<company>{_NAME}) (?:appreciates|values|thanks you for) your\b",
        # "Just off the phone with Sarah at Calloway Reinsurance", "The Lodge Group have
        # offered you the role"
        rf"\b(?:with|from|to) [A-Z][a-z]+(?: [A-Z][a-z]+)? (?:at|from) (?P<company>{_NAME})",
        rf"\b(?P<company>{_NAME}) (?:have|has) (?:offered|decided|come back)\b",
    )
]


#: Display names of job boards: the board, never the employer.
_BOARD_NAMES = frozenset(
    {
        "nhs jobs", "civil service jobs", "jora", "indeed", "indeed apply", "linkedin", "usajobs",
        "glassdoor", "ziprecruiter", "reed", "totaljobs", "seek", "monster", "cv-library",
        "adzuna", "jobs", "careers", "trac", "jobtrain", "workday", "lever", "greenhouse",
    }
)  # fmt: skip


def _board_name(name: str) -> bool:
    """ "Indeed", "LinkedIn Job Alerts", "Reed Jobs": a board's own name, not an employer."""
    whole = name.casefold().strip()
    folded = re.sub(r"\s+(?:job\s+)?(?:alerts?|jobs|apply)$", "", whole)
    # "reed.co.uk", "Indeed.com": a board that signs with its own domain
    return whole in _BOARD_NAMES or folded in _BOARD_NAMES or folded.split(".")[0] in _BOARD_NAMES


def _ats_display_employer(sender: str, company: str | None, text: str = "") -> str | None:
    """On ATS mail, the employer in the display name beats a subject-pattern guess.

    "Sundial Loans <no-reply@ashbyhq.com>" with the subject "Cancelled: interview" is
    Sundial Loans, not "Cancelled"; a board's or ATS's own name ("NHS Jobs", "Pinpoint
    <no-reply@pinpointhq.com>") is never the employer, so the guess stands there."""
    shown = _from_display_name(sender)
    if shown is None:
        # "Sundial Loans" reads like a person's name; the mail naming it settles that.
        name = re.sub(r"\s{2,}", " ", _DISPLAY_NOISE.sub(" ", _display_name(sender))).strip()
        named = len(name) > 3 and name.casefold() in text.casefold()
        # "Meera Pillai via LinkedIn" is a person writing through a platform
        shown = name if named and " via " not in _display_name(sender) else None
    if not shown or _board_name(shown):
        return None if company and _board_name(company) else company
    domain = _parse_sender(sender)[1].rpartition("@")[2].lower()
    if (
        _letters_of(shown) in _word_list("ats_domains.txt")
        or _letters_of(shown) in domain
        or _relay_own_name(sender, shown)
    ):
        return company  # the ATS's own name ("Pinpoint <no-reply@pinpointhq.com>")
    if company is None:
        return shown
    if company.casefold() in shown.casefold() or shown.casefold() in company.casefold():
        return company if len(company) >= len(shown) else shown
    return shown


def _from_sender_names(sender: str, text: str) -> str | None:
    """A name spelled by the sender's domain or mailbox, from the display name or the text."""
    display = _display_spelled_by_sender(sender)
    core = _sender_core(sender) or ""
    if display and core and _letters_of(display).startswith(core):
        # "Claymore Fire and Rescue Service <hr@claymorefire.gov.uk>": the display name is
        # the whole name, which the text may only shorten ("Claymore Fire")
        return display
    return (
        _spelled_by_sender(sender, text, exact_only=True)
        or display
        or _spelled_by_sender(sender, text)
    )


def _longer_name(name: str, text: str) -> str:
    """The name and the organisation words after it: "Pellbridge" -> "Pellbridge Group"."""
    at = text.find(name + " ")
    while at >= 0:
        if at == 0 or not text[at - 1].isalnum():
            words = [name]
            after = text[at + len(name) : at + len(name) + 60].partition("\n")[0]
            for raw in after.split()[:3]:
                word = raw.rstrip(".,;:!?)'\"")
                if not _is_tail(word):
                    break
                words.append(word)
            if len(words) > 1:
                return " ".join(words)
        at = text.find(name + " ", at + 1)
    return name


_SUBJECT_NAME = r"[A-Z0-9][\w&'’.]*(?:[ -](?:[A-Z0-9&][\w&'’.]*|of|and|the|de|du|la))*"
_INTERVIEW_KINDS = (
    r"(?i:job|panel|phone|video|virtual|final|first|second|third|onsite|online|technical|"
    r"coding|group|telephone|in-person|face|hiring|next|upcoming|new|recent|latest)\b"
)
_SUBJECT_COMPANY_PATTERNS = [
    re.compile(p)
    for p in (
        # "Your application to Senior Accountant at Harlan Group"
        rf"(?i:application|applying|applied) (?i:to|for) (?:the )?[A-Z][^|:(+]*? (?:at|with|@) "
        rf"(?P<company>{_SUBJECT_NAME})",
        rf"(?i:application|applying|applied|apply) (?i:to|with) (?P<company>{_SUBJECT_NAME})"
        r"(?:\s*(?:[-–|(+:!,.]|$))",
        rf"(?i:\bfrom) (?P<company>{_SUBJECT_NAME})(?:\s*(?:[-–|(+:!,.]|$))",
        rf"(?i:interview|meeting|call|screen|assessment|test|session|onsite)"
        rf" (?i:with|at) (?P<company>{_SUBJECT_NAME})(?:\s*(?:[-–|(+:!,.]|$| on | in ))",
        rf"^(?:(?i:re|fwd?|fw):\s*)*(?P<company>{_SUBJECT_NAME}) (?:has |have )?"
        r"(?:invited you|sent you|shortlisted you|would like|wants to|is inviting|invites you)",
        rf"(?i:\byour) (?!{_INTERVIEW_KINDS})(?P<company>{_SUBJECT_NAME})"
        r" (?i:interview|assessment|offer|application|"
        r"candidate account|video interview|online assessment|hiring challenge)",
        rf"(?i:\bfor) (?P<company>{_SUBJECT_NAME}) (?i:- next step|interview|assessment)",
        rf"(?i:^(?:(?:re|fwd?|fw):\s*)*(?:invitation|interview confirmed|confirmed)):\s*"
        rf"(?!{_INTERVIEW_KINDS})(?P<company>{_SUBJECT_NAME}) (?i:hiring challenge|interview|"
        r"assessment)",
    )
]
_NOT_COMPANY = re.compile(
    r"^(?:they|we|i|she|he|it|this|that|there|these|those|who|which|here|please|"
    r"we've|we're|we'd|i've|i'm|they've|you've|"
    r"you|your|us|the team|the panel|the client|our client|client|a|an|the|me|them|"
    r"hiring manager|recruiter|recruitment|interview|interviews|update|feedback|applying|"
    r"indeed|linkedin|greenhouse|workday|lever|ashby|teamtailor|workable|reed|seek|"
    r"totaljobs|glassdoor|monster|calendly|cto|ceo|cfo|coo|hr|team|today|tomorrow|"
    r"[A-Z][a-z]+day|january|february|march|april|may|june|july|august|september|"
    r"october|november|december|\d.*)$",
    re.IGNORECASE,
)


def _subject_named_company(subject: str) -> str | None:
    """The employer a subject names with "from X", "application to X", "X invited you"."""
    text = _SPACES.sub(" ", subject).strip()
    for pattern in _SUBJECT_COMPANY_PATTERNS:
        for match in pattern.finditer(text):
            value = _clean_relayed(match.group("company"), people=False)
            if value:
                return value
    return None


def _clean_relayed(raw: str, *, people: bool = True) -> str | None:
    """A company named by someone else: not a person, a job title or a stop word.

    With ``people=False`` a two-word name ("Pemberton Hall") is kept: a subject that says
    "feedback from X" or "meeting with X" seldom names a person.
    """
    value = _clean_company(raw)
    if value is None or _NOT_COMPANY.match(value):
        return None
    if _is_role(value) or _NOT_ROLE.search(value.split()[-1]):
        return None
    if people and _PERSON_NAME.match(value) and not _is_tail(value.split()[-1]):
        return None  # "Laura Okafor", but "Marston Foods"
    if is_ats_domain(value.lower().replace(" ", "")):
        return None
    return value


_PART_FILLER = re.compile(
    r"^(?:(?:re|fwd?|fw|sv):\s*)*(?:(?:client|quick|your|the|an?|job|interview|offer|verbal|"
    r"conditional|unconditional|formal|written|"
    r"feedback|update|outcome|result|news|tomorrow|today|next steps?|booked|"
    r"confirmed|details|released|status)\s+)*|"
    r"\s+(?:feedback|update|outcome|result|news|offer|interview|booked|confirmed|"
    r"details|released|site job|job|role|position|process|- .*)\b.*$",
    re.IGNORECASE,
)
_WHOLE_NAME = re.compile(
    r"^(?:The )?[A-Z][\w'’.-]*(?: (?:[A-Z&][\w'’.&-]*|of|and|the|de|on|upon))*$"
)


_VOCATIVE = re.compile(r"^(?P<name>[A-Z][a-z]+),\s+(?P<next>\S+)")


def _subject_part_company(subject: str) -> str | None:
    """A subject part that is a name but no job title: "Feedback - Marston Foods"."""
    text = _SPACES.sub(" ", subject).strip()
    text = re.sub(r"^(?:(?:re|fwd?|fw|sv):\s*)+", "", text, flags=re.IGNORECASE)
    vocative = _VOCATIVE.match(text)  # "Sam, news": the reader's name, not an employer
    if vocative and not _is_tail(vocative.group("next")):
        text = text[vocative.end("name") + 1 :]
    for part in _SUBJECT_PARTS.split(text):
        value = _PART_FILLER.sub("", part).strip(" -–|,.!?")
        value, _ = _split_qualifier(value)
        if not value or not _WHOLE_NAME.match(value) or len(value.split()) > 5:
            continue
        if _SUBJECT_FILLER.sub("", value) != value and _is_role(_SUBJECT_FILLER.sub("", value)):
            continue
        found = _clean_relayed(value)
        if found and not _NOT_ROLE.search(found) and not _ROLE_WORD_IN.search(found):
            return found
    return None


_ROLE_WORD_IN = re.compile(
    r"\b(?:application|applications|candidate|candidates|vacancy|vacancies|jobs?|roles?|"
    r"position|programme|program|scheme|internship|apprenticeship|graduate|senior|junior|"
    r"thank|thanks|hello|hi|welcome|reminder|invitation|congratulations|action|required|"
    r"request|confirmation|acknowledgement|received|submitted|successful|unsuccessful|"
    r"opportunity|opportunities|opening|openings|chat|call|catch-up|introduction|intro|"
    r"shortlisted|regarding|following|next|step|steps|good|news|sorry|your|admin|locum|"
    r"temp|contract|permanent|part-time|full-time|remote|hybrid|urgent|new)\b",
    re.IGNORECASE,
)
# Someone relaying the employer's words in the body: "feedback from Alderney Bank",
# "I've just got off the phone with Marston Foods", "our client, Halden Group".
# A board's or ATS's field line: "Employer: Hollin Valley NHS Foundation Trust".
_FIELD_COMPANY = [
    re.compile(
        rf"(?m)^[ \t]*(?:Employer|Company|Organi[sz]ation|Hiring (?:company|organi[sz]ation)|"
        rf"Arbeitgeber|Unternehmen)[ \t]*:[ \t]*(?P<company>{_NAME})"
    )
]


def _from_display_name(sender: str) -> str | None:
    name, address = _parse_sender(sender)
    name = name.strip().strip("\"'")
    if not name or "@" in name:
        return None
    via = re.search(r"\b(?:at|@|from)\s+(?P<company>[A-Z][\w&.' -]+)$", name)
    if via:  # "Jo Smith at Acme", "Sam from Northwind"
        return _clean_company(via.group("company"))
    domain = address.rpartition("@")[2]
    ats = is_ats_domain(domain)
    stripped = re.sub(r"\s{2,}", " ", _DISPLAY_NOISE.sub(" ", name)).strip(" -–|,.&")
    if not stripped or stripped.lower().replace(" ", "") in _word_list("ats_domains.txt"):
        return None
    if _PERSON_NAME.match(stripped) and (stripped == name or " via " in name):
        return None  # a person's name says nothing about the company ("Meera Pillai via X")
    if ats and stripped == name and not _DISPLAY_NOISE.search(name):
        return _clean_company(stripped) if not _PERSON_NAME.match(stripped) else None
    core = _sender_core(sender)
    letters = _NON_ALNUM.sub("", stripped.lower())
    if " " not in stripped and core and letters not in core:
        # "Early Talent <...@castlegatebank.co.uk>": "Early" is not the company, and
        # "Kath <kath@ferrymaninn.co.uk>" is a person
        return None
    if core and _AGENCY.search(core) and not _AGENCY.search(stripped):
        return None  # a person's name at a recruitment agency
    return _clean_company(stripped)


# Fields of a board's card line. The employer's field also ends at a spaced dash
# ("Fairweather Analytics - Leeds"); the title's does not (role_rules._TITLE_FIELDS keeps
# "Staff Nurse - Renal Unit" whole).
_EMPLOYER_FIELDS = re.compile(r"\s+[·•|–-]\s+")


def _card_company(head: str, role: str | None) -> str | None:
    """The employer on a job board's card: the line under the job title.

    "Data Analyst / Ashgrove Housing Association / London E14" (a line each), or
    "Python Developer · Wexcombe Engineering" on one line.
    """
    if not role:
        return None
    wanted = role.casefold()
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    for index, line in enumerate(lines[:40]):
        parts = _EMPLOYER_FIELDS.split(line)
        if parts[0].casefold().startswith(wanted + " "):
            # the two lines re-joined by unwrapping: "Data Analyst Ashgrove Homes · Leeds"
            parts = [parts[0][: len(wanted)], parts[0][len(wanted) + 1 :], *parts[1:]]
        if parts[0].casefold() != wanted:
            continue
        following = parts[1:2]
        if not following and index + 1 < len(lines):
            following = [_EMPLOYER_FIELDS.split(lines[index + 1])[0]]
        for candidate in following:
            value = _clean_relayed(candidate.strip(), people=False)
            whole = value in (candidate.strip(), candidate.strip().removeprefix("The "))
            if value and whole and not any(c.isdigit() for c in value):
                return value
    return None


# "Harcourt & Lyle have decided...", "Oakleaf are going to pass", "the Aldridge Holdings
# board has decided": an employer spoken of in the third person, as only a go-between does.
_THIRD_PERSON = [
    re.compile(
        rf"(?m)(?:^|[.!?]\s+|\b(?:that|and|but|so|afraid|sorry)\s+)[ \t]*(?:[Tt]he )?"
        rf"(?P<company>{_NAME})(?: board| panel| team| client| partners)? (?:have|has|are|were) "
        rf"(?:decided|gone|going|come back|got back|gotten back|offered|appointed|chosen|"
        rf"filled|selected|passed|asked|not|unable|keen|been in touch|confirmed|made)\b"
    ),
    # "I've had feedback through from Ferncliffe Building Society", "our client, X"
    re.compile(
        rf"\b(?:[Ff]eedback|heard back|[Ww]ord)(?: through| back)? from (?P<company>{_NAME})"
    ),
    re.compile(rf"\b(?:[Oo]ur|[Mm]y) client,? (?P<company>{_NAME})"),
]


# What every pattern of _THIRD_PERSON needs, found without trying a name at each position.
_THIRD_PERSON_HINT = re.compile(
    r"\b(?:have|has|are|were) (?:decided|gone|going|come|got|gotten|offered|appointed|chosen|"
    r"filled|selected|passed|asked|not|unable|keen|been|confirmed|made)\b|\bfrom [A-Z]|"
    r"\bclient,? [A-Z]"
)


def _third_person_employer(sender: str, subject: str, head: str) -> str | None:
    """The employer a go-between writes about, if it is not the sender's own organisation.

    A company writes "we have decided"; a recruiter writing from a domain the rules cannot
    tell from an employer's ("phillipslegal.com") writes "Harcourt & Lyle have decided".
    """
    if not _THIRD_PERSON_HINT.search(head):
        return None  # most mail: no go-between's phrase at all, no costly name search
    found = _first_match(_THIRD_PERSON, head, "company", _clean_relayed)
    if found is None:
        return None
    core = _sender_core(sender)
    letters = _letters_of(found)
    if core and (letters.startswith(core[:5]) or core.startswith(letters[:5])):
        return None  # the sender's own organisation, in the third person
    # "Kinloch have decided" under "RE: Kinloch Brewing"
    fuller = re.search(rf"\b{re.escape(found)}(?: [A-Z][\w&'’]+)+", subject)
    return _clean_relayed(fuller.group(0), people=False) or found if fuller else found
