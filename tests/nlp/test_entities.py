"""Company and role come from subject, sender and body; ATS domains never name the company."""

from __future__ import annotations

import pytest

from bounceback.nlp.entities import extract_company_role, is_ats_domain


@pytest.mark.parametrize(
    ("subject", "sender", "body", "company", "role"),
    [
        (
            "Your application for Data Analyst at Monzo",
            "Monzo Careers <no-reply@greenhouse.io>",
            "Hi Jamal,",
            "Monzo",
            "Data Analyst",
        ),
        (
            "Update on your application",
            "Talent Team <noreply@myworkday.com>",
            "Thank you for your interest in the Graduate Accountant position at Deloitte. "
            "Unfortunately we will not proceed.",
            "Deloitte",
            "Graduate Accountant",
        ),
        (
            "Re: Backend Engineer role",
            "Priya Shah <priya@acme-robotics.com>",
            "Thanks for your time.",
            "Acme Robotics",
            "Backend Engineer",
        ),
        (
            "Application: Senior Staff Nurse",
            "Recruitment <jobs@leedsth.nhs.uk>",
            "Thank you for applying.",
            "Leedsth",
            "Senior Staff Nurse",
        ),
        (
            "Thank you for applying",
            "Jobs <jobs@tesco.com>",
            "We received your application for the role of Store Manager.",
            "Tesco",
            "Store Manager",
        ),
        (
            "Your candidacy",
            "Sam Lee <sam@lever.co>",
            "Thanks for your interest in joining Stripe. We have decided not to proceed.",
            "Stripe",
            None,
        ),
        (
            "Interview invitation - Teaching Assistant",
            "Oakfield Primary School <office@oakfield.sch.uk>",
            "We would like to invite you.",
            "Oakfield Primary School",
            "Teaching Assistant",
        ),
    ],
)
def test_company_and_role(subject: str, sender: str, body: str, company: str, role: str) -> None:
    assert extract_company_role(subject, sender, body) == (company, role)


def test_ats_sender_domain_is_never_the_company() -> None:
    company, _ = extract_company_role("Your application", "noreply@greenhouse-mail.io", "Hello.")
    assert company is None


def test_personal_mail_domain_is_not_a_company() -> None:
    company, role = extract_company_role("hello", "Jo Bloggs <jo.bloggs@gmail.com>", "Hi there")
    assert (company, role) == (None, None)


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("greenhouse.io", True),
        ("wd3.myworkday.com", True),
        ("hire.lever.co", True),
        ("smartrecruiters.com", True),
        ("teamtailor.com", True),
        ("monzo.com", False),
        ("nhs.net", False),
    ],
)
def test_is_ats_domain(domain: str, expected: bool) -> None:
    assert is_ats_domain(domain) is expected


@pytest.mark.parametrize(
    ("subject", "sender", "body", "company", "role"),
    [
        # The name in the body whose letters spell the sender's domain.
        (
            "Your application",
            "Ellie Turner <ellie.turner@maplestoneassoc.com>",
            "Thank you for applying for the Office Manager role at Maplestone Associates.",
            "Maplestone Associates",
            "Office Manager",
        ),
        # An ATS mailbox named after the employer; a role in a "Role - status" subject.
        (
            "Supply Chain Analyst - application received",
            "Workday <northforge@myworkday.com>",
            "Thanks for applying to Northforge.",
            "Northforge",
            "Supply Chain Analyst",
        ),
        # Domain words split at known organisation words; a bare title as the subject.
        (
            "Line cook",
            "Hana Kobayashi <hana@keystonecommunitybank.com>",
            "Hi.",
            "Keystone Community Bank",
            "Line cook",
        ),
        # "Early Talent" is not the company; the domain is.
        (
            "Degree Apprenticeship - outcome",
            "Early Talent <earlytalent@castlegatebank.co.uk>",
            "Dear Sam,",
            "Castlegate Bank",
            "Degree Apprenticeship",
        ),
        # A recruitment agency relays the client's news: the client, never the agency.
        (
            "Feedback from Marlow Borough Council",
            "Hannah Boyd <hannah.boyd@civilsearch.co.uk>",
            "Hi Sam, I have heard back. Hannah Boyd, Civil Search",
            "Marlow Borough Council",
            None,
        ),
        # Titles and accents do not make a person's name a company.
        (
            "Offer - Embedded Software Engineer",
            "Tomasz Wróbel <tw@cobaltsystems.co.uk>",
            "Hi.",
            "Cobalt Systems",
            "Embedded Software Engineer",
        ),
        (
            "Head of Science appointment",
            "Dr. Helen Marsh <hm@kingscourt.org.uk>",
            "Hi.",
            "Kingscourt",
            "Head of Science",
        ),
    ],
)
def test_company_from_sender_spelling_and_role_from_titles(
    subject: str, sender: str, body: str, company: str | None, role: str | None
) -> None:
    assert extract_company_role(subject, sender, body) == (company, role)
