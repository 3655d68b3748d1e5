"""The employer spelled by the sender's domain: "maplestoneassoc.com" -> "Maplestone Associates"."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib.resources import files

from bounceback.nlp.entities.common import (
    _AGENCY,
    _DISPLAY_NOISE,
    _NON_ALNUM,
    _SECOND_LEVEL,
    _clean_company,
    _display_name,
    _letters_of,
    _parse_sender,
    _word_list,
    is_ats_domain,
)


@cache
def _tail_words() -> frozenset[str]:
    """Words that end organisation names, lower case: "group", "foods", "insurance"."""
    return _word_list("org_tail.txt") | frozenset(w.lower() for w in _org_words().values())


def _is_tail(word: str) -> bool:
    """True for a capitalised word that ends an organisation's name ("Group", "LLP")."""
    return word[:1].isupper() and word.lower() in _tail_words()


_CAPITAL_RUN = re.compile(r"[A-Z][\w'’&-]*(?:[ \t]+(?:&|and|of|[A-Z][\w'’&-]*))*")
_GENERIC_MAILBOX = re.compile(
    r"^(?:no-?reply|do-?not-?reply|notifications?|jobs?|careers?|recruit\w*|talent|hr|"
    r"apply|applications?|hiring|info|mail|team|candidates?|support|people|\w*\d\w*)$",
    re.IGNORECASE,
)


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
    return "and" if word == "&" else _letters_of(word)


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
    """(exact spelling, prefix or stem spelling) of the sender's core in ``text``: one pass.

    A prefix spelling is longer than the core ("Quillpoint Technologies" for
    ``quillpointtech``); a stem is shorter, the core adding a few letters of its own
    ("Ironwood" for ``ironwoodsaas``, "Westbrook Community College" for ``westbrookcc``,
    the initials read from the words after the stem). A prefix wins over a stem.
    """
    core = _sender_core(sender)
    if core is None:
        return None, None
    prefix: str | None = None
    stem: str | None = None
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
                if not core.startswith(joined + step) and not (joined + step).startswith(core):
                    stem = stem or _stem_spelling(core, joined, words[i:j], words[j:])
                    break
                joined += step
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
            else:
                stem = stem or _stem_spelling(core, joined, words[i : i + 6], [])
    return None, prefix or stem


#: Letters a domain adds to the name it spells that say nothing of the organisation.
_DOMAIN_EXTRAS = frozenset(["hq", "app", "saas", "uk", "us", "usa", "inc", "ltd", "online"])


def _stem_spelling(core: str, joined: str, name: list[str], after: list[str]) -> str | None:
    """``name`` if its letters begin the core and the core adds only letters that name
    nothing ("Shingle" for ``shinglehq``) or the initials of the words after the name,
    which are then spelled out ("Westbrook Community College" for ``westbrookcc``). An
    organisation word the domain adds is not dropped: ``kindredbank`` is not "Kindred"."""
    extra = core[len(joined) :]
    if not name or len(joined) < 5 or not extra:
        return None
    initials = [w for w in after[: len(extra)] if w[:1].isupper()]
    if 2 <= len(extra) == len(initials) and "".join(w[0].lower() for w in initials) == extra:
        return _clean_company(" ".join([*name, *initials]))
    return _clean_company(" ".join(name)) if extra in _DOMAIN_EXTRAS else None


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
    shared = _shares_a_prefix(_NON_ALNUM.sub("", core), text)
    if shared:
        return shared
    known = _spellings(f"{name}\n{text}")
    name = " ".join(_split_words(word, known) for word in re.split(r"[-_]", core))
    labels = domain.split(".")[1:]
    if "ac" in labels and " " not in name:
        name += " University"  # "thornleigh.ac.uk": a university names itself by its place
    elif "nhs" in labels and name.split()[-1] in _NHS_TRUST_HEADS:
        name += " NHS Trust"  # "norfieldhospital.nhs.uk"
    return name


def _spelled_start(core: str, words: list[str]) -> tuple[int, int]:
    """(letters of ``core`` that ``words`` spell from its start, words used): whole words,
    then the first letters of one more word ("Housing" for the "h" of ``greenvaleha``)."""
    joined = ""
    for end, word in enumerate(words[:6]):
        step = _letters(word)
        if not core.startswith(joined + step):
            left = core[len(joined) :]
            partial = next((n for n in range(len(step), 0, -1) if left.startswith(step[:n])), 0)
            return len(joined) + partial, end + (partial > 0)
        joined += step
    return len(joined), min(len(words), 6)


def _shares_a_prefix(core: str, text: str) -> str | None:
    """A name in ``text`` that the domain abbreviates: its words spell all of the core but
    a short tail of initials (at most three letters; six letters spelled at least), and it
    ends in an organisation's word: "Greenvale Housing" for ``greenvaleha``, "Dunmore
    College" for ``dunmorefe``, "Tay Valley Health Board" for ``tayvalleynhs``. A tail that
    is a word ("care" of ``brightwayscare``) is the domain's own, not an abbreviation."""
    best: tuple[int, str] | None = None
    org = _tail_words()  # read once per process
    for run in _CAPITAL_RUN.finditer(text):
        words = run.group().split()
        for i in range(len(words)):
            spelled, used = _spelled_start(core, words[i:])
            if words[i] in ("&", "and", "of") or spelled < 6 or len(core) - spelled > 3:
                continue
            end = i + used
            if words[end - 1].lower() not in org:  # on to the run's last organisation word
                end = next(
                    (k for k in range(len(words), end, -1) if words[k - 1].lower() in org), 0
                )
            while 0 < end < len(words) and words[end].lower() in org:
                end += 1  # "Westmeath County Council" for ``westmeathcoco``
            found = _clean_company(" ".join(words[i:end])) if end else None
            if found and not _AGENCY.search(found) and (best is None or spelled > best[0]):
                best = (spelled, found)
    return best[1] if best else None


_NHS_TRUST_HEADS = frozenset(["Hospital", "Hospitals", "Healthcare"])


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
        letters = word.lower() if word.isascii() and word.isalnum() else _letters_of(word)
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
