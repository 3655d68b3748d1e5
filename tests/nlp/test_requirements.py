"""A requirement stated as the reason for the decision is a gap (DESIGN.md: "the successful
candidate had more X" is feedback)."""

from __future__ import annotations

import pytest

from bounceback.nlp.analyzer import Analyzer
from bounceback.nlp.records import EmailText
from bounceback.nlp.requirements import requirement_category, states_a_requirement


@pytest.mark.parametrize(
    "sentence",
    [
        "We've gone with someone who has run a commercial kitchen before.",
        "In the end the successful candidate had more experience of grant reporting.",
        "They chose an internal candidate with direct experience of the payroll system.",
        "We offered it to somebody who lives closer to the depot.",
        "You don't currently hold a CSCS card, which is essential for site work.",
        "A full UK licence is required for this post and you do not have one yet.",
        # the sentence that names the deciding point
        "What held us back was costing: your menu plan came in well over the food budget.",
        "Honestly, what held the panel back was your lack of secondary-school experience.",
        "Where you fell short was the written exercise, which ran out of time.",
        # seventh pass: the job needs it, the form did not show it, someone could start now
        "Your sketches were lovely but we need someone fluent in Revit from day one.",
        "As your application notes that you don't currently drive, we're not able to move "
        "forward at this time.",
        "You have not been shortlisted, as your application did not show current Gas Safe "
        "registration, which is an essential requirement for this post.",
        "They have filled the role with another contractor who could start immediately.",
        # a shortfall said plainly, in words the gap model had not learned
        "Your knowledge of the Renters' Rights Act changes was a little thin.",
        "Client feedback: Team handling experience is limited, only 2 members.",
        "Microservices design questions were answered partially.",
    ],
)
def test_a_decision_that_names_what_was_missing(sentence: str) -> None:
    assert states_a_requirement(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "We've gone with someone else this time.",
        "A full UK licence is required for this post.",
        "You do not need to bring anything on the day.",
        "Someone from the team will call you on Monday.",
        "Now the areas that held you back.",
        "Nothing held us back from making a decision quickly.",
        "We need someone to confirm the time; could you reply by Friday?",
        "Your application did not show a phone number, so please add one.",
        "Someone who can start immediately would suit us, so do say if that is you.",
        "Parking near the office is limited, so come by train if you can.",
        "The questions will be general to start with.",
    ],
)
def test_what_names_nothing_missing(sentence: str) -> None:
    assert not states_a_requirement(sentence)


@pytest.mark.parametrize(
    "point",
    [
        # each scored well under 0.5 by the gap model alone (0.02 to 0.29 when written)
        "Thanks for the trial, but we found someone who lives nearer the bakery.",
        "Sorry, we've gone with someone who has held the SSSTS ticket for a few years.",
        "Unfortunately you do not currently hold a Gas Safe registration, which is "
        "essential for this post.",
    ],
)
def test_the_requirement_behind_a_rejection_is_reported_as_a_gap(
    analyzer: Analyzer, point: str
) -> None:
    body = (
        f"Hi Priya,\n\nThank you for your time on Tuesday. We've decided not to take your "
        f"application further. {point}\n\nAll the best,\nMarcus"
    )
    email = EmailText(
        id="req",
        subject="Depot Supervisor",
        sender="Marcus <marcus@lanthornlogistics.co.uk>",
        body=body,
    )
    result = analyzer.analyze_one(email)
    assert "rejection" in result.labels
    assert point in [g.text for g in result.gaps]


@pytest.mark.parametrize(
    ("sentence", "category"),
    [
        ("We found someone with more availability in the week.", "fit"),
        ("We have decided to hire a candidate who is based in Busan.", "fit"),
        ("They filled the role with another contractor who could start immediately.", "fit"),
        ("We've gone with someone who has run a commercial kitchen before.", "experience"),
        ("In the end the successful candidate had more years on the tools.", "experience"),
        ("Your sketches were lovely but we need someone fluent in Revit.", None),
    ],
)
def test_the_kind_of_requirement_a_rule_found(sentence: str, category: str | None) -> None:
    assert requirement_category(sentence) == category


def test_a_requirement_the_model_cannot_place_gets_the_rules_category(
    analyzer: Analyzer,
) -> None:
    email = EmailText(
        id="req-fit",
        subject="Re: trial shift",
        sender="Marcus <marcus@lanthornbakery.co.uk>",
        body="Hi Priya,\n\nThanks for the trial on Saturday, but we found someone with more "
        "availability in the week, so we won't be taking it further.\n\nAll the best,\nMarcus",
    )
    gaps = analyzer.analyze_one(email).gaps
    assert [gap.category for gap in gaps] == ["fit"]


def test_the_quick_word_test_never_changes_an_answer() -> None:
    # every gap sentence of the corpus, read with and without the anchor-word shortcut
    from bounceback.nlp import requirements
    from bounceback.nlp.scoring import CORPUS_DIR, load_jsonl

    sentences = [
        record["text"]
        for name in ("gaps.train.jsonl", "gaps.dev.jsonl")
        for record in load_jsonl(CORPUS_DIR / name)
    ]
    full = [bool(requirements._REQUIREMENT_GAP.search(" ".join(s.split()))) for s in sentences]
    assert sum(full) > 50  # the patterns do fire on the corpus
    assert [states_a_requirement(s) for s in sentences] == full
