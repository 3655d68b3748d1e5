"""Employers and titles as real mail writes them: domains that add letters, titles around
their first mention, clients named in passing, openers that are neither (fourth pass)."""

from __future__ import annotations

import pytest

from bounceback.nlp.entities import extract_company_role


@pytest.mark.parametrize(
    ("sender", "body", "company"),
    [
        # The domain adds letters that name nothing: the name as the email writes it.
        (
            "Dev Rana <dev@tillerbirdhq.com>",
            "Thanks for talking to us about Tillerbird. We have filled the role.",
            "Tillerbird",
        ),
        (
            "People <people@ashcombesaas.io>",
            "We have decided not to progress. Thank you for your interest in Ashcombe.",
            "Ashcombe",
        ),
        # The domain's extra letters are the initials of the words after the name.
        (
            "HR <hr@ferncliffcc.edu>",
            "Thank you for your interest in teaching at Ferncliff Community College.",
            "Ferncliff Community College",
        ),
        # An organisation word the domain adds is kept: not "Maldon" for maldonbank.
        (
            "Careers <careers@maldonbank.co.uk>",
            "Thank you for applying to Maldon. We will not take this further.",
            "Maldon Bank",
        ),
        # An accented name spelled without its accents by the domain.
        (
            "Lucía Romero <lucia.romero@paragonlogistica.es>",
            "Thank you for your time with us at Paragon Logística last week.",
            "Paragon Logística",
        ),
        # "LLP" in a domain is a legal form, not two words.
        (
            "Anna Price <anna@priceandhollowayllp.co.uk>",
            "Thank you for coming in.",
            "Price & Holloway LLP",
        ),
    ],
)
def test_a_domain_that_adds_letters_to_the_name(sender: str, body: str, company: str) -> None:
    assert extract_company_role("Your application", sender, body)[0] == company


@pytest.mark.parametrize(
    ("subject", "sender", "body", "role"),
    [
        # The capitalised words the body writes before the subject's bare title.
        (
            "Lifeguard - outcome",
            "HR <hr@pebblecove.org.uk>",
            "Thank you for attending the Senior Lifeguard assessment. Sadly you were not "
            "successful.",
            "Senior Lifeguard",
        ),
        # A "Head of" title with a qualifier before it.
        (
            "Acting Head of Estates - Morrow Group",
            "Lena Fox <lena@foxsearch.co.uk>",
            "Hi Tom, Morrow have decided to go another way.",
            "Acting Head of Estates",
        ),
        # A lower-case title in "have given the ... job to someone else".
        (
            "Update",
            "Jo Hart <jo@hartcrossbakery.co.uk>",
            "Hi Sam, we've given the bakery assistant job to someone else, sorry.",
            "Bakery Assistant",
        ),
        # "the role" + title + a place after a dash.
        (
            "Thanks for applying!",
            "Quarrel Homes <no-reply@quarrel.teamtailor-mail.com>",
            "Thanks for applying for the role Site Surveyor – Leeds at Quarrel Homes.",
            "Site Surveyor",
        ),
        # A board's card with the employer first and the title after it.
        (
            "Reminder: your interview with Dunlin Freight is tomorrow",
            "Indeed Interview <interviews@indeed.com>",
            "Reminder: interview tomorrow\nDunlin Freight · Yard Planner\nFriday, 10:00",
            "Yard Planner",
        ),
    ],
)
def test_titles_written_around_the_first_mention(
    subject: str, sender: str, body: str, role: str
) -> None:
    assert extract_company_role(subject, sender, body)[1] == role


@pytest.mark.parametrize(
    ("subject", "sender", "body", "company"),
    [
        # "St." inside a name does not end it.
        (
            "Theatre Nurse - update",
            "Amy Cole <amy@carelinkstaffing.com>",
            "Hi Jo, I heard back from St. Brendan's Hospital. They have chosen someone else.",
            "St. Brendan's Hospital",
        ),
        # A calendar subject's date is not the employer, nor is the calendar's maker.
        (
            "Canceled event: Tarnbeck Energy - Analyst - Round 2 @ Wed 4 Mar 2026 10am - 11am "
            "(GMT) (sam@fastmail.com)",
            "Google Calendar <calendar-notification@google.com>",
            "This event has been changed.",
            "Tarnbeck Energy",
        ),
        # "feedback from your ... interview" names a step, not an employer.
        (
            "Feedback from your Porter interview",
            "Nia Hale <nia@brindlehotel.co.uk>",
            "Hi Sam, here is your feedback.",
            "Brindle Hotel",
        ),
        # A go-between names the client mid-sentence: "- Tarnwell have come back",
        # "know the Office for Tidal Data have filled", "Holloway have said no".
        (
            "Update on your application",
            "Kit Moss <kit@brightfieldtalent.co.uk>",
            "Hi Sam, just a quick one - Tarnwell have come back and it's a no for now.",
            "Tarnwell",
        ),
        (
            "Role filled",
            "Kit Moss <kit@brightfieldtalent.co.uk>",
            "Morning Sam, just to let you know the Office for Tidal Data have filled the role.",
            "Office for Tidal Data",
        ),
        # Recruiters whose domains end in exec, hr, select or staff relay a client.
        (
            "RE: feedback?",
            "Mo Reid <mo.reid@harlowexec.com>",
            "Hi Sam, sorry for the wait. Quenby Foods have come back and it's a no.",
            "Quenby Foods",
        ),
        (
            "Update",
            "Ana Ruiz <ana@pinecrestselect.co.uk>",
            "Hi Sam, Tollard Pharma have decided to go with an internal candidate.",
            "Tollard Pharma",
        ),
        # "X have just called", and a subject's "Confidential" is no employer.
        (
            "Confidential - great news",
            "Kit Moss <kit@brightfieldtalent.co.uk>",
            "Sam!! Fenmoor have just called - they'd love to offer you the job.",
            "Fenmoor",
        ),
    ],
)
def test_employers_named_in_passing_and_what_is_not_a_name(
    subject: str, sender: str, body: str, company: str
) -> None:
    assert extract_company_role(subject, sender, body)[0] == company


def test_a_title_with_its_specialisation_after_a_comma() -> None:
    body = "Hi Sam,\n\nI'm delighted to offer you the Backend Engineer, Payments role at Perch."
    assert extract_company_role("Your offer", "Dana Holt <dana@perch.io>", body) == (
        "Perch",
        "Backend Engineer, Payments",
    )


def test_subject_openers_are_neither_title_nor_employer() -> None:
    paused = extract_company_role(
        "Update on the Product Analyst role",
        "Perch Recruiting <jobs@perch.io>",
        "Hi Sam, we've paused hiring for this role.",
    )
    assert paused == ("Perch", "Product Analyst")
    relayed = extract_company_role(
        "Great news",
        "Kit Moss <kit@brightfieldtalent.co.uk>",
        "Hi Sam! Quenby Foods have offered you the Data Analyst job.",
    )
    assert relayed == ("Quenby Foods", "Data Analyst")
