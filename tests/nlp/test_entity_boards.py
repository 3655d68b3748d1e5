"""Employer and title in the shapes boards and go-betweens write: field lines, cards, the
employer in the third person. The board, the ATS and the agency are never the employer."""

from __future__ import annotations

import pytest

from bounceback.nlp.entities import extract_company_role, is_ats_domain


@pytest.mark.parametrize(
    ("subject", "sender", "body", "company", "role"),
    [
        (  # a field line names the employer; the board's display name does not
            "Application submitted: Porter",
            "NHS Jobs <noreply@jobs.nhs.uk>",
            "Dear Lee,\n\nYour application has been submitted.\n\nJob title: Porter\n"
            "Employer: Gilling Moor NHS Foundation Trust\nJob reference: 301-22-0091\n",
            "Gilling Moor NHS Foundation Trust",
            "Porter",
        ),
        (  # the title on the line after "for:", its reference in brackets dropped
            "You've been invited to an interview",
            "NHS Jobs <noreply@jobs.nhs.uk>",
            "Dear Lee,\n\nGilling Moor NHS Foundation Trust has invited you to an interview "
            "for:\n\nHealthcare Assistant (301-22-0114)\n\nChoose a time in your account.",
            "Gilling Moor NHS Foundation Trust",
            "Healthcare Assistant",
        ),
        (  # a board's card: title, employer, place, a line each
            "Indeed Application: Payroll Administrator",
            "Indeed Apply <indeedapply@indeed.com>",
            "Application submitted\n\nPayroll Administrator\nBrackenfield Care Homes\n"
            "Harrogate HG1\n\nYour CV was sent to the employer.",
            "Brackenfield Care Homes",
            "Payroll Administrator",
        ),
        (  # a card on one line, the employer named in the headline
            "Your application was sent to Quayline Freight",
            "LinkedIn <jobs-noreply@linkedin.com>",
            "Your application was sent to Quayline Freight\n\n"
            "Customs Coordinator · Quayline Freight · Felixstowe (On-site)\n\nApplied today",
            "Quayline Freight",
            "Customs Coordinator",
        ),
        (  # "X viewed your application"
            "Sam, your application was viewed",
            "LinkedIn <jobs-noreply@linkedin.com>",
            "Ormsby Dental Group viewed your application\n\nDental Receptionist · York",
            "Ormsby Dental Group",
            "Dental Receptionist",  # the card line under the headline
        ),
        (  # a board that signs with its own domain is not the employer
            "Application sent: Events Assistant",
            '"reed.co.uk" <noreply@reed.co.uk>',
            "Your application for Events Assistant at Halden Arts Centre was sent on 4 May.",
            "Halden Arts Centre",
            "Events Assistant",
        ),
        (  # a recruiter whose domain looks like an employer's speaks of the client
            "RE: Marlowe & Finch",
            "Tom Price <tom@pricewhitlock.co.uk>",
            "Hi Dana,\n\nMarlowe & Finch have decided to go with an internal candidate.",
            "Marlowe & Finch",
            None,
        ),
        (  # ...and the subject spells the client out in full
            "RE: Glenrock Brewing",
            "Jo Ames <jo@amesandco.co.uk>",
            "Hi Ross,\n\nGlenrock have come back and they are not taking it further.",
            "Glenrock Brewing",
            None,
        ),
        (  # an employer writing of itself in the third person is still the sender
            "Your application",
            "Recruitment <jobs@fernleighfoods.co.uk>",
            "Dear Sam,\n\nFernleigh Foods has decided to pause hiring for the Buyer post.",
            "Fernleigh Foods",
            "Buyer",
        ),
    ],
)
def test_boards_and_go_betweens(
    subject: str, sender: str, body: str, company: str | None, role: str | None
) -> None:
    assert extract_company_role(subject, sender, body) == (company, role)


@pytest.mark.parametrize(
    ("subject", "role"),
    [
        ("Regarding interview for Site Supervisor post", "Site Supervisor"),
        ("2027 Trainee Surveyor - application", "Trainee Surveyor"),
    ],
)
def test_a_subject_title_loses_its_lead_in(subject: str, role: str) -> None:
    _, found = extract_company_role(subject, "Hiring <hiring@wrexcombe.co.uk>", "Hello.")
    assert found == role


def test_the_employer_does_not_lead_the_title() -> None:
    found = extract_company_role(
        "Tarnfield Law Summer Associate", "Careers <careers@tarnfieldlaw.com>", "Dear Ms Ode,"
    )
    assert found == ("Tarnfield Law", "Summer Associate")


@pytest.mark.parametrize(
    ("sender", "company"),
    [
        ("Bookings <bookings@hallowdenegolf.co.uk>", "Hallowdene Golf Club"),
        ("Ops <ops@keldmfg.com>", "Keld Manufacturing"),
        ("Desk <desk@corriemag.com>", "Corrie Magazine"),
    ],
)
def test_domain_abbreviations_are_written_out(sender: str, company: str) -> None:
    assert extract_company_role("Your application", sender, "Thanks for applying.")[0] == company


def test_a_board_host_is_a_relay_but_not_every_jobs_subdomain() -> None:
    assert is_ats_domain("jobs.nhs.uk")
    assert is_ats_domain("mail.jobs.nhs.uk")
    assert not is_ats_domain("jobs.fernleighfoods.co.uk")


def test_a_card_reads_the_same_when_unwrapping_joined_its_lines() -> None:
    apart = "Senior Buyer, Fresh Produce\nMarrowby Foods · Leeds (Hybrid)\n\nApplied today"
    joined = "Senior Buyer, Fresh Produce Marrowby Foods · Leeds (Hybrid)\n\nApplied today"
    subject = "Your application was viewed by Marrowby Foods"
    sender = "LinkedIn <jobs-noreply@linkedin.com>"
    expected = ("Marrowby Foods", "Senior Buyer, Fresh Produce")
    assert extract_company_role(subject, sender, apart) == expected
    assert extract_company_role(subject, sender, joined) == expected


def test_a_title_with_its_unit_after_for_colon_is_kept_whole() -> None:
    body = (
        "Dear Lee,\n\nGilling Moor NHS Foundation Trust has made you a conditional offer "
        "for:\n\nStaff Nurse - Renal Unit (301-22-0117)\nBand 5\n"
    )
    found = extract_company_role("Conditional offer", "NHS Jobs <noreply@jobs.nhs.uk>", body)
    assert found == ("Gilling Moor NHS Foundation Trust", "Staff Nurse - Renal Unit")


def test_the_card_line_under_a_headline_naming_the_employer_is_the_title() -> None:
    body = (
        "Ormsby Dental Group viewed your application\n\nDental Receptionist · York (On-site)\n\n"
        "Applied 3 days ago"
    )
    found = extract_company_role(
        "Your application was viewed", "LinkedIn <jobs-noreply@linkedin.com>", body
    )
    assert found == ("Ormsby Dental Group", "Dental Receptionist")


@pytest.mark.parametrize(
    ("subject", "sender", "body", "expected"),
    [
        (  # a firm whose name ends in "Partners" is not a job title; the title after "for" goes
            "Application sent: Facilities Engineer",
            "Jora <noreply@jora.com>",
            "Your application has been sent\n\nWe sent your profile to Banksia Health Partners "
            "for Facilities Engineer (Penrith NSW).\n\nThe employer may contact you by phone.",
            ("Banksia Health Partners", "Facilities Engineer"),
        ),
        (  # "at" an employer whose two-word name could pass for a person's
            "Your application for Store Operations Manager",
            "SmartRecruiters <noreply@smartrecruiters.com>",
            "Hi Kwabena,\n\nWe received your application for Store Operations Manager at "
            "Vantage Home - Reading. Thank you for your interest!\n\nOur recruiting team will "
            "review your profile.",
            ("Vantage Home", "Store Operations Manager"),
        ),
    ],
)
def test_employers_a_board_or_ats_names_in_passing(
    subject: str, sender: str, body: str, expected: tuple[str, str]
) -> None:
    assert extract_company_role(subject, sender, body) == expected


def test_a_plural_firm_word_is_not_a_title_but_the_singular_is() -> None:
    from bounceback.nlp.entities.common import _is_role

    assert not _is_role("Harbour Partners")
    assert not _is_role("Grey & Lyle Associates")
    assert _is_role("Partner")
    assert _is_role("Senior Associate")
    assert _is_role("Events Staff")


@pytest.mark.parametrize(
    ("subject", "sender", "body", "expected"),
    [
        (  # the reader's own name before a comma is no employer
            "Sam, news",
            "Jo Hale <jo.hale@harbourrecruitment.co.uk>",
            "Hi Sam,\n\nMarston Foods have decided not to go ahead, I'm afraid.\n\nJo",
            ("Marston Foods", None),
        ),
        (  # but a firm's name before its legal suffix is kept
            "Acme, Inc - application received",
            "Acme Careers <careers@acme-widgets.com>",
            "Hi Sam,\n\nThanks for applying.",
            ("Acme", None),
        ),
    ],
)
def test_a_name_the_subject_calls_out(
    subject: str, sender: str, body: str, expected: tuple[str | None, str | None]
) -> None:
    assert extract_company_role(subject, sender, body) == expected


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        ("Principal search - update", "Principal"),
        ("Clerical Officer Panel - Interview", "Clerical Officer"),
        ("iOS Developer take-home - results", "iOS Developer"),
        ("Travel RN - call with the unit manager", "Travel RN"),
        ("Head Chef cook-off", "Head Chef"),
    ],
)
def test_a_subject_title_loses_the_step_written_after_it(subject: str, title: str) -> None:
    from bounceback.nlp.entities.role_rules import _subject_part_role

    assert _subject_part_role(subject) == title


@pytest.mark.parametrize(
    ("body", "company", "role"),
    [
        (
            "Application submitted\n\nWarehouse Operative\nDunlin Freight - Leeds\n\nYour "
            "application has been sent to the employer. Good luck!",
            "Dunlin Freight",
            "Warehouse Operative",
        ),
        (
            "Application submitted\n\nLine Cook\nThe Copper Pot · Harrogate\n\nThe employer will "
            "review your application.",
            "Copper Pot",
            "Line Cook",
        ),
    ],
)
def test_a_card_names_title_and_employer_when_nothing_else_does(
    body: str, company: str, role: str
) -> None:
    found = extract_company_role("Your Indeed application", "Indeed <indeedapply@indeed.com>", body)
    assert found == (company, role)


@pytest.mark.parametrize(
    ("subject", "sender", "body", "company"),
    [
        # a person writing through a platform: the card under their name gives the employer
        (
            "Leah Moss sent you a new message",
            "Leah Moss via LinkedIn <messages-noreply@linkedin.com>",
            "Leah Moss sent you a message\n\nLeah Moss · Talent Acquisition, Tarnbeck Energy\n\n"
            "Hi Sam, thanks for applying for the Grid Analyst role. Could we talk on Friday?",
            "Tarnbeck Energy",
        ),
        # a manager writing from a personal address signs with title and employer
        (
            "Re: our chat",
            "Tom Reyes <tom.reyes@gmail.com>",
            "Hi Sam,\n\nGood to speak earlier. Could you come in for an interview for the Bar "
            "Manager job on Tuesday at 4pm?\n\nTom Reyes\nGeneral Manager, The Ferry Tavern",
            "Ferry Tavern",
        ),
    ],
)
def test_an_employer_signed_under_a_name(
    subject: str, sender: str, body: str, company: str
) -> None:
    assert extract_company_role(subject, sender, body)[0] == company
