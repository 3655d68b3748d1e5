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


# Each case below is one error class the extractor used to get wrong; every email is made up.
@pytest.mark.parametrize(
    ("subject", "sender", "body", "company", "role"),
    [
        # An agency names the client in the subject: the client, and the job from the body.
        (
            "Feedback - Ostrava Logistics",
            "Kerry Lyle <kerry@northpoint-recruitment.co.uk>",
            "Hi Jo,\n\nI've had feedback from Ostrava Logistics on your interview for the "
            "Transport Planner role. Sadly they won't be taking it further.\n\nKerry",
            "Ostrava Logistics",
            "Transport Planner",
        ),
        # ... or only in the body: "off the phone with X", "on behalf of X".
        (
            "Quick update",
            "Dev Patel <dev.patel@summitstaffing.com>",
            "Hi Jo,\n\nI've just come off the phone with Harrowgate Insurance and they would "
            "like to see you again next week.\n\nDev",
            "Harrowgate Insurance",
            None,
        ),
        (
            "Interview confirmed",
            "Priya Nair <priya@lanternsearch.com>",
            "Hi Tom,\n\nI'm writing on behalf of Greyfield Analytics to confirm your interview "
            "for the Data Scientist role on Tuesday.\n\nPriya",
            "Greyfield Analytics",
            "Data Scientist",
        ),
        # An unnamed client: no company rather than the agency or a word of the subject.
        (
            "Opportunity - Senior Backend Engineer",
            "Dan Morley <dan.morley@brookstaffing.co.uk>",
            "Hi Sam,\n\nOur client, a fintech in Leeds, is looking for a Senior Backend "
            "Engineer. Are you free for a call?\n\nDan",
            None,
            "Senior Backend Engineer",
        ),
        # Scheduling tools, assessment platforms and job boards write for the employer.
        (
            "Invitation: Technical interview with Pelican Robotics",
            "Calendly <notifications@calendly.com>",
            "A new event has been scheduled.\nInvitee: Sam Brown\n",
            "Pelican Robotics",
            None,
        ),
        (
            "Corran & Finch invited you to an assessment",
            "Assessment Hub <no-reply@testgorilla.com>",
            "Hello, please complete the tests within 5 days.",
            "Corran & Finch",
            None,
        ),
        (
            "Your application to Product Designer at Tallowmere",
            "LinkedIn <jobs-noreply@linkedin.com>",
            "Your application was sent.",
            "Tallowmere",
            "Product Designer",
        ),
        (
            "Thank you for applying to Ferncastle Energy",
            "Greenhouse <no-reply@greenhouse.io>",
            "Hi Sam,\n\nThanks for applying for the Graduate Engineer role.",
            "Ferncastle Energy",
            "Graduate Engineer",
        ),
        # An ATS mailbox still keeps the employer's own display name.
        (
            "Application update",
            "Marlowe Insurance <marloweinsurance@myworkday.com>",
            "Dear Sam, we will not be moving forward with your application.",
            "Marlowe Insurance",
            None,
        ),
        # Display names: "O'Rourke" is a person, a first name alone is a person, and a
        # department ("Apprenticeships") is no company; the domain is spelled as the email
        # spells it, "and" as "&", "the" kept.
        (
            "Re: Joiner",
            "Declan O'Rourke <declan@orourkejoinery.ie>",
            "Grand, see you Monday at 8.",
            "O'Rourke Joinery",
            "Joiner",
        ),
        (
            "Your trial on Friday",
            "Maya <maya@thelanternbistro.co.uk>",
            "Hi! Can you do a trial on Friday from 5pm as a Kitchen Porter?",
            "Lantern Bistro",  # one employer, one name: no "The"
            "Kitchen Porter",
        ),
        (
            "Apprentice Electrician application",
            "Apprenticeships <apprenticeships@hollandcivils.co.uk>",
            "Thank you for applying.",
            "Holland Civils",
            "Apprentice Electrician",
        ),
        (
            "Re: Saturday job",
            "Noura <noura@brambleandsage.co.uk>",
            "Thanks for dropping your CV in.",
            "Bramble & Sage",
            None,
        ),
        # The signature completes a bare domain name: "Pellbridge Group".
        (
            "Next steps",
            "Oliver Kent <oliver.kent@pellbridge.com>",
            "Hi Sam,\n\nThanks again for your time.\n\nOliver Kent\nHead of Data\nPellbridge Group\n",
            "Pellbridge Group",
            None,
        ),
        # Roles in subjects with reference numbers and brackets.
        (
            "Application received - Req 44821 Warehouse Supervisor",
            "Careers <careers@kestrelfreight.co.uk>",
            "Thanks for applying.",
            "Kestrel Freight",
            "Warehouse Supervisor",
        ),
        (
            "Vacancy 20931 Lecturer in Human Geography",
            "Applications <applications@westmoreuniversity.ac.uk>",
            "Thank you.",
            "Westmore University",
            "Lecturer in Human Geography",
        ),
        (
            "Interview invitation - Staff Nurse (ICU)",
            "Recruitment <recruitment@riversidehospital.nhs.uk>",
            "Dear Sam",
            "Riverside Hospital NHS Trust",
            "Staff Nurse (ICU)",
        ),
        (
            "Chef de Partie trial shift",
            "Tomasz Nowicki <tomasz@saltandember.co.uk>",
            "See you Saturday.",
            "Salt & Ember",
            "Chef de Partie",
        ),
        (
            "Thank you for applying - Quality Technician",
            "no-reply@myworkday.com",
            "Thank you for your interest in the Quality Technician (JR-20417) position at "
            "Wexcombe Foods.",
            "Wexcombe Foods",
            "Quality Technician",
        ),
        # Roles in body text: "applying to become a X with", lower case, "Role:" lines.
        (
            "Your application",
            "Hiring <hiring@ashdownfire.gov.uk>",
            "Dear Applicant,\n\nThank you for applying to become a Wholetime Firefighter with "
            "Ashdown Fire and Rescue. We will be in touch.",
            "Ashdown Fire",
            "Wholetime Firefighter",
        ),
        (
            "Re: CV",
            "Lena <lena@quayfoods.co.uk>",
            "Hi, thanks for your CV. I'll pass it on for the warehouse supervisor role and "
            "let you know.",
            "Quay Foods",
            "Warehouse Supervisor",
        ),
        (
            "Verbal offer recap",
            "Jo Reyes <jo@quillpoint.io>",
            "Hi Sam,\n\nAs discussed:\n\nRole: Staff Backend Engineer\nBase: £95,000\n",
            "Quillpoint",
            "Staff Backend Engineer",
        ),
    ],
)
def test_relayed_employers_noisy_senders_and_titles(
    subject: str, sender: str, body: str, company: str | None, role: str | None
) -> None:
    assert extract_company_role(subject, sender, body) == (company, role)


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("calendly.com", True),
        ("indeed-mail.com", True),  # a hyphen part of a label is enough
        ("cheshire.gov.uk", False),
    ],
)
def test_scheduling_tools_and_board_mailers_are_ats_domains(domain: str, expected: bool) -> None:
    assert is_ats_domain(domain) is expected


@pytest.mark.parametrize(
    ("subject", "sender", "company"),
    [
        # An ATS writing for the employer: the display name, not a subject word.
        ("Cancelled: your interview", "Sundial Loans <no-reply@ashbyhq.com>", "Sundial Loans"),
        ("HBC0412 - application update", "Hollinmoor Borough Council Recruitment "
         "<noreply@jobtrain.co.uk>", "Hollinmoor Borough Council"),
    ],
)  # fmt: skip
def test_ats_display_name_names_the_employer(subject: str, sender: str, company: str) -> None:
    body = f"Thank you for your application to {company}."
    found, _ = extract_company_role(subject, sender, body)
    assert found == company


def test_a_board_is_never_the_employer() -> None:
    found, _ = extract_company_role(
        "Application update", "NHS Jobs <noreply@jobs.nhs.uk>", "Your application was updated."
    )
    assert found is None or "jobs" not in found.lower()


def test_gender_tags_are_not_part_of_the_role() -> None:
    _, role = extract_company_role(
        "Your application – Social Media Editor (m/w/d)",
        "Elbwerk Careers <jobs@elbwerk.example>",
        "Thank you for applying.",
    )
    assert role == "Social Media Editor"


def test_a_title_with_a_comma_is_not_cut_at_it() -> None:
    _, role = extract_company_role(
        "Offer of employment - Analyst, Customer Insights",
        "Callum Ross <callum.ross@greyfriars.example>",
        "We would like to offer you the position of Analyst, Customer Insights. Salary: £46,500.",
    )
    assert role == "Analyst, Customer Insights"


@pytest.mark.parametrize("sender", ["LinkedIn Job Alerts <jobalerts-noreply@linkedin.com>",
                                    "Indeed <alert@indeed.com>", "Reed Jobs <jobs@reed.co.uk>"])  # fmt: skip
def test_a_boards_alert_names_no_employer(sender: str) -> None:
    company, _ = extract_company_role(
        "12 new jobs for Data Analyst", sender, "New jobs match your alert."
    )
    assert company is None
