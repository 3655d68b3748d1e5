"""What sits where an employer's name should be but is none: a shift, a place, a code, a
grade, a person's first name, a hiring step, a title, the ATS's own name (fifth pass)."""

from __future__ import annotations

import pytest

from bounceback.nlp.entities import extract_company_role
from bounceback.nlp.entities.common import _reads_as_a_name

_ATS = "Workday <noreply@myworkday.com>"


@pytest.mark.parametrize(
    ("subject", "sender", "body"),
    [
        # A shift, a place, a pay band, a round or a requisition code after the title
        (
            "Thank you for applying - Night Care Assistant - Nights",
            "Paylocity <noreply@paylocity.com>",
            "We have received your application and will be in touch.",
        ),
        (
            "Application status | Tax Analyst | Bengaluru",
            "SmartRecruiters <noreply@smartrecruiters.com>",
            "Thank you for your patience. We will not be moving forward.",
        ),
        (
            "Interview invitation: Staff Nurse - Band 5",
            "NHS Jobs <noreply@jobs.nhs.uk>",
            "You are invited to interview on Tuesday 8 December at 10:00.",
        ),
        (
            "Interview Call Letter - Java Developer - Round 2",
            "Talent Team <talent@gmail.com>",
            "Please report at 10 am with a copy of your resume.",
        ),
        ("Your application - JR-40918", _ATS, "Thank you for your interest. The role is filled."),
        ("Interview scheduling - REQ_5120", _ATS, "Please pick a time for your interview."),
        # A hiring step or a document where "Offer - Title, Employer" would have it
        ("Tentative Job Offer - Survey Technician", _ATS, "We are pleased to make you an offer."),
        ("Offer Letter: Seasonal Tax Preparer", _ATS, "Your offer letter is attached."),
        # A person's first name: "Interview with Priya" is a person, not a company
        (
            "Interview with Priya",
            "Lever <no-reply@hire.lever.co>",
            "Your interview has been scheduled for Thursday at 2pm.",
        ),
    ],
)
def test_what_stands_where_the_employer_would_is_no_employer(
    subject: str, sender: str, body: str
) -> None:
    assert extract_company_role(subject, sender, body)[0] is None


@pytest.mark.parametrize(
    "sender",
    ["Pinpoint <no-reply@pinpointhq.com>", "ADP Workforce Now <recruitment.noreply@adp.com>"],
)
def test_the_ats_own_display_name_is_no_employer_and_the_signature_is(sender: str) -> None:
    body = (
        "Dear Sunil,\n\nYou have been shortlisted for the Lecturer in Plumbing post. Please "
        "book a time slot with the link below.\n\nKind regards,\nMaya Ford\n"
        "Head of Recruitment, Thornbury College\n"
    )
    company, role = extract_company_role("Interview invitation", sender, body)
    assert company == "Thornbury College"
    assert role == "Lecturer in Plumbing"


def test_an_employer_on_its_own_ats_subdomain_is_still_the_employer() -> None:
    company, _ = extract_company_role(
        "Front Desk Supervisor, Corran Harbour",
        "Corran Hotels <careers@corran.pinpointhq.com>",
        "Thank you for applying. We won't be taking your application further.",
    )
    assert company == "Corran Hotels"


def test_a_title_in_the_subject_is_no_employer_and_a_code_is_no_part_of_the_title() -> None:
    company, role = extract_company_role(
        "Member Services Representative II - Branch 12",
        "Paylocity <noreply@paylocity.com>",
        "Thank you for applying. We have chosen another candidate.",
    )
    assert company is None
    assert role == "Member Services Representative II"
    _, role = extract_company_role(
        "Update regarding JR40911 Structural Engineer II",
        _ATS,
        "Thank you for your application. The position has been filled.",
    )
    assert role == "Structural Engineer II"


@pytest.mark.parametrize(
    "name",
    [
        "Galway Bay Seafoods",
        "Rachel's Kitchen",
        "Level 3 Systems",
        "7-Eleven",
        "Studio 54",
        "Priya Foods",
        "Nights Out Events",
        "Mirador Hotels",
    ],
)
def test_names_that_contain_such_words_are_still_names(name: str) -> None:
    assert _reads_as_a_name(name)


@pytest.mark.parametrize(
    "value",
    ["Nights", "Bengaluru", "MB", "Priya", "Offer Letter", "R0058812", "Band 6", "Store #0417"],
)
def test_whole_values_that_are_never_a_name(value: str) -> None:
    assert not _reads_as_a_name(value)


@pytest.mark.parametrize(
    ("subject", "sender", "employer"),
    [
        # a calendar subject names the candidate where an employer would stand
        (
            "Interview: Library Assistant - Grace Oduya",
            "Allington Library HR <hr@allingtonlibrary.org>",
            "Allington Library",
        ),
        (
            "Updated: Payroll Officer interview - Dawn Pearce",
            "Sue Ridley <sue@ridleyaccountants.co.uk>",
            "Ridley Accountants",
        ),
    ],
)
def test_the_candidate_named_in_a_calendar_subject_is_no_employer(
    subject: str, sender: str, employer: str
) -> None:
    assert extract_company_role(subject, sender, "See you then.")[0] == employer


@pytest.mark.parametrize(
    ("subject", "sender", "employer"),
    [
        # a firm named after people, from its own domain, is still the employer
        (
            "Interview: Trainee Solicitor - Grace Whitlow",
            "Recruitment <jobs@gracewhitlow.co.uk>",
            "Grace Whitlow",
        ),
        # a two-word name that is no given name is kept from an agency
        (
            "Interview Scheduled | Samvriddhi Infotech | Java Tech Lead",
            "Priya <priya@talentbridge.in>",
            "Samvriddhi Infotech",
        ),
    ],
)
def test_names_like_people_that_are_the_employer_stay(
    subject: str, sender: str, employer: str
) -> None:
    assert extract_company_role(subject, sender, "See you then.")[0] == employer
