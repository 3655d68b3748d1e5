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
