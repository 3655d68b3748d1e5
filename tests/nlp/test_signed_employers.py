"""The employer an ATS or a person signs with on a line of its own (sixth pass)."""

from __future__ import annotations

import pytest

from bounceback.nlp.entities import extract_company_role
from bounceback.nlp.entities.relayed import _signature_employer

_WORKDAY = "Careers <noreply@myworkday.com>"


@pytest.mark.parametrize(
    ("sender", "body", "employer"),
    [
        # An ATS's mail names the employer only in the sign-off, with its legal form
        (
            _WORKDAY,
            "Dear Isobel,\nThank you for your interest in the\nPrivate Client\nAssociate "
            "Solicitor\nposition.\n\nWe will not be taking your application further.\n\n"
            "Kind regards,\nGraduate & Lateral Recruitment\nCrane & Co LLP\n\nCrane & Co LLP "
            "is a limited liability partnership registered in England and Wales.",
            "Crane & Co LLP",  # as it signs; linked with "Crane & Co"
        ),
        (
            "SmartRecruiters <noreply@smartrecruiters.com>",
            "Dear Ananya,\nWe regret to inform you that we will not be proceeding with your "
            "candidature.\n\nRegards,\nTalent Acquisition Team\nVistaline Advisory Services "
            "Pvt. Ltd.",
            "Vistaline Advisory Services",
        ),
        # No sign-off at all: the organisation is among the last lines, beside its phone
        (
            "ADP Workforce Now <recruitment.noreply@adp.com>",
            "Hi Andre,\nWe'd like to invite you to an interview for the Bus Operator Trainee "
            "position on Monday at 9:00 AM.\n\nTri-County Regional Transit Authority\n"
            "Human Resources | (614) 555-0184",
            "Tri-County Regional Transit Authority",
        ),
    ],
)
def test_an_ats_mail_signed_by_the_employer_names_it(sender: str, body: str, employer: str) -> None:
    assert extract_company_role("Your application", sender, body)[0] == employer


@pytest.mark.parametrize(
    "body",
    [
        # a team, a title, a person or a job board below the sign-off is no employer
        "We have received your application.\n\nKind regards,\nTalent Acquisition Team",
        "We have received your application.\n\nBest,\nSenior Talent Partner",
        "We have received your application.\n\nThanks,\nPriya Natarajan",
        "Your application was sent.\n\nRegards,\nThe Indeed Team",
        # a line that ends in no legal form and no organisation word
        "We will not be moving forward.\n\nSincerely,\nBlue Sky Thinking",
    ],
)
def test_what_signs_but_is_no_employer(body: str) -> None:
    assert _signature_employer(body) is None


def test_a_domain_that_adds_a_word_gives_way_to_the_name_the_mail_is_signed_with() -> None:
    company, _ = extract_company_role(
        "Narrative Designer test",
        "Careers <careers@redkitegamesstudio.co.uk>",
        "Hi Freya,\nThanks for completing the writing test. We've decided not to move "
        "forward.\n\nAll the best,\nRed Kite Games",
    )
    assert company == "Red Kite Games"


def test_an_unrelated_signature_does_not_replace_the_domain() -> None:
    # the signature names another organisation than the domain spells: the domain stands
    company, _ = extract_company_role(
        "Your interview",
        "Jo Hart <jo@harwickfoods.co.uk>",
        "See you Tuesday at 10.\n\nKind regards,\nJo\nMember, Leeds Chamber of Commerce",
    )
    assert company == "Harwick Foods"


def test_only_an_employer_views_an_application() -> None:
    company, _ = extract_company_role(
        "Good news! Sunbelt Roofing viewed your application",
        "ZipRecruiter <alerts@ziprecruiter.com>",
        "Sunbelt Roofing viewed your application for Estimator.\n\nYour application is "
        "being considered.",
    )
    assert company == "Sunbelt Roofing"


@pytest.mark.parametrize(
    ("domain", "name"),
    [("roslinarms.co.uk", "Roslin Arms"), ("ironfistgym.co.uk", "Iron Fist Gym")],
)
def test_a_pub_or_a_gym_in_a_domain_is_spelled_out(domain: str, name: str) -> None:
    company, _ = extract_company_role("Re: the job", f"Jamie <jamie@{domain}>", "Can you start?")
    assert company == name
