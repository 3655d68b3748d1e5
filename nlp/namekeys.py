"""Employer and role names as keys: folded, legal forms and descriptors aside, compared fuzzily.

"Greyfriars Data" and "Greyfriars Data Co" are one employer, so are "The Quillon Company
Ltd" and "Quillon"; "Kestrel Analytics" and "Kestrel Payments" are not. Similarity comes
from rapidfuzz, never from hand-written edit distances. Pure functions; the organisation
words come from the entity rules' lexicons, read once.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from rapidfuzz import fuzz

__all__ = [
    "SAME_EMPLOYER",
    "SAME_ROLE",
    "employer_key",
    "employer_similarity",
    "role_key",
    "role_similarity",
    "same_name_by_words",
]

#: Scores (0-100) at or above which two names are taken as one employer / one role.
SAME_EMPLOYER = 90.0
SAME_ROLE = 85.0

# Legal forms and articles: never part of what distinguishes one employer from another.
_LEGAL = frozenset(
    [
        "ltd",
        "limited",
        "plc",
        "inc",
        "incorporated",
        "llc",
        "llp",
        "lp",
        "co",
        "company",
        "corp",
        "corporation",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "srl",
        "spa",
        "bv",
        "nv",
        "pty",
        "pte",
        "oy",
        "ab",
        "as",
        "kg",
        "se",
    ]
)
# Words that may follow a brand without naming another employer ("Quillon Software").
_DESCRIPTORS = frozenset(
    [
        "software",
        "systems",
        "technologies",
        "technology",
        "tech",
        "data",
        "analytics",
        "labs",
        "digital",
        "consulting",
        "solutions",
        "services",
        "group",
        "holdings",
        "partners",
        "uk",
        "international",
        "global",
        "health",
        "healthcare",
        "bank",
        "insurance",
        "energy",
        "foods",
        "retail",
        "travel",
        "homes",
        "council",
        "media",
        "studios",
        "ventures",
        "careers",
        "recruitment",
        "talent",
        "hr",
        "people",
        "team",
        "jobs",
    ]
)
# Words inside an organisation-type tail that are not themselves types ("Fire and Rescue
# Service", "Office of Public Works").
_TAIL_JOINERS = frozenset(
    ["and", "of", "for", "the", "fire", "rescue", "day", "holiday", "public", "community"]
)


@cache
def _organisation_words() -> frozenset[str]:
    """Words that say what kind of organisation a name is ("Trust", "Theatre", "Clinic"):
    the organisation words the entity rules read (``lexicon/org_tail.txt``, and
    ``lexicon/org_words.txt`` with its abbreviations and their written-out forms), folded
    word by word, plus the descriptors."""
    from bounceback.nlp.entities.domains import _org_words, _tail_words

    found = set(_DESCRIPTORS)
    for entry in (*_tail_words(), *_org_words()):
        found.update(_fold(entry).split())
    return frozenset(found)


# Job boards: their one-click "application sent" mail is the last word an employer ever
# sends through them, so silence there is no signal.

_NON_WORD = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("&", " and ").replace("'", "").replace("’", "")
    return _SPACES.sub(" ", _NON_WORD.sub(" ", text)).strip()


@lru_cache(maxsize=16384)
def employer_key(name: str | None) -> str:
    """The comparable form of an employer's name: folded, no article, no legal form."""
    words = _fold(name or "").split()
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    while len(words) > 1 and words[-1] in _LEGAL:
        words.pop()
    return " ".join(words)


@lru_cache(maxsize=65536)
def employer_similarity(a: str | None, b: str | None) -> float:
    """0-100: how surely two employer names mean the same employer."""
    key_a, key_b = employer_key(a), employer_key(b)
    if not key_a or not key_b:
        return 0.0
    # Whole-string similarity last: a shared first word ("Kestrel Analytics", "Kestrel
    # Payments") is not enough, where token-set or partial ratios would call it 100.
    return _word_similarity(key_a, key_b) or float(
        fuzz.ratio(key_a.replace(" ", ""), key_b.replace(" ", ""))
    )


def same_name_by_words(a: str | None, b: str | None) -> bool:
    """True if two employer names are one by their words alone, without fuzzy spelling:
    the same letters, or one with descriptor or organisation words added."""
    key_a, key_b = employer_key(a), employer_key(b)
    return bool(key_a and key_b and _word_similarity(key_a, key_b))


def _word_similarity(key_a: str, key_b: str) -> float:
    """100, 95 or 92 when the words say two keys are one employer; else 0."""
    if key_a == key_b or key_a.replace(" ", "") == key_b.replace(" ", ""):
        return 100.0
    short, long = sorted((key_a.split(), key_b.split()), key=len)
    if long[: len(short)] == short and all(w in _DESCRIPTORS for w in long[len(short) :]):
        return 95.0  # "Quillon" and "Quillon Software"
    if _organisation_tail(short, long):
        return 92.0  # "Wrenfield Arts" and "Wrenfield Arts Trust"
    return 0.0


def _organisation_tail(short: list[str], long: list[str]) -> bool:
    """True if ``long`` is ``short`` with words that only say what kind of organisation it
    is, after it ("Wrenfield Arts" + "Trust", "Dorsey Fire" + "and Rescue Service") or
    inside it ("Oakhill [Community] School"), spaced either way ("Tolland Health Care",
    "Tolland Healthcare NHS Trust"); or if ``short`` cuts short an organisation word
    ("Copsey Aero", "Copsey Aerospace").

    A one-word name matches only whole ("Bluefin" is not "Bluefinch Studio"), and the
    added words must include an organisation word: "Kestrel Analytics" and "Kestrel
    Payments" stay apart because neither is the other with words added.
    """
    if len(long) < len(short) or not short:
        return False
    letters = "".join(short)
    for k in range(1, len(long)):
        joined = "".join(long[:k])
        if joined == letters:
            return _names_a_kind(long[k:])
        if not letters.startswith(joined):
            break
    if long[0] == short[0] and len(long) > len(short) and _inserted(short, long):
        return True
    head, last = short[:-1], short[-1]
    if long[: len(head)] != head or len(long) == len(head):
        return False
    parted, tail = long[len(head)], long[len(short) :]
    # "Aero" for "Aerospace", "Pharma" for "Pharmacy"
    return (
        len(short) >= 2
        and len(last) >= 4
        and parted != last
        and parted.startswith(last)
        and parted in _organisation_words()
        and (not tail or _names_a_kind(tail))
    )


def _inserted(short: list[str], long: list[str]) -> bool:
    """True if ``long`` is ``short`` with organisation words put in ("Oakhill Community
    School" for "Oakhill School")."""
    added: list[str] = []
    rest = iter(short)
    wanted = next(rest, None)
    for word in long:
        if word == wanted:
            wanted = next(rest, None)
        else:
            added.append(word)
    return wanted is None and _names_a_kind(added)


def _names_a_kind(tail: list[str]) -> bool:
    """True if words only say what kind of organisation something is ("and Rescue Service")."""
    organisation = _organisation_words()
    return any(w in organisation for w in tail) and all(
        w in organisation or w in _TAIL_JOINERS for w in tail
    )


_ROLE_NOISE = re.compile(r"\b(?:role|position|post|vacancy|job|opening|opportunity)\b")


@lru_cache(maxsize=16384)
def role_key(role: str | None) -> str:
    """The comparable form of a job title: folded, without "role"/"position"."""
    return _SPACES.sub(" ", _ROLE_NOISE.sub(" ", _fold(role or ""))).strip()


@lru_cache(maxsize=65536)
def role_similarity(a: str | None, b: str | None) -> float:
    """0-100: one title written two ways ("Analyst" begins "Analyst, Customer Insights")."""
    key_a, key_b = role_key(a), role_key(b)
    if not key_a or not key_b:
        return 0.0
    return float(fuzz.token_set_ratio(key_a, key_b))
