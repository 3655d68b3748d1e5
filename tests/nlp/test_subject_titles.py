"""Titles in brackets after a hiring step, and a recruiter's signature that is no title."""

from __future__ import annotations

import pytest

from bounceback.nlp.entities import extract_company_role

_GREENHOUSE = "Pallas Recruiting <no-reply@us.greenhouse-mail.io>"
_SIGNED = "Cheers,\nJenna Ortiz\nTechnical Recruiter, Pallas"


def test_a_title_in_brackets_after_the_step_is_the_role() -> None:
    _, role = extract_company_role(
        "Next step: technical interview (Backend Engineer, Payments)",
        _GREENHOUSE,
        f"Hi Dev,\nThe team would like to move you forward.\n\n{_SIGNED}",
    )
    assert role == "Backend Engineer, Payments"


def test_the_recruiters_own_title_under_the_sign_off_is_no_role() -> None:
    _, role = extract_company_role(
        "Next step",
        _GREENHOUSE,
        f"Hi Dev,\nThe team would like to move you forward.\n\n{_SIGNED}",
    )
    assert role is None


@pytest.mark.parametrize(
    "subject",
    ["Interview confirmed (Tuesday 3pm)", "Your application (m/f/d)", "Interview (Zoom)"],
)
def test_a_bracket_that_is_no_title_gives_none(subject: str) -> None:
    _, role = extract_company_role(subject, _GREENHOUSE, "See you then.")
    assert role is None


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        # the words that lead up to the title are not part of it
        ("Mosaic Learning: next stage for Curriculum Designer", "Curriculum Designer"),
        ("Feedback from your Care Coordinator interview", "Care Coordinator"),
        ("Feedback from the Data Engineer interview", "Data Engineer"),
    ],
)
def test_the_lead_in_before_a_subjects_title_is_dropped(subject: str, title: str) -> None:
    _, role = extract_company_role(subject, "Sam <sam@mosaiclearning.org>", "Hi,\nThanks.")
    assert role == title


@pytest.mark.parametrize(
    "subject",
    [
        "Next steps with Quanta Health",
        "Invitation: Wayfarer Bank Virtual Assessment Centre",
    ],
)
def test_a_step_of_the_process_is_no_title(subject: str) -> None:
    _, role = extract_company_role(subject, "Talent <talent@wayfarerbank.com>", "Hi,\nSee you.")
    assert role is None


@pytest.mark.parametrize(
    ("body", "title"),
    [
        # a small employer's offer in lower case, the title after "as a"
        (
            "Cheers for today, the lads said you didn't stop. We're happy to take you on "
            "full time as a landscaper if you want it. £13.50 an hour to start.",
            "Landscaper",
        ),
        (
            "You were a natural with the wreaths. We'd love to have you on as a florist's "
            "assistant - 3 days a week through Christmas.",
            "Florist's Assistant",
        ),
        # the title with a bracket between it and "role"
        (
            "I'm so pleased to tell you that they have offered you the Marketing Executive "
            "(12-month maternity cover) role at £31,000.",
            "Marketing Executive",
        ),
    ],
)
def test_a_title_in_a_sentence_of_the_body(body: str, title: str) -> None:
    _, role = extract_company_role("Good news", "Kate <kate@estuarytalent.co.uk>", body)
    assert role == title


def test_as_a_after_an_offer_of_help_is_no_title() -> None:
    _, role = extract_company_role(
        "Good news",
        "Kate <kate@estuarytalent.co.uk>",
        "We can take you on as a favour to your aunt, but only for the summer.",
    )
    assert role is None


@pytest.mark.parametrize(
    ("body", "title"),
    [
        # a confirmation's card line
        (
            "Hi Dara,\n\nYour interview is booked.\n\nStores Coordinator - Second Interview\n"
            "Monday, 4 January\n10:00 - 11:00\nLocation: Unit 7, Kestrel Park",
            "Stores Coordinator",
        ),
        # a test named after the job
        (
            "Hi Dara,\n\nBrightloom has invited you to complete the Data Analyst assessment. "
            "It has four questions and takes about an hour.",
            "Data Analyst",
        ),
        # a card title long enough to look wrapped, with its fields below it
        (
            "Dear Dara,\n\nThank you for applying for the position:\n\nSenior Quality Control "
            "Technician (Fixed Term, 12 Months)\nLocation: Galway, IE\n\nWe will be in touch.",
            "Senior Quality Control Technician",
        ),
    ],
)
def test_a_title_on_a_card_or_a_test(body: str, title: str) -> None:
    _, role = extract_company_role("Next steps", "Talent <talent@brightloom.example>", body)
    assert role == title


def test_a_wrapped_title_is_still_joined() -> None:
    body = (
        "Leo,\n\nGood news - the client has come back with an offer for the Data Platform\n"
        "Engineer contract: £600/day, six months, starting in January.\n\nBen"
    )
    _, role = extract_company_role("Offer!", "Ben <ben@northgate-talent.example>", body)
    assert role == "Data Platform Engineer"
