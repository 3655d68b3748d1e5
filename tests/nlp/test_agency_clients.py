"""An agency known by its brand relays its client; a client it does not name is no employer."""

from __future__ import annotations

import pytest

from bounceback.nlp.entities import extract_company_role
from bounceback.nlp.entities.extract import display_employer


@pytest.mark.parametrize(
    ("subject", "sender", "employer"),
    [
        # an agency known by its brand alone: the client the mail names is the employer
        (
            "Offer: Financial Controller - Pemberton Capital",
            "Dana Whitlock <dana.whitlock@roberthalf.com>",
            "Pemberton Capital",
        ),
        (
            "Interview confirmed: Pemberton Capital",
            "Joe Blake <joe.blake@randstad.co.uk>",
            "Pemberton Capital",
        ),
        # "placements" names an agency as "recruitment" does
        (
            "Re: Harrow & Finch - Project Manager",
            "Sunita Rao <sunita@keystoneplacements.com>",
            "Harrow & Finch",
        ),
    ],
)
def test_an_agency_relays_the_client(subject: str, sender: str, employer: str) -> None:
    company, _ = extract_company_role(subject, sender, "Hi Sam,\nGood news - call me.\n")
    assert company == employer


def test_an_agency_brand_is_never_the_employer() -> None:
    company, _ = extract_company_role(
        "Good news", "Dana Whitlock <dana.whitlock@roberthalf.com>", "Hi Sam,\nCall me.\n"
    )
    assert company is None


@pytest.mark.parametrize(
    "name",
    ["Public Sector Client", "a leading FTSE 100 company", "Confidential", "Global Client"],
)
def test_a_client_the_agency_does_not_name_is_no_employer(name: str) -> None:
    assert display_employer(name) is None


@pytest.mark.parametrize("name", ["Client Solutions Ltd", "Brand Union", "Big Issue"])
def test_names_that_only_contain_such_words_stay(name: str) -> None:
    assert display_employer(name) is not None


@pytest.mark.parametrize(
    ("subject", "sender", "body", "employer"),
    [
        # an ATS's mail that names the employer in a sentence of its own
        (
            "Application Received - Police Staff Investigator (PSI) - Ref: 26/1184",
            "Jobtrain <noreply@jobtrain.co.uk>",
            "Dear Craig,\nThank you for applying for the role of Police Staff Investigator "
            "(PSI) with Tayside and Fife Police Authority. Your reference number is 26/1184.",
            "Tayside and Fife Police Authority",
        ),
        (
            "Member Service Representative I - Branch 14",
            "Paylocity <no-reply@paylocity.com>",
            "Dear Emily,\nThank you for applying. We have selected candidates whose "
            "qualifications best match our needs.\n\nLakeshore Community Credit Union "
            "appreciates your interest and invites you to apply again.",
            "Lakeshore Community Credit Union",
        ),
        # a name of seven words is still one employer's
        (
            "Application outcome - Healthcare Support Worker (Bank)",
            "Trac <no-reply@trac.jobs>",
            "Dear Dean,\nThank you for your application for the Healthcare Support Worker "
            "(Bank) vacancy with Moorfield and District Community Health NHS Trust.",
            "Moorfield and District Community Health NHS Trust",
        ),
        # the person the agency spoke to at the client; "Reinsurance" ends a firm's name
        (
            "Verbal offer - Platform Lead",
            "Tom Harrow <tom.harrow@pewterhallsearch.co.uk>",
            "Arjun,\nJust off the phone with Sarah at Calloway Reinsurance. They're offering "
            "you the role.\n\nTom\nPewter Hall Search",
            "Calloway Reinsurance",
        ),
        # an agency relays what the client decided
        (
            "Offer!!",
            "Kate Sommers <kate.sommers@estuarytalent.co.uk>",
            "Chloe!\nI'm so pleased to tell you that The Lodge Group have offered you the "
            "Marketing Executive role.",
            "Lodge Group",
        ),
    ],
)
def test_the_employer_named_in_a_sentence_of_relayed_mail(
    subject: str, sender: str, body: str, employer: str
) -> None:
    company, _ = extract_company_role(subject, sender, body)
    assert company == employer


def test_a_person_who_has_decided_is_no_employer() -> None:
    company, _ = extract_company_role(
        "Update",
        "Kate Sommers <kate.sommers@estuarytalent.co.uk>",
        "Hi Chloe,\nSarah Jones has decided to hold off until January.",
    )
    assert company is None


def test_what_the_employer_wants_is_not_its_name() -> None:
    company, _ = extract_company_role(
        "Recruiter at Lumen Labs wants to connect", "Wellfound <team@wellfound.com>", "Hi,\n"
    )
    assert company == "Lumen Labs"
