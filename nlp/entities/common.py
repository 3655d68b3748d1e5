"""What every rule shares: word lists, the sender, name patterns, cleaning, titles."""

from __future__ import annotations

import re
import unicodedata
from email.utils import parseaddr
from functools import cache, lru_cache
from importlib.resources import files


@cache
def _word_list(name: str) -> frozenset[str]:
    """A lower-cased word list from ``lexicon/<name>`` (``#`` lines are comments)."""
    text = files("bounceback.nlp").joinpath("lexicon", name).read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


@cache
def given_names() -> frozenset[str]:
    """The given names ``lexicon/not_employers.txt`` lists ("priya", "tom"), lower case."""
    text = files("bounceback.nlp").joinpath("lexicon", "not_employers.txt").read_text("utf-8")
    _, _, section = text.partition("# given names")
    lines = (line.strip() for line in section.splitlines()[1:])
    return frozenset(line.lower() for line in lines if line and not line.startswith("#"))


#: Legal forms that end a company's name and say nothing about which company it is.
LEGAL_FORMS = r"Ltd\.?|Limited|Inc\.?|Incorporated|plc|PLC|LLC|GmbH|Pvt\.? Ltd\.?|Pty\.? Ltd\.?"

# A sign-off line on its own: "Kind regards,", "Sincerely", "Thanks again!"
_VALEDICTION = re.compile(
    r"^(?:(?:(?:kind|best|warm|warmest|many|with)\s+)?(?:regards|wishes|thanks)|sincerely|"
    r"cheers|yours (?:sincerely|faithfully|truly)|respectfully|all the best|best|thank you|"
    r"thanks again)[,.!]?$",
    re.IGNORECASE,
)
_SECOND_LEVEL = frozenset(
    [
        *("co", "com", "org", "net", "ac", "gov", "nhs", "edu", "sch", "ltd", "plc", "police"),
        # Australian states, Scotland, and the reserved "example" label (RFC 2606)
        *("nsw", "vic", "qld", "scot", "example"),
    ]
)
_DISPLAY_NOISE = re.compile(
    r"""\b(?:careers?|jobs?|recruit(?:ment|ing|er)?s?|talent(?:\s+acquisition)?|hiring|
    hr|human\s+resources|people(?:\s+team)?|team|no[-\s]?reply|noreply|do[-\s]?not[-\s]?reply|
    notifications?|applications?|resourcing|via\s+\w+|the|early\s+careers|graduate|
    campus|emerging\s+talent|tech|engineering\s+hiring|admissions|appointments|office|
    staffing|hr\s+services|committee|internships?|apprenticeships?|interviews?|
    candidate\s+experience|applicant\s+(?:portal|tracking)|business\s+partner|
    scheduling|scheduler|coordinator|operations|ops)\b""",
    re.IGNORECASE | re.VERBOSE,
)
# A word of a person's name: "Sinéad", "O'Brien", "Álvarez", "McAllister", "Smith-Jones".
_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][^\W\d_]*(?:[-'’][A-ZÀ-ÖØ-Þ]?[^\W\d_]+)?"
_PERSON_NAME = re.compile(
    r"^(?:(?:(?:Dr|Mr|Mrs|Ms|Miss|Prof|Professor|Fr|Rev|Sgt|Sergeant|Coach|Chef)\.?\s+)"
    rf"{_NAME_WORD}$|"  # "Chef Marco", "Coach Daniels"
    r"(?:(?:Dr|Mr|Mrs|Ms|Miss|Prof|Professor|Fr|Rev|Sgt|Sergeant)\.?\s+)?(?:[A-Z]\.\s+)?"
    rf"(?!St\b){_NAME_WORD}(?:\s+[A-Z]\.?)?"
    rf"\s+(?:(?i:de|van|von|da|al|el|le|del|di|bin)\s+)?{_NAME_WORD})$"
)
_ROLE_WORDS = (
    r"(?:role|position|post|vacancy|opportunity|job|opening|internship|placement|"
    r"programme|program|scheme|contract)"
)
# A run of words that can form a role or company name (Title Case, acronyms, & / - . ,).
# A dot only inside a word (node.js), never at its end, except after "Sr", "Jr", "Snr", "Jnr"
# ("Sr. Data Engineer" is one title) and "St", "Mt" before a name ("St. Agnes Hospital").
_ABBREVIATION_DOT = (
    r"(?:(?<=\bSr)|(?<=\bJr)|(?<=\bSnr)|(?<=\bJnr))\.(?= )|(?:(?<=\bSt)|(?<=\bMt))\.(?= [A-Z])"
)
_WORD = rf"(?:[\w&'’/+#-]|\.(?=\w)|{_ABBREVIATION_DOT})*"
_NAME = rf"[A-Z0-9]{_WORD}(?:[ \t]+(?:[A-Z0-9(]{_WORD}\)?|of|and|for|in|&|-|–|de|la|the))*"


_ROLE_STOP = re.compile(
    r"^(?:your|our|this|that|the|a|an|it|we|you|application|applications|role|position|"
    r"job|post|vacancy|update|status|thank|thanks|regarding|next|interview|candidacy|"
    # when the job is: "Re: Saturday job", "weekend job", "summer job"
    r"[a-z]+day|weekend|summer|holiday|evening|night|morning|casual|part[- ]time|"
    r"full[- ]time|temporary|temp|cv)$",
    re.IGNORECASE,
)
# Steps of the process that subjects write where a title goes ("Next steps with Quanta
# Health", "Invitation: Wayfarer Bank Virtual Assessment Centre").
_PROCESS_STEP = re.compile(
    r"^(?:next steps?|.*\bassessment (?:centre|center|day)s?)$", re.IGNORECASE
)
_TRAILING_JUNK = re.compile(r"[\s,.;:!?)(\-–|'\"]+$|\s+(?:and|or|at|with|in|for|of|the)$")
_LEADING_JUNK = re.compile(r"^[\s,.;:!?)(\-–|'\"]+|^(?:the|a|an|our|your)\s+", re.IGNORECASE)
_REF_SUFFIX = re.compile(
    r"(?:^|\s+|\s*[\[(#]\s*)(?:ref|req|job id|id)\b.*$|\s*\(.*$", re.IGNORECASE
)
_COMPANY_STOP = re.compile(
    r"^(?:us|you|this|that|the|this stage|this time|present|the moment|the company|"
    r"our company|the team|our team|the business|the organisation|the organization|"
    r"interview|the interview|this point|a later date|all|[A-Z][a-z]+day|confidential|"
    r"private|urgent|important|reminder|great|good|quick|hi|hello|thanks|thank you)$",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def _parse_sender(sender: str) -> tuple[str, str]:
    """(display name, address): cached, as every rule below looks at the sender."""
    return parseaddr(sender)


@lru_cache(maxsize=4096)
def is_ats_domain(domain: str) -> bool:
    """True if the sender domain belongs to an applicant-tracking system or bulk mailer."""
    host = domain.lower().strip(".")
    labels = host.split(".")
    ats = _word_list("ats_domains.txt")
    if any(label in ats or any(p in ats for p in label.split("-")) for label in labels):
        return True
    return is_board_host(host)


def is_board_host(domain: str) -> bool:
    """True for a board's whole host ("jobs.nhs.uk"): its labels spell no employer."""
    host = domain.lower().strip(".")
    return any(host == h or host.endswith("." + h) for h in _ats_hosts())


@lru_cache(maxsize=1)
def _ats_hosts() -> tuple[str, ...]:
    """Whole hosts of boards whose labels alone say nothing ("jobs.nhs.uk")."""
    return tuple(entry for entry in _word_list("ats_domains.txt") if "." in entry)


def _letters_of(name: str) -> str:
    """A name's letters and digits, accents folded: "Paragon Logística" -> "paragonlogistica"."""
    low = name.lower()
    if not low.isascii():
        low = unicodedata.normalize("NFKD", low)
    return _NON_ALNUM.sub("", low)


def _relay_own_name(sender: str, name: str) -> bool:
    """True if the relaying sender's domain spells ``name`` or its first word: the ATS,
    board or agency itself ("Pinpoint <no-reply@pinpointhq.com>", "ADP Workforce Now
    <...@adp.com>"), never an employer on the relay's subdomain ("Mirador Hotels
    <careers@mirador.pinpointhq.com>")."""
    labels = _parse_sender(sender)[1].rpartition("@")[2].lower().split(".")
    while len(labels) > 1 and (len(labels[-1]) <= 3 or labels[-1] in ("example", "local")):
        labels.pop()  # "mirador.pinpointhq.com" -> "pinpointhq", "s.seek.com.au" -> "seek"
    domain = _letters_of(labels[-1])
    words = name.split()
    first = _letters_of(words[0]) if words else ""
    whole = _letters_of(name)
    return bool(first) and (whole in domain or (len(first) >= 3 and domain.startswith(first)))


_NON_ALNUM = re.compile(r"[^a-z0-9]")
_SPACES = re.compile(r"\s+")


# A calendar's own notifications ("calendar-notification@google.com"): a tool, not Google.
_CALENDAR_MAILBOX = re.compile(r"^calendar[-_.]?notifications?@", re.IGNORECASE)


def _relays(sender: str) -> str:
    """Who writes if not the employer: "ats" (ATS, job board, tool), "agency", "personal"."""
    _, address = _parse_sender(sender)
    domain = address.rpartition("@")[2].lower()
    if not domain:
        return "personal"
    if is_ats_domain(domain) or _CALENDAR_MAILBOX.match(address):
        return "ats"
    parts = [p for p in domain.split(".") if p][:-1]
    while len(parts) > 1 and parts[-1] in _SECOND_LEVEL:
        parts.pop()
    core = parts[-1] if parts else ""
    if core in _word_list("mail_providers.txt"):
        return "personal"
    return "agency" if _AGENCY.search(core) else ""


_SUBJECT_PARTS = re.compile(r"\s+[-–|]\s+|:\s+|\s*\|\s*")
_SUBJECT_FILLER = re.compile(
    r"^(?:(?:re|fwd?|fw|sv|aw):\s*)*(?:(?:your|the|our|a|an|new|job|application|applying|"
    r"applied|feedback|interview|offer|update|for|to|on|about|re|walk-in|weekend|"
    r"internal|second|third|final|recruitment of|regarding|follow[- ]up on|following up on)\s+)*|"
    r"\s+(?:role|position|post|vacancy|vacancies|job|application|interview|feedback|offer|"
    r"opportunity|trial|audition|outcome|result|assessment|appointment|taster|sessions?|"
    r"received|booked|confirmed|details|process|shift|test|task|exercise|"
    r"recruitment|campaign|status|invitation|notes|scores?|search|panel|take-home|"
    r"visit|cook-off|call|chat)\b.*$",
    re.IGNORECASE,
)
# A closing "(ICU)", "(Nights)", "(React)": part of the title, unlike "(Ref 301774)",
# "(2 days)" or "(Stage 3)".
_QUALIFIER = re.compile(
    r"\s*\((?!\s*(?:ref|req|id|job|stage|round|part|\d))(?P<inside>[^()]{1,30})\)$",
    re.IGNORECASE,
)
_NOT_QUALIFIER = re.compile(
    r"\b(?:days?|hours?|weeks?|minutes?|mins?|online|remote|hybrid|virtual|in person|"
    r"video|phone|update|reminder|round|stage|fixed[- ]term|\d+/\d+)\b",
    re.IGNORECASE,
)


def _split_qualifier(value: str) -> tuple[str, str]:
    """('Staff Nurse', ' (ICU)') for 'Staff Nurse (ICU)'; a reference or date is dropped."""
    match = _QUALIFIER.search(value)
    inside = match.group("inside") if match else ""
    if (
        match
        and len(inside.split()) <= 3
        and not re.search(r"\d{3}", inside)
        and not _NOT_QUALIFIER.search(inside)
    ):
        return value[: match.start()].rstrip(), f" ({match.group('inside').strip()})"
    return re.sub(r"\s*\(.*$", "", value).rstrip(), ""


_NOT_ROLE = re.compile(
    r"\b(?:interview|confirmed|stage|date|feedback|test|update|meeting|session|round|call|"
    r"result|outcome|catch|chat|trial|day|invitation|process|appointment)\b",
    re.IGNORECASE,
)
# "Head of Finance", and with up to two qualifiers before it: "Interim Head of Finance"
_HEAD_OF = re.compile(
    r"^(?:[A-Z][a-z-]+ ){0,2}(?:Head|Teacher|Director|Professor|Lecturer|Chief) of [A-Z]"
)


def _is_role(value: str) -> bool:
    """True if ``value`` reads like a job title: capitalised, ending in a title word.

    "Line Cook", "Welder/Fabricator", "SOC Analyst Level 1", "5th Grade Teacher", and a
    title with its field: "Lecturer in Economics", "Associate, Strategy".
    """
    value = _QUALIFIER.sub("", value)  # "Staff Nurse (ICU)"
    words = value.split()
    if not 1 <= len(words) <= 8 or not (value[0].isupper() or value[0].isdigit()):
        return False
    if _HEAD_OF.match(value) and not _NOT_ROLE.search(value):
        return True
    field = _ROLE_FIELD.match(value)
    if field and len(field.group("field").split()) <= 4 and not _NOT_FIELD.search(value):
        return _is_role(field.group("title"))
    if len(words) > 6:
        return False
    last = re.sub(
        r"\s+(?:(?:(?:level|grade|band)\s*)?\d{1,2}|I{1,3}|IV)$", "", value, flags=re.I
    ).split()
    if not last:
        return False
    word = re.sub(r"[^a-z]", "", re.split(r"[/&]", last[-1].lower())[-1])
    heads = _word_list("role_heads.txt")
    if word in heads:
        return True
    # A title is singular: "Partners", "Associates", "Architects" end a firm's name.
    return word.rstrip("s") in heads and word not in _word_list("org_tail.txt")


_NOT_FIELD = re.compile(
    rf"{_NOT_ROLE.pattern}|\b(?:20\d\d|january|february|march|april|may|june|july|august|"
    r"september|october|november|december)\b",
    re.IGNORECASE,
)
# "Lecturer in Economics", "Writer in Residence", "Associate, Strategy", "Assistant to the CEO"
_ROLE_FIELD = re.compile(
    r"^(?P<title>[A-Z0-9][^,]*?)(?:,| (?:in|for|to the|to)) (?P<field>(?:the )?[A-Z][^,]*)$"
)


def _display_name(sender: str) -> str:
    return _parse_sender(sender)[0]


_AGENCY = re.compile(
    r"recruit|staffing|talent|hirings?$|(?<![sp])hire|resourcing|personnel|search|careerpoint|"
    r"agency|rec$|people$|exec$|hr$|select$|staff$|placements?$"
    # agencies known by a brand alone (a domain's whole core)
    r"|^(?:roberthalf|randstad|adecco|manpower|manpowergroup|michaelpage|pagepersonnel|"
    r"pageexecutive|kellyservices|kforce|aerotek|teksystems|allegisgroup|insightglobal|"
    r"apexsystems|harveynash|spherion|expresspros|pertemps|brookstreet|bluearrow|"
    r"morganmckinley|huxley|computerfutures|sthree|kornferry|heidrick|spencerstuart|"
    r"russellreynolds|egonzehnder|modis|akkodis|gigroup|tiptopjob)$",
    re.IGNORECASE,
)


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


def _clean_body_role(raw: str) -> str | None:
    """A role from body text: a bracket after it is a location or a reference."""
    return _clean_role(re.sub(r"\s*\(.*$", "", raw.strip()))


def _clean_role(raw: str) -> str | None:
    value, qualifier = _split_qualifier(raw.strip())
    value = _tidy(_REF_SUFFIX.sub("", value)) + qualifier
    value = re.sub(rf"\s+{_ROLE_WORDS}$", "", value, flags=re.IGNORECASE)
    if not value or len(value) > 80 or len(value.split()) > 8 or _ROLE_STOP.match(value):
        return None
    if _PROCESS_STEP.match(value):
        return None
    if not re.search(r"[A-Za-z]", value):
        return None
    return value


def _clean_company(raw: str) -> str | None:
    value = re.split(r"\s+[-–|+]\s+|\s*[!?]", raw.strip())[0]
    value = _tidy(_REF_SUFFIX.sub("", value))
    value = re.split(
        r"\s+(?:has|have|is|are|was|were|will|would|wants?|and we|but|so|for the)\b", value
    )[0]
    value = _tidy(value)
    if not value or len(value) > 60 or len(value.split()) > 8 or _COMPANY_STOP.match(value):
        return None
    if not value[0].isupper() and not value[0].isdigit():
        return None
    return value if _reads_as_a_name(value) else None


def _reads_as_a_name(value: str) -> bool:
    """False for a date, a time, a hiring step or a shouted phrase where an employer's name
    should be: "Tue 24 Mar 2026 12pm", "Care Coordinator interview", "YOU GOT IT"."""
    if _NOT_A_NAME.search(value) or _CODE_OR_GRADE.search(value):
        return False
    if value.strip(" .").lower() in _word_list("not_employers.txt"):
        return False  # "Nights", "Bengaluru", "Priya", "Offer Letter": never a whole name
    return not (len(value.split()) >= 3 and value.isupper())


# A requisition code, a pay band, a grade or a round: "R0058812", "JR-22871", "REQ_7731",
# "Band 5", "Round 2", "Store #0417".
_CODE_OR_GRADE = re.compile(
    r"\b[A-Z]{0,4}[-_#]?\d{4,}\b|^[A-Z]{1,4}[-_]\d{3,}$|"
    r"^(?:band|grade|level|round|stage|store|branch|shift|gs)[ -]?#?\d+$",
    re.IGNORECASE,
)
# A date, a time or a hiring step where an employer's name should be.
_NOT_A_NAME = re.compile(
    r"\b(?:mon|tue|wed|thu|fri|sat|sun)\w* \d{1,2}\b|\b\d{1,2}(?:[:.]\d\d)?\s?(?:am|pm)\b"
    r"|\s(?:interview|application|feedback|outcome|result|update)s?$",
    re.IGNORECASE,
)


def _tidy(value: str) -> str:
    previous = None
    while previous != value:
        previous = value
        value = _TRAILING_JUNK.sub("", _LEADING_JUNK.sub("", value)).strip()
    return value


# A line break inside a paragraph wrapped at 72 or 78 columns: the line before it is long,
# and the next is no field of a card ("Location: Cork, IE" under a long title).
_WRAPPED = re.compile(
    r"(?m)^(?P<line>[^\n]{55,})\n(?=[ \t]*\S)(?![ \t]*(?:Location|Salary|Pay|Rate|Hours|"
    r"Closing date|Ref(?:erence)?|Job (?:type|ID|ref(?:erence)?)|Department|Start date|Date|"
    r"Time|Where|When|Duration|Interviewers?|Contract type|Working pattern):[ \t])"
)


def _unwrap(text: str) -> str:
    """Paragraphs wrapped by the sender's mail program joined back into one line each.

    Short lines ("Role: Data Analyst", "Kind regards,") keep their breaks, so rules that
    read line structure still see it.
    """
    return _WRAPPED.sub(lambda m: m.group("line").rstrip() + " ", text)
