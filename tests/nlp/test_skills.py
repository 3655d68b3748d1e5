"""The skills lexicon normalises aliases, respects word boundaries and case markers."""

from __future__ import annotations

import json
import re
from importlib.resources import files

import pytest

from bounceback.nlp.skills import best_skill, find_skills, load_lexicon, parse_lexicon


@pytest.mark.parametrize(
    ("text", "category", "expected"),
    [
        ("limited experience with k8s and Helm", "experience", "Kubernetes"),
        ("Your sql needs work", "skill", "SQL"),
        ("stronger Stakeholder Management examples", None, "stakeholder management"),
        ("no current food hygiene certificate", "skill", "food hygiene"),
        ("your answers on safeguarding lacked detail", "skill", "safeguarding"),
        ("We needed someone with C# and .NET", "skill", "C#"),
        ("Your SQL examples lacked measurable results", "skill", "SQL"),
        ("Your SQL examples lacked measurable results", "evidence", "metrics and impact"),
        ("research our logistics platform first", "preparation", "company research"),
        ("Your salary expectation was above the band", "fit", "salary expectations"),
        ("Nothing that names a skill here", None, None),
    ],
)
def test_best_skill(text: str, category: str | None, expected: str | None) -> None:
    assert best_skill(text, category) == expected


def test_word_boundaries() -> None:
    assert best_skill("The scalar javascriptish thing") is None
    assert [m.skill for m in find_skills("C++ and Java, not JavaScript")] == [
        "C++",
        "Java",
        "JavaScript",
    ]


def test_case_sensitive_aliases() -> None:
    assert best_skill("Go is our main language", "skill") == "Go"
    assert best_skill("we will go ahead with another candidate") is None


def test_match_offsets_point_into_the_text() -> None:
    text = "Needs more Kubernetes and people management"
    for match in find_skills(text):
        assert text[match.start : match.end] == match.text


def test_parse_lexicon_soft_section() -> None:
    lexicon = parse_lexicon("Rust\trust|=RS\n@soft\nteamwork\tteam player\n")
    assert lexicon.hard == frozenset({"Rust"})
    assert best_skill("a real team player who knows Rust", "skill", lexicon) == "Rust"
    assert best_skill("a real team player who knows Rust", "fit", lexicon) == "teamwork"
    assert best_skill("rs is not RS", None, lexicon) == "Rust"


def _flat_pattern(aliases: list[str], flags: int) -> re.Pattern[str]:
    """The lexicon as one flat alternation, longest alias first (what the trie replaces)."""
    body = "|".join(re.escape(a) for a in sorted(set(aliases), key=len, reverse=True))
    return re.compile(rf"(?<![\w+#])(?:{body})(?![\w+#])", flags)


def test_trie_pattern_matches_what_a_flat_alternation_matches() -> None:
    text = files("bounceback.nlp").joinpath("lexicon", "skills.tsv").read_text(encoding="utf-8")
    insensitive, sensitive = [], []
    for line in text.splitlines():
        if line.strip() and not line.startswith(("#", "@")):
            for alias in filter(None, (a.strip() for a in line.partition("\t")[2].split("|"))):
                if alias.startswith("="):
                    sensitive.append(alias[1:])
                else:
                    insensitive.append(alias.lower())
    lexicon = load_lexicon()
    corpus = files("bounceback.nlp").joinpath("corpus")
    samples = [
        json.loads(line)["text"]
        for name in ("gaps.train.jsonl", "gaps.dev.jsonl")
        for line in corpus.joinpath(name).read_text(encoding="utf-8").splitlines()
    ]
    samples += [f"({a}), {a.upper()}s and {a}-ish; {a}.js" for a in insensitive + sensitive]
    assert len(samples) > 1000
    for flat, trie in (
        (_flat_pattern(insensitive, re.IGNORECASE), lexicon.insensitive),
        (_flat_pattern(sensitive, 0), lexicon.sensitive),
    ):
        assert trie is not None
        for sample in samples:
            assert [m.span() for m in trie.finditer(sample)] == [
                m.span() for m in flat.finditer(sample)
            ], sample
