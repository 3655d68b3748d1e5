"""Company and role of a job email, from the sender, the subject and the body.

Pure regex (plus a cached wordninja split of long domain names). Evidence is tried from
most to least reliable:

* role: subject patterns ("Your application for X at Y", "Application: X", "Re: X role"),
  then body patterns ("the X position", "the role of X", "applying for X"), then a subject
  part that is a job title once filler, reference numbers and dates are gone ("Req 44821
  Warehouse Supervisor", "Chef de Partie trial shift"; a short bracket such as "(ICU)"
  stays), then body sentences in any case ("the warehouse supervisor role", "applying to
  become a Wholetime Firefighter with", "Role: Staff Backend Engineer"). A job title ends
  in a word of ``lexicon/role_heads.txt`` or reads "X in Y" / "X, Y" ("Lecturer in
  Economics").
* company: a subject that names the employer ("from X", "application to X", "X invited
  you", "your X interview"), then "at Y" in the subject. If the sender is not the employer
  (an ATS, job board, scheduling tool, recruitment agency or personal address) the employer
  comes from an ATS mailbox or display name, a subject part that is a name and no job title
  ("Feedback - Marston Foods"), or the body ("feedback from X", "on behalf of X", "our
  client, X"); an unnamed client ("our client, a fintech in Leeds") gives none. Otherwise:
  the name in the subject, body or display name whose letters spell the sender's domain
  ("maplestoneassoc.com" -> "Maplestone Associates", "groveandmarsh.com" -> "Grove &
  Marsh") with the organisation words after it ("Corvane Systems"); the display name (minus
  "Careers", "Talent team", departments, people's names); then the sender's domain, split
  at organisation words (``lexicon/org_words.txt``) and spelled as the email spells it
  ("O'Hara Motors"); then body patterns ("at Y", "Y's talent team", "join Y").
"""

from __future__ import annotations

import re
import unicodedata
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
_WORD = r"(?:[\w&'’/+#-]|\.(?=\w))*"  # a dot only inside a word (node.js), never at its end
_NAME = rf"[A-Z0-9]{_WORD}(?:[ \t]+(?:[A-Z0-9(]{_WORD}\)?|of|and|for|in|&|-|–|de|la|the))*"

_SUBJECT_ROLE_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"application for (?:the )?(?P<role>.+?)(?: {_ROLE_WORDS})?"
        rf"(?: (?:at|with) (?P<company>.+?))?(?:\s*[-–|].*|\s*\((?:ref|req|id)\b.*)?$",
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
# A title in a body sentence, in any case ("the chef position", "be a Wholetime
# Firefighter with", "Role: Staff Backend Engineer"); kept only if it ends in a title word.
_TITLE_WORD = (
    r"(?!(?i:the|an?|in|for|about|our|your|this|that|to|with|at|on|and|is|be)\b)"
    r"[A-Za-z0-9][\w'’/&+-]*"
)
_TITLE_WORDS = rf"{_TITLE_WORD}(?:[ \t]+(?:{_TITLE_WORD}|of|&))*?"
_BODY_TITLE_PATTERNS = [
    re.compile(p, re.MULTILINE)
    for p in (
        r"^(?:Role|Position|Job title|Job|Vacancy|Post|Application for)\s*:\s*"
        rf"(?P<role>{_TITLE_WORDS})\s*(?:[,(]|$| - | at )",
        rf"\b(?:applying|applied|apply|application) (?:to|for) (?:be|become) (?:an? |the )?"
        rf"(?P<role>{_TITLE_WORDS})(?: (?:with|at|for)\b|[.,!])",
        r"\b(?:for|to|of|about|on|offer you) (?:the|our|your|a|an) "
        r"(?:(?:internal|new|open|advertised|current|vacant|permanent|temporary) )?"
        rf"(?P<role>{_TITLE_WORDS}) (?:role|position|post|job|vacancy|opening|spot|hire|"
        r"contract|place|places|scheme|programme|program)\b",
        rf"\b(?:interview|applications|application) for (?:the )?(?P<role>{_TITLE_WORDS})"
        r" (?:at|tomorrow|today|on|has|is|and|with)\b",
        rf"\bthe (?:position|role|post) (?:of )?(?P<role>{_TITLE_WORDS})[.,(]",
    )
]


def _clean_body_title(raw: str) -> str | None:
    """A title from a body sentence, in title case if written in lower case."""
    value = _clean_body_role(raw)
    if value is None:
        return None
    if value.islower():
        value = " ".join(w if w in ("of", "and", "&") else w.capitalize() for w in value.split())
    return value if _is_role(value) else None


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
    r"job|post|vacancy|update|status|thank|thanks|regarding|next|interview|candidacy|"
    # when the job is: "Re: Saturday job", "weekend job", "summer job"
    r"[a-z]+day|weekend|summer|holiday|evening|night|morning|casual|part[- ]time|"
    r"full[- ]time|temporary|temp|cv)$",
    re.IGNORECASE,
)
_TRAILING_JUNK = re.compile(r"[\s,.;:!?)(\-–|'\"]+$|\s+(?:and|or|at|with|in|for|of|the)$")
_LEADING_JUNK = re.compile(r"^[\s,.;:!?)(\-–|'\"]+|^(?:the|a|an|our|your)\s+", re.IGNORECASE)
_REF_SUFFIX = re.compile(
    r"(?:^|\s+|\s*[\[(#]\s*)(?:ref|req|job id|id)\b.*$|\s*\(.*$", re.IGNORECASE
)
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
    return any(label in ats or any(p in ats for p in label.split("-")) for label in labels)


def extract_company_role(subject: str, sender: str, body: str) -> tuple[str | None, str | None]:
    """Best guess at (company, role) for one email; either may be None."""
    subject_company, role = _from_subject(subject)
    head = body[:3000]
    fuller: str | None = None
    if role is None:
        role = _first_match(_BODY_ROLE_PATTERNS, head, "role", _clean_body_role)
        at = subject.find(f"{role} (") if role else -1
        if role and at >= 0:  # the subject's "Staff Nurse (ICU)" for the body's "Staff Nurse"
            end = subject.find(")", at)
            if 0 < end - at - len(role) <= 33:
                role = _clean_role(subject[at : end + 1]) or role
        # The body's "Analyst" may be cut at the comma of "Analyst, Customer Insights"
        # (settled below, once the employer is known).
        fuller = _subject_part_role(subject) if role else None
        cut = role is not None and f"{role}, " in head  # the body's title stops at a comma
        if not (cut and role and fuller and fuller.casefold().startswith(role.casefold() + ",")):
            fuller = None
    if role is None or not _is_role(role):
        # A title-like subject part beats a subject pattern that caught "First interview".
        role = (
            _subject_part_role(subject)
            or _first_match(_BODY_TITLE_PATTERNS, head, "role", _clean_body_title)
            or _body_title(head)
            or (None if role is None or _NOT_ROLE.search(role) else role)
        )
    text = f"{subject}\n{head}"
    company = _subject_named_company(subject) or subject_company
    relays = _relays(sender)
    if company is None and relays:
        # An agency, a job board, a scheduling tool or a personal address writes for the
        # employer: the subject or the body names it, the sender does not (an ATS
        # mailbox or display name may: "Halcyon Bank <halcyonbank@taleo.net>").
        company = (
            (relays == "ats" and _from_sender_names(sender, text))
            or _subject_part_company(subject)
            or _first_match(_RELAYED_COMPANY_PATTERNS, head, "company", _clean_relayed)
            or _from_display_name(sender)
            or _first_match(_BODY_COMPANY_PATTERNS, head, "company", _clean_relayed)
        )
    elif company is None:
        company = (
            _from_sender_names(sender, text)
            or _from_display_name(sender)
            or _from_domain(sender, text)
            or _first_match(_BODY_COMPANY_PATTERNS, head, "company", _clean_company)
        )
    elif not relays:
        # "Quillon - application for Staff SRE" from "Quillon Systems <careers@quillon.io>"
        longer = _from_sender_names(sender, text) or _from_domain(sender, text)
        if longer and longer.lower().startswith(company.lower() + " "):
            company = longer
    if company is not None and " " not in company:
        company = _longer_name(company, f"{_display_name(sender)}\n{text}")
    if relays == "ats":
        company = _ats_display_employer(sender, company, text)
    if company and _board_name(company):
        company = None  # a job board is never the employer
    if role and company and role.casefold() == company.casefold():
        # "Feedback - Ostrava Logistics": the subject named the employer, not the job
        role = _first_match(_BODY_ROLE_PATTERNS, head, "role", _clean_body_role)
        role = role if role and _is_role(role) else _body_title(head)
    if fuller and role and not (company and company.casefold() in fuller.casefold()):
        role = fuller  # the subject's whole title, unless what follows the comma is the employer
    if role:
        role = _GENDER_TAG.sub("", role).strip() or None  # "Social Media Editor (m/w/d)"
    return company or None, role


#: German and Austrian adverts' gender tag, not part of the title.
_GENDER_TAG = re.compile(r"\s*\((?:[mwfdx]\s*/\s*){1,3}[mwfdx]\*?\)", re.IGNORECASE)


#: Display names of job boards: the board, never the employer.
_BOARD_NAMES = frozenset(
    {
        "nhs jobs", "civil service jobs", "jora", "indeed", "indeed apply", "linkedin",
        "glassdoor", "ziprecruiter", "reed", "totaljobs", "seek", "monster", "cv-library",
        "adzuna", "jobs", "careers", "trac", "jobtrain", "workday", "lever", "greenhouse",
    }
)  # fmt: skip


def _board_name(name: str) -> bool:
    """ "Indeed", "LinkedIn Job Alerts", "Reed Jobs": a board's own name, not an employer."""
    folded = re.sub(r"\s+(?:job\s+)?(?:alerts?|jobs|apply)$", "", name.casefold().strip())
    return folded in _BOARD_NAMES


def _ats_display_employer(sender: str, company: str | None, text: str = "") -> str | None:
    """On ATS mail, the employer in the display name beats a subject-pattern guess.

    "Sundial Loans <no-reply@ashbyhq.com>" with the subject "Cancelled: interview" is
    Sundial Loans, not "Cancelled"; a board's own name ("NHS Jobs", "Indeed Apply") is
    never the employer, so the guess stands there.
    """
    shown = _from_display_name(sender)
    if shown is None:
        # "Sundial Loans" reads like a person's name; the mail naming it settles that.
        name = re.sub(r"\s{2,}", " ", _DISPLAY_NOISE.sub(" ", _display_name(sender))).strip()
        shown = name if len(name) > 3 and name.casefold() in text.casefold() else None
    if not shown or shown.casefold() in _BOARD_NAMES:
        return None if company and company.casefold() in _BOARD_NAMES else company
    if _letters_of(shown) in _word_list("ats_domains.txt"):
        return company
    if company is None:
        return shown
    if company.casefold() in shown.casefold() or shown.casefold() in company.casefold():
        return company if len(company) >= len(shown) else shown
    return shown


def _from_sender_names(sender: str, text: str) -> str | None:
    """A name spelled by the sender's domain or mailbox, from the display name or the text."""
    display = _display_spelled_by_sender(sender)
    core = _sender_core(sender) or ""
    if display and _letters_of(display) == core:
        return display
    return (
        _spelled_by_sender(sender, text, exact_only=True)
        or display
        or _spelled_by_sender(sender, text)
    )


def _letters_of(name: str) -> str:
    return _NON_ALNUM.sub("", name.lower())


_NON_ALNUM = re.compile(r"[^a-z0-9]")
_SPACES = re.compile(r"\s+")


@cache
def _tail_words() -> frozenset[str]:
    """Words that end organisation names, lower case: "group", "foods", "insurance"."""
    return _word_list("org_tail.txt") | frozenset(w.lower() for w in _org_words().values())


def _is_tail(word: str) -> bool:
    """True for a capitalised word that ends an organisation's name ("Group", "LLP")."""
    return word[:1].isupper() and word.lower() in _tail_words()


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


def _relays(sender: str) -> str:
    """Who writes if not the employer: "ats" (ATS, job board, tool), "agency", "personal"."""
    _, address = _parse_sender(sender)
    domain = address.rpartition("@")[2].lower()
    if not domain:
        return "personal"
    if is_ats_domain(domain):
        return "ats"
    parts = [p for p in domain.split(".") if p][:-1]
    while len(parts) > 1 and parts[-1] in _SECOND_LEVEL:
        parts.pop()
    core = parts[-1] if parts else ""
    if core in _word_list("mail_providers.txt"):
        return "personal"
    return "agency" if _AGENCY.search(core) else ""


# A name in a subject: capitalised words, "&", "of", "and", stopping at punctuation.
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
    r"^(?:(?:re|fwd?|fw|sv):\s*)*(?:(?:client|quick|your|the|an?|job|interview|offer|"
    r"feedback|update|outcome|result|news|tomorrow|today|next steps?|booked|"
    r"confirmed|details|released|status)\s+)*|"
    r"\s+(?:feedback|update|outcome|result|news|offer|interview|booked|confirmed|"
    r"details|released|site job|job|role|position|process|- .*)\b.*$",
    re.IGNORECASE,
)
_WHOLE_NAME = re.compile(
    r"^(?:The )?[A-Z][\w'’.-]*(?: (?:[A-Z&][\w'’.&-]*|of|and|the|de|on|upon))*$"
)


def _subject_part_company(subject: str) -> str | None:
    """A subject part that is a name but no job title: "Feedback - Marston Foods"."""
    text = _SPACES.sub(" ", subject).strip()
    text = re.sub(r"^(?:(?:re|fwd?|fw|sv):\s*)+", "", text, flags=re.IGNORECASE)
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
_RELAYED_COMPANY_PATTERNS = [
    re.compile(p)
    for p in (
        rf"\b(?:[Ff]eedback|heard back|[Nn]ews|an update|[Ww]ord|[Aa]n offer|[Oo]ffer) from "
        rf"(?P<company>{_NAME})",
        rf"\b(?:phone|call|spoke|spoken|speaking|chat|chatted|catch-up|met|meeting) "
        rf"(?:with|to) (?P<company>{_NAME})",
        rf"\b(?:[Oo]ur|[Mm]y) client,? (?P<company>{_NAME})",
        rf"\b(?:interview|interviews|assessment|meeting) (?:with|at) (?P<company>{_NAME})",
        rf"\b(?:submitted|put) you (?:forward )?(?:to|for) (?P<company>{_NAME})",
        rf"\b(?:applying|applied|application) (?:to|with) (?P<company>{_NAME})",
        rf"\b(?:[Tt]eam|[Pp]eople|[Cc]areers?) at (?P<company>{_NAME})",
        rf"(?:^|[.!?]\s+)(?P<company>{_NAME}) (?:have|has) (?:come back|got back|gotten back|"
        rf"decided|offered|asked|shortlisted|invited|confirmed|been in touch|given|"
        rf"chosen|gone with|made)",
    )
]


_SUBJECT_PARTS = re.compile(r"\s+[-–|]\s+|:\s+|\s*\|\s*")
_SUBJECT_FILLER = re.compile(
    r"^(?:(?:re|fwd?|fw|sv|aw):\s*)*(?:(?:your|the|our|a|an|new|job|application|applying|"
    r"applied|feedback|interview|offer|update|for|to|on|about|re|walk-in|weekend|"
    r"internal|second|third|final|recruitment of)\s+)*|"
    r"\s+(?:role|position|post|vacancy|vacancies|job|application|interview|feedback|offer|"
    r"opportunity|trial|audition|outcome|result|assessment|appointment|taster|sessions?|"
    r"received|booked|confirmed|details|process|shift|test|task|exercise|"
    r"recruitment|campaign|status|invitation|notes|scores?)\b.*$",
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
    last = re.sub(r"\s+(?:(?:level|grade|band)\s*)?\d{1,2}$", "", value, flags=re.I).split()
    if not last:
        return False
    word = re.sub(r"[^a-z]", "", re.split(r"[/&]", last[-1].lower())[-1])
    heads = _word_list("role_heads.txt")
    return word in heads or word.rstrip("s") in heads


_NOT_FIELD = re.compile(
    rf"{_NOT_ROLE.pattern}|\b(?:20\d\d|january|february|march|april|may|june|july|august|"
    r"september|october|november|december)\b",
    re.IGNORECASE,
)
# "Lecturer in Economics", "Writer in Residence", "Associate, Strategy", "Assistant to the CEO"
_ROLE_FIELD = re.compile(
    r"^(?P<title>[A-Z0-9][^,]*?)(?:,| (?:in|for|to the|to)) (?P<field>(?:the )?[A-Z][^,]*)$"
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
    return None, None


# A run of capitalised words (with "&", "and", "of" inside) that may spell a name.
_CAPITAL_RUN = re.compile(r"[A-Z][\w'’&-]*(?:[ \t]+(?:&|and|of|[A-Z][\w'’&-]*))*")
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
    core = _NON_ALNUM.sub("", core)
    if len(core) < 4 or _AGENCY.search(core):
        return None  # an agency's own name is not the employer's
    return core


def _letters(word: str) -> str:
    """The letters a word adds to a domain: "&" is spelled "and" ("groveandmarsh")."""
    return "and" if word == "&" else _NON_ALNUM.sub("", word.lower())


def _spelled_by_sender(sender: str, text: str, *, exact_only: bool = False) -> str | None:
    """The capitalised name in ``text`` whose letters spell the sender's domain or mailbox.

    "Maplestone Associates" for ``maplestoneassoc.com``, "EduScale Academy" for
    ``eduscaleacademy.in``, "Grove & Marsh" for ``groveandmarsh.com``: an exact spelling
    wins over a prefix, the first one over later. An exact spelling takes the words of an
    organisation that follow it ("Corvane Systems", "Thornberry District Council").
    """
    exact, prefix = _spellings_of_core(sender, text)
    return exact if exact_only else exact or prefix


@lru_cache(maxsize=16)
def _spellings_of_core(sender: str, text: str) -> tuple[str | None, str | None]:
    """(exact spelling, prefix spelling) of the sender's core in ``text``: one pass."""
    core = _sender_core(sender)
    if core is None:
        return None, None
    prefix: str | None = None
    first = core[0]
    for run in _CAPITAL_RUN.finditer(text):
        words = run.group().split()
        letters = [_letters(word) for word in words]
        for i in range(len(words)):
            if not letters[i].startswith(first) or words[i] in ("&", "and", "of"):
                continue
            joined = ""
            for j in range(i, min(i + 6, len(words))):
                step = letters[j]
                if words[j] == "&" and not core.startswith(joined + step):
                    step = ""  # "Sood & Associates" for "soodassociates"
                joined += step
                if not joined.startswith(core[: len(joined)]) and not joined.startswith(core):
                    break
                if joined == core or (joined.startswith(core) and len(core) >= 6):
                    end = j + 1
                    if joined == core:
                        while end < len(words) and words[end][:1].isupper():
                            if words[end].lower() not in _word_list("org_tail.txt"):
                                break
                            end += 1
                    found = _clean_company(" ".join(words[i:end]))
                    if found and joined == core:
                        return found, prefix
                    prefix = prefix or found
                    break
    return None, prefix


def _display_spelled_by_sender(sender: str) -> str | None:
    """The display name minus 'Careers' etc. when its letters begin with the sender's core.

    "Oakfield Primary School <office@oakfield.sch.uk>", "Quillon Systems
    <careers@quillon.io>", "Ridgeline Software <jobs@ridgeline.teamtailor.com>".
    """
    core = _sender_core(sender)
    name = _display_name(sender).strip().strip("\"'")
    stripped = re.sub(r"\s{2,}", " ", _DISPLAY_NOISE.sub(" ", name)).strip(" -–|,.&")
    letters = _NON_ALNUM.sub("", stripped.lower())
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
    letters = _NON_ALNUM.sub("", stripped.lower())
    if " " not in stripped and core and letters not in core:
        # "Early Talent <...@castlegatebank.co.uk>": "Early" is not the company, and
        # "Kath <kath@ferrymaninn.co.uk>" is a person
        return None
    if core and _AGENCY.search(core) and not _AGENCY.search(stripped):
        return None  # a person's name at a recruitment agency
    return _clean_company(stripped)


def _from_domain(sender: str, text: str = "") -> str | None:
    """The organisation in the sender's domain, words spelled as ``text`` spells them."""
    name, address = _parse_sender(sender)
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
    known = _spellings(f"{name}\n{text}")
    name = " ".join(_split_words(word, known) for word in re.split(r"[-_]", core))
    labels = domain.split(".")[1:]
    if "ac" in labels and " " not in name:
        name += " University"  # "thornleigh.ac.uk": a university names itself by its place
    elif "nhs" in labels and name.split()[-1] in _NHS_TRUST_HEADS:
        name += " NHS Trust"  # "norfieldhospital.nhs.uk"
    return name


_NHS_TRUST_HEADS = frozenset(["Hospital", "Hospitals", "Healthcare"])
_AGENCY = re.compile(
    r"recruit|staffing|talent|hirings?$|(?<![sp])hire|resourcing|personnel|search|careerpoint|"
    r"agency|rec$|people$",
    re.IGNORECASE,
)
# A lower-case brand this long is more likely several words ("harbourlights").
_SPLIT_MIN_CHARS = 11


@lru_cache(maxsize=4096)
def _ninja(core: str) -> list[str]:
    """Likely English words in ``core`` (wordninja: small, pure Python, imported lazily)."""
    import wordninja

    return list(wordninja.split(core))


# Before a known suffix a shorter brand is split too: "pearlriver" bank, "tokyolink" design.
_SPLIT_MIN_CHARS_BEFORE_SUFFIX = 8


@cache
def _org_word_sizes() -> list[int]:
    """The lengths of the suffix words, longest first (so "softlabs" beats "labs")."""
    return sorted({len(word) for word in _org_words()}, reverse=True)


@cache
def _org_words() -> dict[str, str]:
    """Suffix word -> how it is written ("assoc" -> "Associates")."""
    text = files("bounceback.nlp").joinpath("lexicon", "org_words.txt").read_text(encoding="utf-8")
    words = {}
    for line in text.splitlines():
        if line.strip() and line[0] != "#":
            short, _, long = line.strip().partition("=")
            words[short.lower()] = long if long else short.capitalize()
    return words


# Halves of brands written as one word ("Brightwater", "Silvercrest", "Harbourlight").
_COMPOUND_HEADS = frozenset(["bright", "silver", "north", "south", "east", "west"])


_CAPITALISED = re.compile(r"[A-ZÀ-Þ][\w'’]*")


def _spellings(text: str) -> dict[str, str]:
    """Letters -> the way the text writes a capitalised word: "ohara" -> "O'Hara"."""
    spelled: dict[str, str] = {}
    for match in _CAPITALISED.finditer(text):
        word = match.group()
        if word.isascii() and word.isalnum():
            letters = word.lower()
        else:
            letters = _NON_ALNUM.sub("", unicodedata.normalize("NFKD", word.lower()))
        if len(letters) >= 3:
            spelled.setdefault(letters, word.rstrip("'’"))
    return spelled


def _split_words(core: str, known: dict[str, str] | None = None) -> str:
    """'keystonecommunitybank' -> 'Keystone Community Bank'; unknown brands stay whole.

    ``known`` spells words as the email does: "Harbourlight" (not "Harbour Light") if the
    signature says "Harbourlight Talent", "O'Hara" for "ohara", "Lumière" for "lumiere".
    """
    known = known or {}
    if core.startswith("the") and len(core) >= 9:
        return "The " + _split_words(core[3:], known)  # "thegildedpeacock"
    suffixes: list[str] = []
    words = _org_words()
    found = True
    while found:
        found = False
        for size in _org_word_sizes():
            word = core[-size:]
            # a short suffix ("pr", "crm") only after a brand of five letters: not "tesco"
            if word in words and len(core) - size >= (3 if size > 2 else 5):
                suffixes.insert(0, words[word])
                core = core[: -len(word)]
                found = True
                break
    brand = [core.capitalize()]
    if core in known:
        return " ".join([known[core], *suffixes])
    long_enough = len(core) >= (_SPLIT_MIN_CHARS_BEFORE_SUFFIX if suffixes else _SPLIT_MIN_CHARS)
    if long_enough or (core.find("and") >= 3 and (suffixes or len(core) > 6)):
        pieces = _ninja(core)
        if "and" in pieces[1:-1] or (suffixes and pieces[-1] == "and" and len(pieces) > 1):
            # "rivetandrail" -> "Rivet & Rail", "wildeandpartners" -> "Wilde & Partners"
            at = pieces.index("and")
            brand = ["".join(pieces[:at]).capitalize(), "&"]
            brand += [piece.capitalize() for piece in pieces[at + 1 :]]
        elif len(pieces) == 2 and (
            pieces[0] in _COMPOUND_HEADS or pieces[1] in _word_list("compound_tails.txt")
        ):
            pass  # one made-up word: "Harbourlight", "Silvercrest", "Northstar"
        elif len(pieces) > 1 and all(len(piece) >= 4 for piece in pieces):
            brand = [piece.capitalize() for piece in pieces]
    brand = [known.get(piece.lower(), piece) for piece in brand]
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


def _clean_body_role(raw: str) -> str | None:
    """A role from body text: a bracket after it is a location or a reference."""
    return _clean_role(re.sub(r"\s*\(.*$", "", raw.strip()))


def _clean_role(raw: str) -> str | None:
    value, qualifier = _split_qualifier(raw.strip())
    value = _tidy(_REF_SUFFIX.sub("", value)) + qualifier
    value = re.sub(rf"\s+{_ROLE_WORDS}$", "", value, flags=re.IGNORECASE)
    if not value or len(value) > 80 or len(value.split()) > 8 or _ROLE_STOP.match(value):
        return None
    if not re.search(r"[A-Za-z]", value):
        return None
    return value


def _clean_company(raw: str) -> str | None:
    value = re.split(r"\s+[-–|+]\s+|\s*[!?]", raw.strip())[0]
    value = _tidy(_REF_SUFFIX.sub("", value))
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
