"""The employer named by the link to its hosted careers site in an ATS's mail."""

from __future__ import annotations

import pytest

from bounceback.nlp.entities import extract_company_role
from bounceback.nlp.entities.tenants import tenant_employer

_WORKABLE = "Workable <noreply@candidates.workablemail.com>"


def test_the_tenant_of_the_link_names_the_employer_as_the_mail_spells_it() -> None:
    company, _ = extract_company_role(
        "Interview: Audit Senior (ACA/ACCA Qualified) - Galway",
        _WORKABLE,
        "Hi Aoife,\nWe'd like to invite you to a first interview for the Audit Senior "
        "position. Please choose a slot via the link below.\n\n"
        "https://apply.workable.com/mcgrath-kilbride/schedule/19c2\n\nThanks,\nOrla\n"
        "McGrath Kilbride Chartered Accountants",
    )
    assert company == "McGrath Kilbride"


@pytest.mark.parametrize(
    ("text", "employer"),
    [
        ("Track it at https://graylingpier.wd3.myworkdayjobs.com/en-US/careers", "Grayling Pier"),
        ("See https://careers-marrowfield.icims.com/jobs/4411 (Marrowfield Foods)", "Marrowfield"),
        ("https://jobs.lever.co/tideway-robotics/1b2c", "Tideway Robotics"),
    ],
)
def test_tenants_of_hosted_careers_sites(text: str, employer: str) -> None:
    assert (tenant_employer(text) or tenant_employer(text, spelled=False)) == employer


@pytest.mark.parametrize(
    "text",
    [
        # the systems' own pages name no tenant
        "Powered by https://www.teamtailor.com - https://hire.lever.co/survey/abc",
        "https://www.smartrecruiters.com/legal and https://app.jobvite.com/j?cj=1",
        "No link at all.",
    ],
)
def test_links_of_the_systems_themselves_name_no_employer(text: str) -> None:
    assert tenant_employer(text) is None
    assert tenant_employer(text, spelled=False) is None
