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
