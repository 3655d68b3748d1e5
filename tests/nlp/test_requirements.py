"""A requirement stated as the reason for the decision is a gap (DESIGN.md: "the successful
candidate had more X" is feedback)."""

from __future__ import annotations

import pytest

from bounceback.nlp.analyzer import Analyzer
from bounceback.nlp.records import EmailText
from bounceback.nlp.requirements import states_a_requirement


@pytest.mark.parametrize(
    "sentence",
    [
        "We've gone with someone who has run a commercial kitchen before.",
        "In the end the successful candidate had more experience of grant reporting.",
        "They chose an internal candidate with direct experience of the payroll system.",
        "We offered it to somebody who lives closer to the depot.",
        "You don't currently hold a CSCS card, which is essential for site work.",
        "A full UK licence is required for this post and you do not have one yet.",
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
    ],
)
def test_what_names_nothing_missing(sentence: str) -> None:
    assert not states_a_requirement(sentence)


def test_the_requirement_behind_a_rejection_is_reported_as_a_gap(analyzer: Analyzer) -> None:
    body = (
        "Hi Priya,\n\nThanks for coming in on Tuesday. We've decided to offer the role to "
        "another applicant. We went with someone who has already run a site team of "
        "twenty, as we open the second depot in March.\n\nAll the best,\nMarcus"
    )
    email = EmailText(
        id="req",
        subject="Depot Supervisor",
        sender="Marcus <marcus@lanthornlogistics.co.uk>",
        body=body,
    )
    result = analyzer.analyze_one(email)
    assert "rejection" in result.labels
    assert [g.text for g in result.gaps] == [
        "We went with someone who has already run a site team of twenty, as we open the "
        "second depot in March."
    ]
