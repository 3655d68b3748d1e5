"""A curated lexicon of skills and topics, and the matcher that finds them in a gap.

The lexicon lives in ``lexicon/skills.tsv`` (normalised name, then ``|``-separated
aliases). Aliases match case-insensitively on word boundaries; an alias written as
``=Go`` matches case-sensitively, for short words that are also ordinary English.
Entries after the ``@soft`` line are soft skills and topics (communication, salary,
portfolio...); the ones before it are hard skills (SQL, Kubernetes, safeguarding...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["Lexicon", "SkillMatch", "best_skill", "find_skills", "load_lexicon"]

# Gap categories for which a hard skill is the better summary than a soft topic.
_HARD_FIRST_CATEGORIES = frozenset({"skill", "experience"})
# Gap categories about the candidate's conduct or circumstances: only soft topics fit
# ("research our logistics platform" is about preparation, not about logistics).
_SOFT_ONLY_CATEGORIES = frozenset({"communication", "preparation", "motivation", "fit"})
# Letters, digits and the symbols that belong inside tool names (C#, C++, node.js).
_WORD_CHARS = r"\w+#"


@dataclass(frozen=True, slots=True)
class SkillMatch:
    """One lexicon hit: normalised name, the matched text and its offsets."""

    skill: str
    text: str
    start: int
    end: int
    hard: bool


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Compiled lexicon: one case-insensitive and one case-sensitive pattern."""

    insensitive: re.Pattern[str] | None
    sensitive: re.Pattern[str] | None
    names: dict[str, str]  # lower-cased (or exact, for =aliases) alias -> normalised name
    hard: frozenset[str]  # normalised names that are hard skills


def _trie_pattern(aliases: Iterable[str]) -> str:
    """One regular expression matching any alias, factored as a character trie.

    A flat alternation of hundreds of aliases makes the engine try each one at every
    position; the trie tries one branch per character. Greedy optional branches try the
    longer continuation first and fall back to the shorter alias, so the match at each
    position is the longest alias followed by a word boundary, as with a flat alternation
    sorted longest first.
    """
    trie: dict[str, Any] = {}
    for alias in aliases:
        node = trie
        for char in alias:
            node = node.setdefault(char, {})
        node[""] = {}  # the end of an alias
    return _node_pattern(trie)


def _node_pattern(node: dict[str, Any]) -> str:
    ends_here = "" in node
    branches = [
        re.escape(char) + _node_pattern(child) for char, child in sorted(node.items()) if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 and not ends_here else f"(?:{'|'.join(branches)})"
    return body + "?" if ends_here else body


def _compile(aliases: list[str], flags: int) -> re.Pattern[str] | None:
    if not aliases:
        return None
    body = _trie_pattern(set(aliases))
    return re.compile(rf"(?<![{_WORD_CHARS}])(?:{body})(?![{_WORD_CHARS}])", flags)


def parse_lexicon(text: str) -> Lexicon:
    """Build a :class:`Lexicon` from the TSV text format described in the module docstring."""
    names: dict[str, str] = {}
    insensitive: list[str] = []
    sensitive: list[str] = []
    hard: set[str] = set()
    soft_section = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line == "@soft":
            soft_section = True
            continue
        name, _, alias_field = line.partition("\t")
        if not soft_section:
            hard.add(name)
        for alias in filter(None, (a.strip() for a in alias_field.split("|"))):
            if alias.startswith("="):
                sensitive.append(alias[1:])
                names.setdefault(alias[1:], name)
            else:
                insensitive.append(alias.lower())
                names.setdefault(alias.lower(), name)
    return Lexicon(
        insensitive=_compile(insensitive, re.IGNORECASE),
        sensitive=_compile(sensitive, 0),
        names=names,
        hard=frozenset(hard),
    )


@cache
def load_lexicon() -> Lexicon:
    """Load the lexicon shipped in ``bounceback.nlp/lexicon/skills.tsv`` (once)."""
    resource = files("bounceback.nlp").joinpath("lexicon", "skills.tsv")
    return parse_lexicon(resource.read_text(encoding="utf-8"))


def find_skills(text: str, lexicon: Lexicon | None = None) -> list[SkillMatch]:
    """Every lexicon hit in ``text``, in order of position."""
    lexicon = lexicon or load_lexicon()
    matches: list[SkillMatch] = []
    if lexicon.insensitive is not None:
        for hit in lexicon.insensitive.finditer(text):
            name = lexicon.names[hit.group(0).lower()]
            matches.append(
                SkillMatch(name, hit.group(0), hit.start(), hit.end(), name in lexicon.hard)
            )
    if lexicon.sensitive is not None:
        for hit in lexicon.sensitive.finditer(text):
            name = lexicon.names[hit.group(0)]
            matches.append(
                SkillMatch(name, hit.group(0), hit.start(), hit.end(), name in lexicon.hard)
            )
    matches.sort(key=lambda match: (match.start, -match.end))
    return matches


def best_skill(
    text: str, category: str | None = None, lexicon: Lexicon | None = None
) -> str | None:
    """The normalised skill/topic that best summarises a gap span, or None.

    For ``skill`` and ``experience`` gaps a hard skill beats a soft topic; ``evidence``
    prefers a soft topic; communication, preparation, motivation and fit take only soft
    topics; without a category only length counts. Ties go to the longer alias, then
    the earlier one.
    """
    matches = find_skills(text, lexicon)
    if category in _SOFT_ONLY_CATEGORIES:
        matches = [match for match in matches if not match.hard]
    if not matches:
        return None
    prefer_hard = category in _HARD_FIRST_CATEGORIES

    def rank(match: SkillMatch) -> tuple[bool, int, int]:
        kind_mismatch = category is not None and match.hard != prefer_hard
        return (kind_mismatch, -(match.end - match.start), match.start)

    return min(matches, key=rank).skill
