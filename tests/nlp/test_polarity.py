"""Praise that names a skill is not a gap; a contrast after it still is.

The first tests run the shipped models through :class:`Analyzer` on sentences written for
this file (not in the corpus), wrapped in the same rejection email, so the label gate,
segmentation, gap model and praise rule are the run-time ones.
"""

from __future__ import annotations

import pytest

from bounceback.nlp.analyzer import NO_GAP, Analyzer
from bounceback.nlp.polarity import has_praise, has_shortcoming, praise_only
from bounceback.nlp.records import EmailText, Gap
from bounceback.nlp.segment import Segment
from bounceback.nlp.taxonomy import GAP_CATEGORIES

HEAD = (
    "Hi Jordan,\n\nThanks again for coming in to meet the team. Unfortunately we have decided "
    "not to offer you the position.\n\n"
)
TAIL = "\n\nAll the best with your search.\n\nMorgan, Talent Team\n"

PRAISE = [
    # The sentence from the demo digest that used to be listed under Skills.
    "Your Python and pandas work in the take-home was tidy and well documented.",
    "The panel was impressed by your Kubernetes troubleshooting.",
    "Your SQL in the data exercise was excellent.",
    "We really enjoyed your demo of the React dashboard.",
    "Your Excel modelling was strong and well structured.",
    "Your safeguarding knowledge was a real strength.",
]
CONTRAST = [
    # (sentence, a phrase the gap must contain)
    ("Your Python was strong, but the SQL round showed gaps.", "SQL round"),
    ("Your pandas code was tidy, but you could not explain the statistics.", "statistics"),
    ("We liked your React, however your testing knowledge was limited.", "testing"),
    ("The panel enjoyed your demo, although you lacked experience with Terraform.", "Terraform"),
    ("Your Excel skills impressed us, but your SQL joins were often wrong.", "SQL joins"),
]


def _email(number: int, sentence: str) -> EmailText:
    return EmailText(
        id=f"polarity-{number}",
        subject="Your application for Data Analyst",
        sender="Harbourline Recruiting <careers@harbourline.example>",
        body=HEAD + sentence + TAIL,
    )


def _gaps_in_sentence(analyzer: Analyzer, sentences: list[str]) -> list[list[Gap]]:
    """The gaps found inside each sentence (not in the wrapper), one list per sentence."""
    emails = [_email(n, s) for n, s in enumerate(sentences)]
    found = []
    for sentence, result in zip(sentences, analyzer.analyze(emails), strict=True):
        start, end = len(HEAD), len(HEAD) + len(sentence)
        assert {"rejection"} <= set(result.labels)  # the gap model was consulted
        found.append([g for g in result.gaps if g.start < end and start < g.end])
    return found


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    """The analyser over the models shipped in the package."""
    return Analyzer.load()


def test_praise_that_names_a_skill_gives_no_gap(analyzer: Analyzer) -> None:
    found = _gaps_in_sentence(analyzer, PRAISE)
    assert {s: [g.text for g in gaps] for s, gaps in zip(PRAISE, found, strict=True) if gaps} == {}


def test_contrast_after_praise_still_gives_a_gap(analyzer: Analyzer) -> None:
    sentences = [sentence for sentence, _ in CONTRAST]
    found = _gaps_in_sentence(analyzer, sentences)
    for (sentence, phrase), gaps in zip(CONTRAST, found, strict=True):
        assert gaps, sentence
        assert any(phrase in g.text for g in gaps), (sentence, [g.text for g in gaps])
        # The praise clause before the contrast is not reported as a gap of its own.
        assert all(not praise_only(g.text) for g in gaps)
        assert all(g.category in GAP_CATEGORIES for g in gaps)


def test_sentence_categories_apply_the_praise_rule(analyzer: Analyzer) -> None:
    categories = [category for category, _ in analyzer.gap_categories(PRAISE)]
    assert categories == [NO_GAP] * len(PRAISE)
    ((category, _),) = analyzer.gap_categories(["You lacked hands-on experience with Terraform."])
    assert category != NO_GAP


def test_praise_rule_overrides_a_confident_model(analyzer: Analyzer) -> None:
    sure = {**dict.fromkeys(GAP_CATEGORIES, 0.0), "skill": 0.95, NO_GAP: 0.05}
    praise = "Your Terraform modules were tidy."
    assert analyzer._to_gap(Segment(praise, 0, len(praise)), sure) is None
    gap = "Your Terraform modules were untidy."
    assert analyzer._to_gap(Segment(gap, 0, len(gap)), sure) is not None


@pytest.mark.parametrize(
    "sentence",
    [
        "Your Java was excellent.",
        "The interviewers were impressed with your Docker knowledge.",
        "Your Figma prototypes were really well presented.",
        "- strong Excel and Power BI",
        "Your presentation went really well.",
    ],
)
def test_praise_only(sentence: str) -> None:
    assert has_praise(sentence) and not has_shortcoming(sentence)
    assert praise_only(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Your Java was excellent, but your SQL was weak.",  # contrast
        "Although your Docker knowledge was good, Kubernetes was new to you.",
        "We'd have liked a stronger portfolio.",  # hedged wish
        "The successful candidate had excellent Python and more experience.",  # comparison
        "Your Excel was good but not strong enough for the modelling work.",
        "Strong SQL is essential for this role.",  # a requirement, not praise
        "Your answers were not well structured.",  # negation
        "Your code was tidy as well as fast, yet it didn't handle nulls.",
        "You lacked Kubernetes experience.",  # no praise at all
        "Your references were as well documented as they could be",  # "as well", a hedge
    ],
)
def test_not_praise_only(sentence: str) -> None:
    assert not praise_only(sentence)


def test_well_after_was_is_praise() -> None:
    # "was well organised": the "as well" guard must not swallow the "as" of "was".
    assert praise_only("Your Git history was well organised.")
    assert not has_praise("We would need you in the office as well organised teams do.")
