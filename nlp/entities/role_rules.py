"""The job title of an email, by rules: subject patterns, subject parts, body sentences."""

from __future__ import annotations

import re

from bounceback.nlp.entities.common import (
    _ABBREVIATION_DOT,
    _NAME,
    _PERSON_NAME,
    _ROLE_WORDS,
    _SPACES,
    _SUBJECT_FILLER,
    _SUBJECT_PARTS,
    _VALEDICTION,
    _clean_body_role,
    _clean_company,
    _clean_role,
    _is_role,
    _split_qualifier,
)
from bounceback.nlp.entities.domains import _is_tail

_SUBJECT_ROLE_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"application for (?:the )?(?P<role>.+?)(?: {_ROLE_WORDS})?"
        rf"(?: (?:at|with) (?P<company>.+?))?(?:\s*[-–|].*|\s*\((?:ref|req|id)\b.*)?$",
        # "Ihre Bewerbung als UX Designer", "Votre candidature au poste de Chargée de projet",
        # "Su candidatura para el puesto de Analista", "Je sollicitatie als Data-analist"
        r"(?:Bewerbung (?:als|um die Stelle als|auf die Stelle als)|candidature (?:au|pour le) "
        r"poste d(?:e|['’])|candidatura (?:para el|al) puesto de|sollicitatie (?:als|voor))\s*"
        r"(?P<role>[^|:(–]+?)(?P<company>)(?:\s+[-–|]\s.*|\s*\(.*)?$",
        # "Your application to Backend Engineer (Python) at Thistledown Software"
        r"application to (?P<role>[A-Z][^|:]+?) at (?P<company>[A-Z][^|:]+?)$",
        r"application (?:to|with) (?P<company>[A-Z][^|:(]+?)(?P<role>)(?:\s*[-–|(].*)?$",
        r"^(?:re:\s*|fwd?:\s*)*(?:feedback|news|an update|update|outcome|decision) from "
        r"(?P<company>[A-Z][^|:(]+?)(?P<role>)$",
        rf"(?:applying|applied) for (?:the )?(?P<role>.+?)(?: {_ROLE_WORDS})?"
        rf"(?: (?:at|with) (?P<company>.+?))?$",
        r"^(?:re:\s*|fwd?:\s*)*(?:job )?application\s*[:\-–|]\s*(?P<role>[^|:\-–]+?)"
        r"(?:\s*[|\-–@]\s*(?P<company>.+))?$",
        rf"^(?:re:\s*|fwd?:\s*)*(?:interview|invitation|offer|update|feedback|assessment)"
        rf"[^:|–-]*?(?: for|:| -| –|\|)\s*(?:the |your )?(?P<role>[A-Z][^,|]+?)(?: {_ROLE_WORDS})?"
        rf"(?: (?:at|with|-|–|\|) (?P<company>[A-Z].+?))?$",
        rf"^(?:re:\s*|fwd?:\s*)*(?:the )?(?P<role>[A-Z][^:,|]+?) {_ROLE_WORDS}"
        rf"(?: (?:at|with) (?P<company>.+?))?$",
        r"(?:^|[:\-–|]\s*)(?P<role>[A-Z][^:|]+?) (?:at|with|@) (?P<company>[A-Z].+?)$",
    )
]
# "Next step: technical interview (Backend Engineer, Payments)": kept only if a title
_BRACKET_TITLE = re.compile(
    r"\b(?:interview|assessment|screen|call|offer|application|next step)\b[^(]*"
    r"\((?P<role>[A-Z][^()]{2,60})\)\s*$",
    re.IGNORECASE,
)
_BODY_ROLE_PATTERNS = [
    re.compile(p)
    for p in (
        rf"\b(?:for|of|the) (?:the )?(?:role|position|post) of (?:an? )?(?P<role>{_NAME})",
        rf"\b(?:for|to) the (?P<role>{_NAME}) (?:role|position|post|vacancy|opening)\b",
        rf"\b[Tt]he (?P<role>{_NAME}) (?:role|position|post|vacancy)\b",
        rf"\b(?:applying|applied|application) (?:for|to) (?:the |our |an? )?(?P<role>{_NAME})",
        rf"\bas (?:an? |our )?(?P<role>{_NAME}) (?:at|with) ",
    )
]
# A title in a body sentence, in any case ("the chef position", "be a Wholetime
# Firefighter with", "Role: Staff Backend Engineer"); kept only if it ends in a title word.
_TITLE_WORD = (
    r"(?!(?i:the|an?|in|for|about|our|your|this|that|to|with|at|on|and|is|be)\b)"
    rf"[A-Za-z0-9][\w'’/&+-]*(?:{_ABBREVIATION_DOT})?"
)
_TITLE_WORDS = rf"{_TITLE_WORD}(?:[ \t]+(?:{_TITLE_WORD}|of|&))*?"
_BODY_TITLE_PATTERNS = [
    re.compile(p, re.MULTILINE)
    for p in (
        r"^(?:Role|Position|Job title|Job|Vacancy|Post|Application for)\s*:\s*"
        rf"(?P<role>{_TITLE_WORDS})\s*(?:[,(]|$| - | at )",
        rf"\b(?:applying|applied|apply|application) (?:to|for) (?:be|become) (?:an? |the )?"
        rf"(?P<role>{_TITLE_WORDS})(?: (?:with|at|for)\b|[.,!])",
        r"\b(?:for|to|of|about|on|in|offer(?:ed)? you|given|gave|offered|filled) "
        r"(?:the|our|your|a|an) (?:(?:internal|new|open|advertised|current|vacant|permanent|"
        r"temporary) )?"
        rf"(?P<role>{_TITLE_WORDS}(?:,[ \t]+[A-Z][\w&/-]*(?:[ \t]+[A-Z][\w&/-]*)?)?)"
        r"(?: \([^()\n]{1,40}\))? "  # "the Marketing Executive (maternity cover) role"
        r"(?:role|position|post|job|vacancy|opening|spot|hire|"
        r"contract|place|places|scheme|programme|program)\b",
        rf"\b(?:interview|applications|application) for (?:the )?(?P<role>{_TITLE_WORDS})"
        r" (?:at|tomorrow|today|on|has|is|and|with)\b",
        rf"\bthe (?:position|role|post) (?:of )?(?P<role>{_TITLE_WORDS})(?:[.,(]| \(| [-–] | at )",
        # "has invited you to an interview for:\n\nStaff Nurse - Acute Medical Unit (C9162)"
        r"\b(?:for|as)(?: the (?:position|role|post|vacancy))?[ \t]*:[ \t]*\n(?:[ \t]*\n)?[ \t]*"
        r"(?P<role>[A-Z][^\n(]{2,80}?)[ \t]*(?:\([^)\n]*\))?[ \t]*$",
        # "has invited you to complete the Software Engineer assessment"
        r"\b(?:complete|take|sit|attend|book|schedule|prepare for) (?:the|your|our|an?) "
        rf"(?P<role>{_TITLE_WORDS}) (?i:assessment|test|interview|exercise|challenge)s?\b",
        # a confirmation's card: "Transport Planner - Final Interview" on a line of its own
        r"^[ \t]*(?P<role>[A-Z][^\n:]{2,60}?) [-–|] (?i:(?:(?:first|second|third|final|technical|"
        r"panel|phone|video|online|in-person|onsite) )*(?:interview|assessment|screen(?:ing)?|"
        r"call))[ \t]*$",
        # "happy to take you on full time as a landscaper if you want it"
        r"\b(?:take you on|have you on|hire you|offer you (?:a|the) (?:job|place|spot))\b"
        rf"[^.\n]{{0,30}}? as (?:an? |our )?(?P<role>{_TITLE_WORDS})"
        r"(?=[.,!;]| [-–] | (?:if|from|starting|on|for|at|with)\b|[ \t]*$)",
    )
]


# Fields of a board's card line as the title reads them: a spaced dash stays inside the
# title ("Staff Nurse - Renal Unit"); company_rules._EMPLOYER_FIELDS also splits there.
_TITLE_FIELDS = re.compile(r"\s+[·•|]\s+")
# A card's headline naming the employer: "Quillgate viewed your application".
_NAMED_ALONE = re.compile(
    r"^[^.!?]{2,60}\b(?:viewed|reviewed|received|invited you|applied to|sent to|with)\b[^.!?]*$",
    re.IGNORECASE,
)


def _card_role(head: str, company: str | None) -> str | None:
    """The title on a job board's card, above or before the employer's name.

    "Business Intelligence Developer / Fairweather Analytics · Manchester" (two lines) or
    "Product Designer · Lumen Labs · Remote (EU)" (one).
    """
    if not company:
        return None
    wanted = company.casefold()
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    signed = next((i for i, line in enumerate(lines) if _VALEDICTION.match(line)), len(lines))
    for index, line in enumerate(lines[: min(40, signed)]):  # a card, never a signature
        parts = _TITLE_FIELDS.split(line)
        if len(parts) > 1 and parts[1].casefold() == wanted:
            candidate = parts[0]
        elif parts[0].casefold().endswith(" " + wanted):
            # the two lines re-joined by unwrapping: "Senior Analyst Quillgate · Dublin"
            candidate = parts[0][: -len(wanted) - 1]
        elif len(parts) > 1 and parts[0].casefold() == wanted and _is_role(parts[1]):
            candidate = parts[1]  # "Grevillea Constructions · Site Engineer"
        elif index and parts[0].casefold() == wanted:
            candidate = _TITLE_FIELDS.split(lines[index - 1])[0]
        elif (
            index and _NAMED_ALONE.match(lines[index - 1]) and wanted in lines[index - 1].casefold()
        ):
            # "Corvane Systems viewed your application" / "Platform Engineer · Salford"
            candidate = parts[0]
        else:
            continue
        value = _clean_role(candidate)
        if value and _is_role(value) and value.casefold() != wanted:
            return value
    return None


def _clean_body_title(raw: str) -> str | None:
    """A title from a body sentence, in title case if written in lower case."""
    value = _clean_body_role(raw)
    if value is None:
        return None
    value = title_case(value)
    if _is_role(value):
        return value
    # "Staff Nurse - Acute Medical Unit": a title and its unit, kept whole
    head, dash, unit = value.partition(" - ")
    return value if dash and unit and _is_role(head) else None


def title_case(value: str) -> str:
    """A title written all in lower case ("line cook") as a title ("Line Cook")."""
    if not value.islower():
        return value
    return " ".join(w if w in ("of", "and", "&", "in") else w.capitalize() for w in value.split())


#: Capitalised words that open a sentence or a name, never a title's first word.
_NOT_TITLE_WORDS = frozenset(
    [
        *("a", "an", "the", "our", "your", "their", "this", "that", "my", "new"),
        *("dear", "hi", "hello", "thank", "thanks", "re", "fwd", "please"),
        *("interview", "application", "applications", "offer", "position", "role", "post"),
        *("job", "vacancy", "unfortunately", "congratulations"),
    ]
)


def fuller_title(role: str, text: str, company: str | None) -> str:
    """The title with the capitalised words the email writes before it ("Firefighter" ->
    "Wholetime Firefighter" when the body says "our Wholetime Firefighter campaign"), up to
    three, never the employer's name or a sentence's opening word; else ``role``."""
    if not role[:1].isupper() or len(role) < 3 or not _capital_before(role, text):
        return role
    name = {w.casefold() for w in (company or "").split()}
    for match in re.finditer(rf"((?:[A-Z][\w/&-]*[ \t]+){{1,3}}){re.escape(role)}\b", text):
        words = match.group(1).split()
        while words and (words[0].casefold() in _NOT_TITLE_WORDS or words[0].casefold() in name):
            words = words[1:]
        start, title = match.start(1), " ".join([*words, role])
        if words and (start == 0 or text[start - 1] in " \t") and _is_role(title):
            before = text[:start].rstrip()
            if before and before[-1] not in ".!?:\n":
                return title
    return role


def _capital_before(role: str, text: str) -> bool:
    """True if some mention of ``role`` follows a capitalised word (a cheap test first)."""
    at = text.find(" " + role)
    while at > 0:
        before = text[:at].rsplit(None, 1)
        if before and before[-1][:1].isupper():
            return True
        at = text.find(" " + role, at + 1)
    return False


_GENDER_TAG = re.compile(r"\s*\((?:[mwfdx]\s*/\s*){1,3}[mwfdx]\*?\)", re.IGNORECASE)


_TITLE_IN_BODY = re.compile(
    r"\b(?:as|for|of) (?:an? |the |our |your )?(?P<role>(?:[A-Z][\w/&+-]*\s+){0,4}[A-Za-z]+)\b"
)


_SUBJECT_REF = re.compile(
    r"^(?:(?:vacancy|ref|req|job|requisition)\b\s*(?:no\.?|number)?\s*[#:]?\s*"
    r"[\w/-]*\d[\w/-]*|[A-Z]*\d{3,}[\w/-]*)\s+(?=[A-Z])|\s+(?:20\d\d|\d{2}/\d{2}(?:/\d{2,4})?)$",
    re.IGNORECASE,
)


def _subject_part_role(subject: str) -> str | None:
    """A subject part that is a job title once filler is gone: "Chef trial shift" -> "Chef"."""
    for part in _SUBJECT_PARTS.split(_SPACES.sub(" ", subject).strip()):
        value = re.sub(r"[?!.]+$", "", _SUBJECT_FILLER.sub("", part)).strip()
        value = _SUBJECT_REF.sub("", value).strip()
        value, qualifier = _split_qualifier(value)
        value = re.sub(r"\s+(?:process|appointment|20\d\d)$", "", value)
        if value and _is_role(value[0].upper() + value[1:]):
            return value + qualifier
        inside = qualifier.strip(" ()")
        if inside and _is_role(inside) and not _is_role(value):
            return inside  # "Heron Water (Customer Service Advisor)"
    return None


def _body_title(head: str) -> str | None:
    """A capitalised body phrase after "as", "for", "of" ending in a job-title word."""
    for match in _TITLE_IN_BODY.finditer(head):
        value = match.group("role").strip()
        if len(value.split()) >= 2 and _is_role(value) and value.split()[-1][0].isupper():
            return value
    return None


def _from_subject(subject: str) -> tuple[str | None, str | None]:
    text = _SPACES.sub(" ", subject).strip()
    for pattern in _SUBJECT_ROLE_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        role = _clean_role(match.group("role"))
        company = _clean_company(match.groupdict().get("company") or "")
        if company and role and _is_role(company) and not _is_role(role):
            role, company = company, role  # "Interview: Kettlebrook - Senior Accountant"
        if company:
            split = re.match(r"^(?P<role>.+?) (?:at|with|@) (?P<company>[A-Z].+)$", company)
            if split and _is_role(split.group("role")):
                role, company = split.group("role"), _clean_company(split.group("company"))
        if (
            company
            and f" with {company}" in text
            and _PERSON_NAME.match(company)
            and not _is_tail(company.split()[-1])
        ):
            company = None  # "Phone screen - Juniper Health with Kate O'Donnell"
        if role or company:
            return company, role
    bracket = _BRACKET_TITLE.search(text)
    role = _clean_role(bracket["role"]) if bracket else None
    return None, (role if role and _is_role(role) else None)
