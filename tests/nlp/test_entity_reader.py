"""The employer/role reader: rules settled by the shipped NER (``models/entities``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import spacy

from bounceback.nlp.analyzer import default_model_dir
from bounceback.nlp.entities import EntityModel, EntityReader, display_employer
from bounceback.nlp.entities.model import EMPLOYER, ROLE, entity_text
from bounceback.nlp.train_entities import entity_doc

Email = tuple[str, str, str]


@pytest.fixture(scope="module")
def reader() -> EntityReader:
    """The rules with the shipped employer/role model."""
    return EntityReader(EntityModel.load(default_model_dir() / "entities"))


def _one(reader: EntityReader, email: Email) -> tuple[str | None, str | None]:
    return reader.read([email])[0]


def test_shipped_model_is_small_and_has_both_labels() -> None:
    folder = default_model_dir() / "entities"
    size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    assert size < 5_000_000
    pipeline = spacy.load(folder)
    assert set(pipeline.get_pipe("ner").labels) == {EMPLOYER, ROLE}


def test_agency_relaying_a_client_gives_the_client(reader: EntityReader) -> None:
    email = (
        "Quick update",
        "Priya Shah <priya.shah@harbourrecruitment.co.uk>",
        "Hi Sam,\n\nI've just heard back from Marston Foods about the Production Planner "
        "role. They have decided not to take you forward this time.\n\nBest,\nPriya\n"
        "Harbour Recruitment",
    )
    company, role = _one(reader, email)
    assert company == "Marston Foods"
    assert role == "Production Planner"


@pytest.mark.parametrize(
    "sender",
    [
        "Workday <no-reply@myworkday.com>",
        "Greenhouse <no-reply@greenhouse.io>",
        "Indeed <alerts@indeed.com>",
        "LinkedIn <jobs-noreply@linkedin.com>",
    ],
)
def test_an_ats_or_board_sender_is_never_the_employer(reader: EntityReader, sender: str) -> None:
    email = (
        "Thanks for applying",
        sender,
        "Hi Alex, thanks for your interest in the Data Analyst role at Pellbridge Group. "
        "The team will review your application and be in touch.",
    )
    company, role = _one(reader, email)
    assert company == "Pellbridge Group"
    assert role == "Data Analyst"


@pytest.mark.parametrize(
    ("body", "role"),
    [
        ("Thank you for applying for the Sr. Software Engineer role.", "Sr. Software Engineer"),
        ("Thank you for applying for the position of Sr. Product Designer.", "Sr. Product Designer"),
        ("We would like to invite you to interview for the Jr. Data Analyst position.",
         "Jr. Data Analyst"),
    ],
)  # fmt: skip
def test_a_title_is_not_cut_at_sr(reader: EntityReader, body: str, role: str) -> None:
    email = ("Your application", "Quillon Systems <careers@quillon.io>", f"Hi Jo,\n\n{body}\n")
    for system in (reader, EntityReader()):
        assert _one(system, email)[1] == role


def test_a_requisition_number_is_not_part_of_the_role(reader: EntityReader) -> None:
    email = (
        "Your application for Warehouse Supervisor (Req 44821)",
        "Careers <careers@marstonfoods.co.uk>",
        "Dear Sam,\n\nThank you for applying. We have received your application.\n",
    )
    assert _one(reader, email) == ("Marston Foods", "Warehouse Supervisor")


def test_same_answer_when_the_body_is_rewrapped(reader: EntityReader) -> None:
    body = (
        "Dear Sam,\n\nThank you for coming in to interview for the position of Senior Bakery "
        "Production Supervisor with Thistlewood Bakery last week. After a lot of thought we "
        "have decided to offer the role to another candidate.\n\nKind regards,\nHolly"
    )
    wrapped = "\n\n".join(textwrap.fill(part, 72) for part in body.split("\n\n"))
    assert wrapped != body
    sender = "Holly Jones <holly@thistlewoodbakery.co.uk>"
    found = _one(reader, ("Update", sender, body))
    assert found == ("Thistlewood Bakery", "Senior Bakery Production Supervisor")
    assert _one(reader, ("Update", sender, wrapped)) == found
    assert _one(EntityReader(), ("Update", sender, wrapped)) == found


def test_model_finds_a_title_no_rule_pattern_reads(reader: EntityReader) -> None:
    email = (
        "Quick one",
        "Recruitment <recruitment@hollinvalley.nhs.uk>",
        "Dear Chris,\n\nThanks for coming to see us about Senior Care Assistant (Nights) at "
        "Copperbeech yesterday.\n",
    )
    assert _one(EntityReader(), email)[1] is None  # no rule pattern fits this sentence
    role = _one(reader, email)[1]
    assert role is not None and role.startswith("Senior Care Assistant")


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("The Quillon Company Ltd", "Quillon Company"),
        ("Bates & Moore Ltd.", "Bates & Moore"),
        ("Harlan Group plc", "Harlan Group"),
        ("Vistaline Advisory Services Pvt. Ltd.", "Vistaline Advisory Services"),
        ("Crane & Co LLP", "Crane & Co LLP"),  # kept as the firm signs; linked without it
        ("The Works", "The Works"),  # one word left: "The" is the name
        (None, None),
    ],
)
def test_one_employer_one_name(name: str | None, shown: str | None) -> None:
    assert display_employer(name) == shown


def test_training_doc_marks_gold_strings_where_the_text_spells_them() -> None:
    blank = spacy.blank("en")
    record = {
        "subject": "Interview - Senior Care Assistant (Nights)",
        "from": "Copperbeech Care <jobs@copperbeechcare.co.uk>",
        "body": "Dear Ana,\n\nThank you for applying to Copperbeech Care Homes.\n",
        "company": "Copperbeech Care Homes",
        "role": "Senior Care Assistant (Nights)",
    }
    doc = entity_doc(blank, record)
    assert doc.text == entity_text(record["subject"], record["from"], record["body"])
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Senior Care Assistant (Nights)", ROLE),
        ("Copperbeech Care Homes", EMPLOYER),
    ]
    unspelled = dict(record, company="Copperbeech Group")
    assert [e.label_ for e in entity_doc(blank, unspelled).ents] == [ROLE]


def test_model_text_reads_a_wrapped_body_as_one_paragraph() -> None:
    body = "We would like to offer you the Senior\nData Engineer role.\n\nBest,\nKim"
    text = entity_text("Offer", "Kim <kim@corvane.com>", body)
    assert "Senior Data Engineer role." in text
    assert text.splitlines()[0] == "Offer"


@pytest.mark.parametrize(
    ("subject", "sender", "body", "company"),
    [
        (
            "Firefighter recruitment - interview stage",
            "Claymore Fire and Rescue Service <hr@claymorefire.gov.uk>",
            "Dear Sam,\n\nThank you for attending. Claymore Fire will be in touch.\n",
            "Claymore Fire and Rescue Service",  # the display name spells the whole name
        ),
        (
            "Verbal offer - Northgate Logistics",
            "Jasmine Clarke <jasmine@clarkepeopletalent.com>",
            "Hi Sam, great news: they want to offer you the Transport Planner role.",
            "Northgate Logistics",  # not "Verbal"
        ),
        (
            "Application sent: Communications Officer",
            '"reed.co.uk" <noreply@reed.co.uk>',
            "Your application for Communications Officer has been sent.",
            None,  # a board signing with its own domain is not the employer
        ),
    ],
)
def test_employer_rules_fixed_from_dev_errors(
    subject: str, sender: str, body: str, company: str | None
) -> None:
    assert EntityReader().read([(subject, sender, body)])[0][0] == company


def test_the_employer_is_never_also_the_title(reader: EntityReader) -> None:
    # The subject names only the client; the reader once returned it as the title too.
    email = (
        "Client update: Sterling Analytics",
        "Tom Fielding <tom.fielding@hexagonrecruitment.com>",
        "Hi Pete,\n\nSterling Analytics came back to me this morning and they won't be "
        "taking things further. They liked you but wanted more production experience.\n\nTom",
    )
    company, role = _one(reader, email)
    assert company == "Sterling Analytics"
    assert role is None


def test_a_title_found_by_the_rules_survives_a_reader_that_named_the_employer() -> None:
    from bounceback.nlp.entities.extract import _role
    from bounceback.nlp.entities.model import Spans

    spans = Spans(employer="Palisade Home Health", role="Palisade Home Health")
    assert _role("Case Manager", spans, "Palisade Home Health") == "Case Manager"
    assert _role(None, Spans(role="Ferncastle House,"), "Ferncastle Logistics") is None
    assert _role(None, Spans(role="Ferncastle Site Planner"), "Ferncastle Logistics") == (
        "Ferncastle Site Planner"
    )


@pytest.mark.parametrize(
    ("subject", "sender", "body", "expected"),
    [
        (  # LinkedIn's subject: the title, with its bracket, then the employer
            "Your application to Backend Engineer (Python) at Thistledown Software",
            "LinkedIn <jobs-noreply@linkedin.com>",
            "Your update from Thistledown Software\n\nThanks for your interest.",
            ("Thistledown Software", "Backend Engineer (Python)"),
        ),
        (  # a subject that reads "about the ... position", written in lower case
            "About the associate dentist position",
            "Priya Nair <priya@brindlewooddental.co.uk>",
            "Dear Sam,\n\nThank you for coming in. We have offered the post to someone else.",
            ("Brindlewood Dental", "Associate Dentist"),
        ),
        (  # a one-word subject that is the job, a word outside the office trades
            "Scaffolder",
            "Chris Boyle <chris@boylescaffolding.co.uk>",
            "Alright Callum, we're not taking anyone on without the CISRS card. Chris",
            ("Boyle Scaffolding", "Scaffolder"),
        ),
        (  # a title typed in lower case is shown as a title
            "line cook",
            "Carlos Mendez <carlos@saltandember.com>",
            "hey, we already hired for the line cook spot. thanks for reaching out",
            ("Salt & Ember", "Line Cook"),
        ),
    ],
)
def test_titles_from_short_and_board_subjects(
    reader: EntityReader, subject: str, sender: str, body: str, expected: tuple[str, str]
) -> None:
    assert _one(reader, (subject, sender, body)) == expected
