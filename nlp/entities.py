"""Company and role of a job email, from the sender, the subject and the body.

Pure regex. Evidence is tried from most to least reliable:

* role: subject patterns ("Your application for X at Y", "Application: X", "Re: X role"),
  then body patterns ("the X position", "the role of X", "applying for X").
* company: "at Y" in the subject, the sender's display name (minus "Careers", "Talent
  team"...), the sender's domain unless it belongs to an applicant-tracking system or a
  generic mail provider, then body patterns ("at Y", "Y's talent team", "join Y").
"""

from __future__ import annotations

import re
from email.utils import parseaddr
from functools import cache
from importlib.resources import files

__all__ = ["extract_company_role", "is_ats_domain"]


@cache
def _word_list(name: str) -> frozenset[str]:
    """A lower-cased word list from ``lexicon/<name>`` (``#`` lines are comments)."""
    text = files("bounceback.nlp").joinpath("lexicon", name).read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


_SECOND_LEVEL = frozenset(
    ["co", "com", "org", "net", "ac", "gov", "nhs", "edu", "sch", "ltd", "plc"]
)
_DISPLAY_NOISE = re.compile(
    r"""\b(?:careers?|jobs?|recruit(?:ment|ing|er)?s?|talent(?:\s+acquisition)?|hiring|
    hr|human\s+resources|people(?:\s+team)?|team|no[-\s]?reply|noreply|do[-\s]?not[-\s]?reply|
    notifications?|applications?|resourcing|via\s+\w+|the)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_PERSON_NAME = re.compile(r"^[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?\s+[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?$")
_ROLE_WORDS = (
    r"(?:role|position|post|vacancy|opportunity|job|opening|internship|placement|"
    r"programme|program|scheme|contract)"
)
# A run of words that can form a role or company name (Title Case, acronyms, & / - . ,).
_WORD = r"(?:[\w&'’/+#-]|\.(?=\w))*"  # a dot only inside a word (node.js), never at its end
_NAME = rf"[A-Z0-9]{_WORD}(?:[ \t]+(?:[A-Z0-9(]{_WORD}\)?|of|and|for|in|&|-|–|de|la|the))*"

_SUBJECT_ROLE_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"application for (?:the )?(?P<role>.+?)(?: {_ROLE_WORDS})?"
        rf"(?: (?:at|with) (?P<company>.+?))?(?:\s*[-–|(].*)?$",
        r"application (?:to|with) (?P<company>[A-Z][^|:(]+?)(?P<role>)(?:\s*[-–|(].*)?$",
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
_BODY_COMPANY_PATTERNS = [
    re.compile(p)
    for p in (
        rf"\b(?:role|position|post|vacancy|job|opportunity|career|interest|interview(?:ing)?)"
        rf" (?:at|with) (?P<company>{_NAME})",
        rf"\b(?:join|joining|working at|work at|interest in) (?P<company>{_NAME})",
        rf"\b(?:[Tt]he )?(?P<company>{_NAME}) (?:[Tt]alent|[Rr]ecruitment|[Rr]ecruiting|"
        rf"[Hh]iring|[Cc]areers|[Pp]eople|HR|[Rr]esourcing) (?:[Tt]eam|[Pp]artner)",
        rf"\bon behalf of (?P<company>{_NAME})",
    )
]
_ROLE_STOP = re.compile(
    r"^(?:your|our|this|that|the|a|an|it|we|you|application|applications|role|position|"
    r"job|post|vacancy|update|status|thank|thanks|regarding|next|interview|candidacy)$",
    re.IGNORECASE,
)
_TRAILING_JUNK = re.compile(r"[\s,.;:!?)(\-–|'\"]+$|\s+(?:and|or|at|with|in|for|of|the)$")
_LEADING_JUNK = re.compile(r"^[\s,.;:!?)(\-–|'\"]+|^(?:the|a|an|our|your)\s+", re.IGNORECASE)
_REF_SUFFIX = re.compile(r"\s*[\[(#]?\s*(?:ref|req|job id|id)\b.*$|\s*\(.*$", re.IGNORECASE)
_COMPANY_STOP = re.compile(
    r"^(?:us|you|this|that|the|this stage|this time|present|the moment|the company|"
    r"our company|the team|our team|the business|the organisation|the organization|"
    r"interview|the interview|this point|a later date|all|[A-Z][a-z]+day)$",
    re.IGNORECASE,
)


def is_ats_domain(domain: str) -> bool:
    """True if the sender domain belongs to an applicant-tracking system or bulk mailer."""
    labels = domain.lower().strip(".").split(".")
    ats = _word_list("ats_domains.txt")
    return any(label in ats for label in labels)


def extract_company_role(subject: str, sender: str, body: str) -> tuple[str | None, str | None]:
    """Best guess at (company, role) for one email; either may be None."""
    subject_company, role = _from_subject(subject)
    head = body[:3000]
    if role is None:
        role = _first_match(_BODY_ROLE_PATTERNS, head, "role", _clean_role)
    company = (
        subject_company
        or _from_display_name(sender)
        or _from_domain(sender)
        or _first_match(_BODY_COMPANY_PATTERNS, head, "company", _clean_company)
    )
    return company, role


def _from_subject(subject: str) -> tuple[str | None, str | None]:
    text = re.sub(r"\s+", " ", subject).strip()
    for pattern in _SUBJECT_ROLE_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        role = _clean_role(match.group("role"))
        company = _clean_company(match.groupdict().get("company") or "")
        if role or company:
            return company, role
    return None, None


def _from_display_name(sender: str) -> str | None:
    name, address = parseaddr(sender)
    name = name.strip().strip("\"'")
    if not name or "@" in name:
        return None
    via = re.search(r"\b(?:at|@|from)\s+(?P<company>[A-Z][\w&.' -]+)$", name)
    if via:  # "Jo Smith at Acme", "Sam from Northwind"
        return _clean_company(via.group("company"))
    domain = address.rpartition("@")[2]
    ats = is_ats_domain(domain)
    stripped = re.sub(r"\s{2,}", " ", _DISPLAY_NOISE.sub(" ", name)).strip(" -–|,.&")
    if not stripped or stripped.lower() in {"linkedin", "indeed"}:
        return None
    if _PERSON_NAME.match(stripped) and stripped == name:
        return None  # a person's name says nothing about the company
    if ats and stripped == name and not _DISPLAY_NOISE.search(name):
        return _clean_company(stripped) if not _PERSON_NAME.match(stripped) else None
    return _clean_company(stripped)


def _from_domain(sender: str) -> str | None:
    _, address = parseaddr(sender)
    domain = address.rpartition("@")[2].lower() if "@" in address else ""
    if not domain or is_ats_domain(domain):
        return None
    parts = [p for p in domain.split(".") if p]
    if len(parts) < 2:
        return None  # "localhost": no organisation in it
    parts.pop()  # the top-level domain, whatever it is (.com, .uk, .example, .jobs)
    while len(parts) > 1 and parts[-1] in _SECOND_LEVEL:
        parts.pop()  # co.uk, com.au, ac.in, nhs.uk
    core = parts[-1]
    if (
        core in _word_list("mail_providers.txt")
        or core in _SECOND_LEVEL
        or not 2 <= len(core) <= 40
    ):
        return None
    if len(core) <= 4:
        return core.upper()
    return " ".join(word.capitalize() for word in re.split(r"[-_]", core))


def _first_match(
    patterns: list[re.Pattern[str]], text: str, group: str, clean: object
) -> str | None:
    assert callable(clean)
    for pattern in patterns:
        for match in pattern.finditer(text):
            value = clean(match.group(group))
            if value:
                return str(value)
    return None


def _clean_role(raw: str) -> str | None:
    value = _REF_SUFFIX.sub("", raw.strip())
    value = _tidy(value)
    value = re.sub(rf"\s+{_ROLE_WORDS}$", "", value, flags=re.IGNORECASE)
    if not value or len(value) > 80 or len(value.split()) > 8 or _ROLE_STOP.match(value):
        return None
    if not re.search(r"[A-Za-z]", value):
        return None
    return value


def _clean_company(raw: str) -> str | None:
    value = _tidy(_REF_SUFFIX.sub("", raw.strip()))
    value = re.split(r"\s+(?:has|have|is|are|was|were|will|would|and we|but|so|for the)\b", value)[
        0
    ]
    value = _tidy(value)
    if not value or len(value) > 60 or len(value.split()) > 6 or _COMPANY_STOP.match(value):
        return None
    if not value[0].isupper() and not value[0].isdigit():
        return None
    return value


def _tidy(value: str) -> str:
    previous = None
    while previous != value:
        previous = value
        value = _TRAILING_JUNK.sub("", _LEADING_JUNK.sub("", value)).strip()
    return value
