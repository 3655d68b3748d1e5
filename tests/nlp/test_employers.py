"""Employer names: one employer one key, fuzzy matches that must and must not merge, relays."""

from __future__ import annotations

import pytest

from bounceback.nlp.employers import (
    SAME_EMPLOYER,
    EmployerIndex,
    employer_key,
    employer_similarity,
    resolve_employer,
    role_similarity,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Greyfriars Data", "Greyfriars Data Co"),
        ("Quillon", "Quillon Software"),
        ("The Quillon Company Ltd", "Quillon"),
        ("Tamsin & Vale", "Tamsin and Vale"),
        ("Brightledger", "Bright Ledger"),
        ("Pennant & Rousseau plc", "Pennant and Rousseau"),
        ("Lumière Studios", "Lumiere Studios"),
        ("Harrowgate Energy", "Harrowgate Enrgy"),  # a typo in a subject
        # words after the name that only say what kind of organisation it is
        ("Wrenfield Arts", "Wrenfield Arts Trust"),
        ("Dorsey Fire", "Dorsey Fire and Rescue Service"),
        ("Tollgate Medical", "Tollgate Medical Clinic"),
        ("Harebell", "Harebell Hotel"),
        ("Copsey Aero", "Copsey Aerospace"),  # the short name abbreviates a word
        ("Lanner Pharma", "Lanner Pharmacy Group"),
        ("Oakhill School", "Oakhill Community School"),  # a kind word put inside
        ("Tolland Health Care", "Tolland Healthcare NHS Trust"),  # spaced another way
    ],
)
def test_one_employer_written_two_ways(a: str, b: str) -> None:
    assert employer_similarity(a, b) >= SAME_EMPLOYER


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kestrel Analytics", "Kestrel Payments"),
        ("Northwind Traders", "Northwind Health Partners"),
        ("Holloway Insurance", "Harrowgate Energy"),
        ("Corvid Health", "Corvid Retail"),
        ("Acme", "Acne Studios"),
        ("Applyflow", "Ridgeback Retail"),
        ("Wrenfield", "Wrenfieldia Studio"),  # a one-word name matches only whole
        ("Wrenfield Arts", "Wrenfield Arts Marketplace"),  # not an organisation word
        ("Grove & Co", "Grove & Mallory"),
        ("Copsey Aero", "Copsey Aeroponics Ltd"),
        ("Oakhill School", "Oakhill Riding School"),  # the word put in names another school
    ],
)
def test_different_employers_sharing_words_stay_apart(a: str, b: str) -> None:
    assert employer_similarity(a, b) < SAME_EMPLOYER


def test_keys_drop_articles_and_legal_forms_only() -> None:
    assert employer_key("The Greyfriars Data Co. Ltd") == "greyfriars data"
    assert employer_key("Co-op") == "co op"
    assert employer_key("The Company") == "company"
    assert employer_key(None) == ""


def test_roles_written_short_and_long_match_but_other_titles_do_not() -> None:
    assert role_similarity("Analyst", "Analyst, Customer Insights") >= 85
    assert role_similarity("Data Analyst (Payments)", "Data Analyst") >= 85
    assert role_similarity("Data Analyst", "Product Manager") < 85
    assert role_similarity(None, "Data Analyst") == 0


def test_index_finds_candidates_by_key_brand_and_typo() -> None:
    index = EmployerIndex()
    index.add(employer_key("Quillon Software"), 1)
    index.add(employer_key("Kestrel Analytics"), 2)
    assert [a for a, _ in index.candidates("Quillon")] == [1]
    assert [a for a, _ in index.candidates("Kestrel Analytcs")] == [2]
    assert index.candidates("Kestrel Payments") == []
    assert index.candidates(None) == []


def test_an_ats_display_name_gives_the_employer_not_the_ats() -> None:
    employer = resolve_employer(
        "Applyflow",
        subject="Corvid Health: we've received your application",
        sender="Corvid Health via Applyflow <notifications@applyflow.example>",
        body="Applyflow, on behalf of Corvid Health",
    )
    assert (employer.name, employer.channel, employer.via) == ("Corvid Health", "ats", "Applyflow")


def test_an_ats_named_by_sent_via_gives_the_subjects_employer() -> None:
    employer = resolve_employer(
        "Applyflow",
        subject="Ridgeback Retail - application for Marketing Data Analyst",
        sender="Ridgeback Retail <no-reply@applyflow.example>",
        body="Thanks for applying.\n(sent via Applyflow - replies to this address are not read)",
    )
    assert employer.name == "Ridgeback Retail"
    assert employer.channel == "ats"


def test_an_agency_forwarding_its_clients_decision_files_it_under_the_client() -> None:
    employer = resolve_employer(
        "Calder & Finch",
        subject="Fwd: Fernway - Product Analyst candidate decision",
        sender="Maya Tran at Calder & Finch <maya.tran@calderfinch.example>",
        body="Fernway have decided not to take you forward.",
        forwarded_from=("owen.pryce@fernway.example",),
    )
    assert (employer.name, employer.channel, employer.via) == (
        "Fernway",
        "agency",
        "Calder & Finch",
    )
    assert employer.role == "Product Analyst"


def test_an_employer_forwarding_its_own_mail_stays_the_employer() -> None:
    employer = resolve_employer(
        "Loomwell",
        subject="Fwd: Loomwell - interview details",
        sender="Imogen Clarke <imogen@loomwell.example>",
        body="See below.",
        forwarded_from=("femi@loomwell.example",),
    )
    assert (employer.name, employer.channel) == ("Loomwell", "direct")


def test_a_job_board_confirmation_is_a_board_channel() -> None:
    employer = resolve_employer(
        "Marston Foods",
        subject="Your application was sent to Marston Foods",
        sender="LinkedIn <jobs-noreply@linkedin.com>",
        body="Your application was sent to Marston Foods.",
    )
    assert (employer.name, employer.channel) == ("Marston Foods", "board")
