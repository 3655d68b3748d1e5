"""One employer, one name: normalised keys, fuzzy comparison, and who really hired.

Pure functions over names and the words of one email. "Greyfriars Data" and "Greyfriars
Data Co" are one employer, so are "The Quillon Company Ltd" and "Quillon"; "Kestrel
Analytics" and "Kestrel Payments" are not. An applicant-tracking system or job board
that sends the mail ("Corvid Health via Applyflow", "Sent via TalentDesk") is never the
employer, and an agency that relays a client's decision ("Fwd: Fernway - ...", a
forwarded original from fernway.example) files it under the client.

Similarity comes from rapidfuzz, never from hand-written edit distances.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr
from functools import cache, lru_cache
from importlib.resources import files

from rapidfuzz import fuzz, process

from bounceback.nlp.entities import is_ats_domain
from bounceback.nlp.namekeys import (
    SAME_EMPLOYER,
    SAME_ROLE,
    employer_key,
    employer_similarity,
    role_key,
    role_similarity,
    same_name_by_words,
)

__all__ = [
    "SAME_EMPLOYER",
    "SAME_ROLE",
    "Employer",
    "EmployerIndex",
    "employer_key",
    "employer_similarity",
    "resolve_employer",
    "role_key",
    "role_similarity",
]

_BOARDS = frozenset(
    [
        "linkedin",
        "indeed",
        "totaljobs",
        "reed",
        "seek",
        "ziprecruiter",
        "glassdoor",
        "monster",
        "jobsite",
        "cv-library",
        "cvlibrary",
        "adzuna",
        "welcometothejungle",
        "stepstone",
        "xing",
        "naukri",
        "jobharbour",
        "seekdeck",
    ]
)


@dataclass(frozen=True, slots=True)
class Employer:
    """Who the application is with, and how the mail reached the user."""

    name: str | None
    channel: str  # "direct", "ats", "board" or "agency"
    via: str | None = None  # the ATS, board or agency that sent it
    role: str | None = None  # a role read where the analyser's was not (a relayed subject)

    @property
    def key(self) -> str:
        """The employer's comparable key ('' when unknown)."""
        return employer_key(self.name)


_VIA_DISPLAY = re.compile(r"^(?P<employer>.+?)\s+(?:via|through)\s+(?P<via>.+)$", re.IGNORECASE)
_SENT_VIA = re.compile(
    r"\b(?:sent|delivered|powered)\s+(?:via|by|through)\s+"
    r"(?P<via>[A-Z][\w&.'-]*(?: [A-Z][\w&.'-]*)?)"
)
_ON_BEHALF = re.compile(
    r"(?P<via>[A-Z][\w&.'-]*(?: [A-Z][\w&.'-]*)?),? on behalf of "
    r"(?P<employer>[A-Z][\w&'-]*(?: (?:&|and|of|[A-Z][\w&'-]*)){0,4})"
)
_AT_AGENCY = re.compile(r"^[A-Z][\w'-]+(?: [A-Z][\w'-]+)* (?:at|from|@) (?P<org>[A-Z].+)$")
_FORWARD = re.compile(r"^\s*(?:fwd?|fw)\s*:", re.IGNORECASE)
_SUBJECT_LEAD = re.compile(
    r"^\s*(?:(?i:fwd?|fw|re)\s*:\s*)*(?P<name>[A-Z][\w&'-]*(?: (?:&|and|[A-Z][\w&'-]*)){0,3})"
    r"\s+[-–|:]\s+"
)


@lru_cache(maxsize=8192)
def _parse_sender(sender: str) -> tuple[str, str]:
    """(display name, address): cached, as a mailbox has few distinct senders."""
    return parseaddr(sender)


def _domain(sender: str) -> str:
    return _parse_sender(sender)[1].rpartition("@")[2].lower()


def _domain_core(domain: str) -> str:
    parts = [p for p in domain.split(".") if p][:-1]
    while len(parts) > 1 and parts[-1] in ("co", "com", "org", "net", "ac", "gov", "example"):
        parts.pop()
    return re.sub(r"[^a-z0-9]", "", parts[-1]) if parts else ""


def _compact(name: str | None) -> str:
    return employer_key(name).replace(" ", "")


def _bare(name: str | None) -> str:
    """The compact key without "and": "Calder & Finch" is spelled calderfinch.example."""
    return "".join(w for w in employer_key(name).split() if w != "and")


def _is_board(domain: str) -> bool:
    return any(label in _BOARDS for label in domain.split("."))


def _names_sender(company: str | None, domain: str, display: str) -> bool:
    """True if company is merely the sender's own organisation (its domain or display)."""
    bare = _bare(company)
    if not bare:
        return False
    core = _domain_core(domain)
    if core and (core.startswith(bare) or bare.startswith(core)):
        return True
    return bool(display) and f" {employer_key(company)} " in f" {employer_key(display)} "


def resolve_employer(
    company: str | None,
    *,
    subject: str,
    sender: str,
    body: str,
    forwarded_from: tuple[str, ...] = (),
) -> Employer:
    """The employer behind one email, given the analyser's company and the email's words."""
    display, _ = _parse_sender(sender)
    domain = _domain(sender)
    head = body[:4000]
    platforms = {_compact(m.group("via")) for m in _SENT_VIA.finditer(head)}
    behalf = _ON_BEHALF.search(head)
    if behalf:
        platforms.add(_compact(behalf.group("via")))
    via_display = _VIA_DISPLAY.match(display.strip())
    channel, via = "direct", None
    if _is_board(domain):
        channel, via = "board", _domain_core(domain).capitalize()
    elif (
        is_ats_domain(domain)
        or via_display
        or any(p and _domain_core(domain).startswith(p) for p in platforms)
    ):
        channel = "ats"
        via = via_display.group("via") if via_display else _domain_core(domain).capitalize()
    if channel in ("ats", "board") and (
        not company or _compact(company) in platforms or _names_sender(company, domain, "")
    ):
        # The relay named itself: the employer is the one it writes for.
        company = (
            (via_display and via_display.group("employer"))
            or (behalf and behalf.group("employer"))
            or _subject_lead(subject)
            or (None if _compact(display) in platforms else display or None)
        )
    relayed = _relayed_client(company, subject, display, domain, forwarded_from)
    if relayed is not None:
        return relayed
    return Employer(company.strip() if company else None, channel, via)


def _subject_lead(subject: str) -> str | None:
    match = _SUBJECT_LEAD.match(subject)
    return match.group("name") if match else None


@cache
def _role_heads() -> frozenset[str]:
    text = files("bounceback.nlp").joinpath("lexicon", "role_heads.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.lower().splitlines() if w.strip()[:1] not in "#")


def _subject_role(subject: str) -> str | None:
    """The title after a subject's leading name: "Fwd: Fernway - Product Analyst decision"."""
    match = _SUBJECT_LEAD.match(subject)
    words = subject[match.end() :].split() if match else []
    ends = [i for i, w in enumerate(words) if w.lower().strip(",.;:") in _role_heads()]
    return " ".join(words[: ends[-1] + 1]).strip(",.;:") if ends else None


def _relayed_client(
    company: str | None,
    subject: str,
    display: str,
    domain: str,
    forwarded_from: tuple[str, ...],
) -> Employer | None:
    """An agency forwarding its client's decision: the client is the employer."""
    at_org = _AT_AGENCY.match(display.strip())
    agency = at_org.group("org") if at_org else None
    if not _FORWARD.match(subject):
        return None
    own = _domain_core(domain)
    others = [_domain_core(_domain(f"<{a}>")) for a in forwarded_from]
    others = [core for core in others if core and core != own]
    lead = _subject_lead(subject)
    client: str | None = None
    if lead and _compact(lead) != own and _compact(lead) != _compact(agency):
        client = lead
    elif others:
        client = others[0].capitalize()
    if client is None or (company and not _names_sender(company, domain, display)):
        return None
    return Employer(client, "agency", agency or company, _subject_role(subject))


class EmployerIndex:
    """Employer keys seen so far, each with its applications, for fast matching.

    An exact key or a brand with descriptor words ("Quillon" / "Quillon Software") is a
    dictionary look-up, so is a name spaced another way whose letters begin the other's
    ("Meadow Bank Health" / "Meadowbank Health NHS Trust"); anything else is one rapidfuzz
    ``extractOne`` over the distinct keys (C speed), so a mailbox with thousands of
    applications still links quickly.
    """

    def __init__(self) -> None:
        self._apps: dict[str, list[int]] = {}
        self._by_first: dict[str, set[str]] = {}
        self._by_head: dict[str, set[str]] = {}  # first four letters, spaces aside -> keys
        self._compact: dict[str, str] = {}  # compact key -> key

    def add(self, key: str, app_id: int) -> None:
        """Record that application app_id is with the employer whose key is given."""
        if not key:
            return
        apps = self._apps.setdefault(key, [])
        if app_id not in apps:
            apps.append(app_id)
        self._by_first.setdefault(key.split()[0], set()).add(key)
        self._by_head.setdefault(key.replace(" ", "")[:4], set()).add(key)
        self._compact.setdefault(key.replace(" ", ""), key)

    def remove(self, key: str, app_id: int) -> None:
        """Forget one application under a key (after a rename or a merge)."""
        if app_id in self._apps.get(key, []):
            self._apps[key].remove(app_id)

    def candidates(self, name: str | None) -> list[tuple[int, float]]:
        """(application id, similarity) of every application with this employer."""
        key = employer_key(name)
        if not key:
            return []
        keys: dict[str, float] = {}
        if key in self._apps:
            keys[key] = 100.0
        compact = self._compact.get(key.replace(" ", ""))
        if compact:
            keys.setdefault(compact, 100.0)
        for other in self._by_first.get(key.split()[0], ()):
            score = employer_similarity(key, other)
            if score >= SAME_EMPLOYER:
                keys.setdefault(other, score)
        letters = key.replace(" ", "")
        for other in self._by_head.get(letters[:4], ()):
            # spaced another way: only when one name's letters begin the other's
            compact = other.replace(" ", "")
            prefix = compact.startswith(letters) or letters.startswith(compact)
            if other not in keys and prefix and same_name_by_words(key, other):
                keys[other] = employer_similarity(key, other)
        if not keys and self._compact:
            found = process.extractOne(
                key.replace(" ", ""), list(self._compact), scorer=fuzz.ratio,
                score_cutoff=SAME_EMPLOYER,
            )  # fmt: skip
            if found is not None:
                keys[self._compact[found[0]]] = float(found[1])
        return [(app_id, score) for k, score in keys.items() for app_id in self._apps.get(k, [])]
