"""Company and role of a job email, from the sender, the subject and the body.

Pure regex. Evidence is tried from most to least reliable:

* role: subject patterns ("Your application for X at Y", "Application: X", "Re: X role"),
  then body patterns ("the X position", "the role of X", "applying for X").
* company: "at Y" in the subject; the name in the subject, body or display name whose
  letters spell the sender's domain ("maplestoneassoc.com" -> "Maplestone Associates") or,
  for an applicant-tracking system, the sender's mailbox ("northforge@myworkday.com");
  the sender's display name (minus "Careers", "Talent team"...); the sender's domain unless
  it belongs to an applicant-tracking system or a generic mail provider; then body
  patterns ("at Y", "Y's talent team", "join Y").
"""

from __future__ import annotations

import re
from email.utils import parseaddr
from functools import cache, lru_cache
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
    notifications?|applications?|resourcing|via\s+\w+|the|early\s+careers|graduate|
    campus|emerging\s+talent|tech|engineering\s+hiring)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_PERSON_NAME = re.compile(
    r"^(?:(?:Dr|Mr|Mrs|Ms|Miss|Prof)\.?\s+)?(?:[A-Z]\.\s+)?"
    r"[A-Z][^\W\d_]+(?:[-'’][A-Z]?[^\W\d_]+)?(?:\s+[A-Z]\.?)?"
    r"\s+(?:(?:de|van|von|da|al|el|le)\s+)?[A-Z][^\W\d_]+(?:[-'’][A-Z][^\W\d_]+)?$"
)
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


@lru_cache(maxsize=4096)
def _parse_sender(sender: str) -> tuple[str, str]:
    """(display name, address): cached, as every rule below looks at the sender."""
    return parseaddr(sender)


@lru_cache(maxsize=4096)
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
    if role is None or not _is_role(role):
        # A title-like subject part beats a subject pattern that caught "First interview".
        role = _titled_role(subject, head) or (
            None if role is None or _NOT_ROLE.search(role) else role
        )
    company = (
        subject_company
        or _display_spelled_by_sender(sender)
        or _spelled_by_sender(sender, f"{subject}\n{head}")
        or _from_display_name(sender)
        or _from_domain(sender)
        or _first_match(_BODY_COMPANY_PATTERNS, head, "company", _clean_company)
    )
    return company, role


_SUBJECT_PARTS = re.compile(r"\s+[-–|]\s+|:\s+|\s*\|\s*")
_SUBJECT_FILLER = re.compile(
    r"^(?:(?:re|fwd?|fw):\s*)*(?:(?:your|the|our|a|an|new|job|application|applying|"
    r"applied|feedback|interview|offer|update|for|to|on|about|re)\s+)*|"
    r"\s+(?:role|position|post|vacancy|job|application|interview|feedback|offer|"
    r"opportunity)\b.*$",
    re.IGNORECASE,
)
_TITLE_IN_BODY = re.compile(
    r"\b(?:as|for|of) (?:an? |the |our |your )?(?P<role>(?:[A-Z][\w/&+-]*\s+){0,4}[A-Za-z]+)\b"
)


_NOT_ROLE = re.compile(
    r"\b(?:interview|confirmed|stage|date|feedback|test|update|meeting|session|round|call|"
    r"result|outcome|catch|chat|trial|day|invitation|process|appointment)\b",
    re.IGNORECASE,
)
_HEAD_OF = re.compile(r"^(?:Head|Teacher|Director|Professor|Lecturer|Chief) of [A-Z]")


def _is_role(value: str) -> bool:
    """True if ``value`` reads like a job title: capitalised, ending in a title word."""
    words = value.split()
    if not 1 <= len(words) <= 6 or not value[0].isupper():
        return False
    if _HEAD_OF.match(value) and not _NOT_ROLE.search(value):
        return True
    last = re.sub(r"[^a-z]", "", words[-1].lower())
    return last in _word_list("role_heads.txt") or last.rstrip("s") in _word_list("role_heads.txt")


def _titled_role(subject: str, head: str) -> str | None:
    """A subject part or capitalised body phrase ending in a job-title word ('Line cook')."""
    for part in _SUBJECT_PARTS.split(re.sub(r"\s+", " ", subject).strip()):
        value = re.sub(r"\s*\(.*$|[?!.]+$", "", _SUBJECT_FILLER.sub("", part)).strip()
        value = re.sub(r"\s+(?:process|appointment|20\d\d)$", "", value)
        if value and _is_role(value[0].upper() + value[1:]):
            return value
    for match in _TITLE_IN_BODY.finditer(head):
        value = match.group("role").strip()
        if len(value.split()) >= 2 and _is_role(value) and value.split()[-1][0].isupper():
            return value
    return None


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


# A run of capitalised words (with "&", "and", "of" inside) that may spell a name.
_CAPITAL_RUN = re.compile(r"[A-Z][\w'’&-]*(?:[ \t]+(?:&|and|of|[A-Z][\w'’&-]*))*")
_LEGAL_SUFFIX = frozenset(["LLP", "Ltd", "Limited", "plc", "PLC", "Inc", "LLC", "GmbH"])
_GENERIC_MAILBOX = re.compile(
    r"^(?:no-?reply|do-?not-?reply|notifications?|jobs?|careers?|recruit\w*|talent|hr|"
    r"apply|applications?|hiring|info|mail|team|candidates?|support|people|\w*\d\w*)$",
    re.IGNORECASE,
)


def _display_name(sender: str) -> str:
    return _parse_sender(sender)[0]


@lru_cache(maxsize=4096)
def _sender_core(sender: str) -> str | None:
    """The letters that name the organisation: the domain's core, or an ATS mailbox name."""
    _, address = _parse_sender(sender)
    if "@" not in address:
        return None
    local, _, domain = address.lower().rpartition("@")
    if is_ats_domain(domain):
        # "northforge@myworkday.com" or "jobs@ridgeline.teamtailor.com"
        labels = [x for x in domain.split(".")[:-2] if not _GENERIC_MAILBOX.match(x)]
        core = local if not _GENERIC_MAILBOX.match(local) else labels[0] if labels else ""
        if is_ats_domain(core):
            return None
    else:
        parts = [p for p in domain.split(".") if p][:-1]
        while len(parts) > 1 and parts[-1] in _SECOND_LEVEL:
            parts.pop()
        core = parts[-1] if parts else ""
        if core in _word_list("mail_providers.txt"):
            return None
    core = re.sub(r"[^a-z0-9]", "", core)
    if len(core) < 4 or _AGENCY.search(core):
        return None  # an agency's own name is not the employer's
    return core


def _spelled_by_sender(sender: str, text: str) -> str | None:
    """The capitalised name in ``text`` whose letters spell the sender's domain or mailbox.

    "Maplestone Associates" for ``maplestoneassoc.com``, "EduScale Academy" for
    ``eduscaleacademy.in``: an exact spelling wins over a prefix, the first one over later.
    """
    core = _sender_core(sender)
    if core is None:
        return None
    prefix: str | None = None
    for run in _CAPITAL_RUN.finditer(text):
        words = run.group().split()
        for i in range(len(words)):
            joined = ""
            for j in range(i, min(i + 6, len(words))):
                joined += re.sub(r"[^a-z0-9]", "", words[j].lower())
                if not joined.startswith(core[: len(joined)]) and not joined.startswith(core):
                    break
                if joined == core or (joined.startswith(core) and len(core) >= 6):
                    end = j + 1
                    if end < len(words) and words[end] in _LEGAL_SUFFIX:
                        end += 1
                    found = _clean_company(" ".join(words[i:end]))
                    if found and joined == core:
                        return found
                    prefix = prefix or found
                    break
    return prefix


def _display_spelled_by_sender(sender: str) -> str | None:
    """The display name minus 'Careers' etc. when its letters begin with the sender's core.

    "Oakfield Primary School <office@oakfield.sch.uk>", "Quillon Systems
    <careers@quillon.io>", "Ridgeline Software <jobs@ridgeline.teamtailor.com>".
    """
    core = _sender_core(sender)
    name = _display_name(sender).strip().strip("\"'")
    stripped = re.sub(r"\s{2,}", " ", _DISPLAY_NOISE.sub(" ", name)).strip(" -–|,.&")
    letters = re.sub(r"[^a-z0-9]", "", stripped.lower())
    if core is None or len(letters) < 4 or not letters.startswith(core[:6]):
        return None
    if not (letters.startswith(core) or core.startswith(letters)):
        return None
    return _clean_company(stripped)


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
    if _PERSON_NAME.match(stripped) and stripped == name:
        return None  # a person's name says nothing about the company
    if ats and stripped == name and not _DISPLAY_NOISE.search(name):
        return _clean_company(stripped) if not _PERSON_NAME.match(stripped) else None
    core = _sender_core(sender)
    letters = re.sub(r"[^a-z0-9]", "", stripped.lower())
    if stripped != name and " " not in stripped and core and letters not in core:
        return None  # "Early Talent <...@castlegatebank.co.uk>": "Early" is not the company
    if core and _AGENCY.search(core) and not _AGENCY.search(stripped):
        return None  # a person's name at a recruitment agency
    return _clean_company(stripped)


def _from_domain(sender: str) -> str | None:
    _, address = _parse_sender(sender)
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
    if _AGENCY.search(core):
        return None  # an agency writes on behalf of the employer; the body may name it
    return " ".join(_split_words(word) for word in re.split(r"[-_]", core))


_AGENCY = re.compile(
    r"recruit|staffing|talent|hirings?$|resourcing|personnel|search|careerpoint|agency",
    re.IGNORECASE,
)
# A lower-case brand this long is more likely several words ("harbourlights").
_SPLIT_MIN_CHARS = 11


@cache
def _org_words() -> dict[str, str]:
    """Suffix word -> how it is written ("assoc" -> "Associates")."""
    words = {}
    for line in _word_list("org_words.txt"):
        short, _, long = line.partition("=")
        words[short] = long.capitalize() if long else short.capitalize()
    return words


def _split_words(core: str) -> str:
    """'keystonecommunitybank' -> 'Keystone Community Bank'; unknown brands stay whole."""
    suffixes: list[str] = []
    words = _org_words()
    found = True
    while found:
        found = False
        for word in sorted(words, key=len, reverse=True):
            if core.endswith(word) and len(core) - len(word) >= 3:
                suffixes.insert(0, words[word])
                core = core[: -len(word)]
                found = True
                break
    brand = [core.capitalize()]
    if len(core) >= _SPLIT_MIN_CHARS:
        import wordninja  # small pure-Python splitter; imported only when needed

        pieces = wordninja.split(core)
        if len(pieces) > 1 and all(len(piece) >= 4 for piece in pieces):
            brand = [piece.capitalize() for piece in pieces]
    return " ".join([*brand, *suffixes])


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
