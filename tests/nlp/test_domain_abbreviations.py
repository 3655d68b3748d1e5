"""A domain that abbreviates the employer's name: the name the mail spells out wins."""

from __future__ import annotations

import pytest

from bounceback.nlp.entities import extract_company_role
from bounceback.nlp.entities.domains import _shares_a_prefix


@pytest.mark.parametrize(
    ("sender", "body", "employer"),
    [
        # "ha" for Housing Association: the domain split alone gives "Greenvaleha"
        (
            "Anna Kowalczyk <anna.kowalczyk@greenvaleha.org.uk>",
            "Hi Sam,\nHere is the Teams link for your interview tomorrow at 10am.\n\n"
            "Best wishes,\nAnna Kowalczyk\nPeople Team\nGreenvale Housing\n14 Greenvale Road",
            "Greenvale Housing",
        ),
        # "fe" for further education; the domain split gave "Dunmorefe University"
        (
            "Sarah Mitchell <sarah.mitchell@dunmorefe.ac.uk>",
            "Dear Chris,\nThank you for coming in to Dunmore College for the Lecturer in "
            "Plumbing interview. I'm sorry to say we won't be offering you the post.\n\n"
            "Sarah Mitchell\nHR Officer",
            "Dunmore College",
        ),
        # "rc" for Roman Catholic, the whole name taken to its last organisation word
        (
            "Mrs J Okafor <office@stmarysrc.sch.uk>",
            "Dear Ms Hall,\nWe would like to invite you to interview for the post of Teacher "
            "of Science on Friday.\n\nMrs J Okafor\nSchool Business Manager\nSt Mary's "
            "Catholic High School, Leeds",
            "St Mary's Catholic High School",
        ),
    ],
)
def test_a_name_the_domain_abbreviates(sender: str, body: str, employer: str) -> None:
    company, _ = extract_company_role("Interview", sender, body)
    assert company == employer


@pytest.mark.parametrize(
    ("core", "text"),
    [
        # a street is no organisation, even when it spells most of the domain
        ("greenvaleha", "Our office is at 14 Greenvale Road, Leeds."),
        # the letters the name leaves are a word of the domain's own: "care" is no initial
        ("brightwayscare", "Brightways Lodge is one of our three homes."),
        # an agency that shares the brand is not the employer
        ("baywaterlabs", "Regards, Tom\nBaywater Recruitment"),
        # too little of the domain spelled
        ("aucklandphil", "Rehearsals are at Auckland Town Hall."),
    ],
)
def test_no_abbreviation_read_into_other_names(core: str, text: str) -> None:
    assert _shares_a_prefix(core, text) is None
