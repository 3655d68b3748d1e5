"""The keyword baseline: rule labels, gap cues, company/role, and the Analysis contract."""

from __future__ import annotations

import pytest

from bounceback.nlp.baseline import KeywordBaseline, company_and_role, gap_category
from bounceback.nlp.records import EmailText
from bounceback.nlp.taxonomy import LABELS


def email(subject: str, body: str, sender: str = "Acme Careers <jobs@acme.test>") -> EmailText:
    return EmailText(id=subject, subject=subject, sender=sender, body=body)


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        (
            "Your application for Store Manager",
            "Thank you for applying. Unfortunately we have decided to move forward with other "
            "candidates for the role.",
            ("rejection",),
        ),
        (
            "Interview invitation",
            "We would like to invite you to an interview for the Barista position on Monday.",
            ("interview",),
        ),
        (
            "Offer of employment",
            "We are delighted to offer you the position of Junior Developer.",
            ("offer",),
        ),
        (
            "Application received",
            "Thanks for applying for the Nurse role. We have received your application.",
            ("application_received",),
        ),
        ("Your job alert: 12 new jobs", "Data Analyst - Leeds. Apply now.", ("job_alert",)),
        # A paper rejection has no job context, so the rejection rules stay silent.
        ("Decision on your manuscript", "We regret to inform you that it was rejected.", ()),
        ("Free for lunch on Friday?", "Are you free for lunch on Friday?", ()),
    ],
)
def test_rule_labels(subject: str, body: str, expected: tuple[str, ...]) -> None:
    assert KeywordBaseline().analyze_one(email(subject, body)).labels == expected


def test_rejection_with_cues_gets_feedback_and_gap_spans_in_the_body() -> None:
    body = (
        "Hi Priya,\n\nUnfortunately we will not be progressing your application.\n\n"
        "- Your answers could have been more concise and structured.\n"
        "- You had limited experience managing a team.\n\n"
        "We wish you the best.\n"
    )
    result = KeywordBaseline().analyze_one(email("Application outcome", body))
    assert result.labels == ("rejection", "feedback")
    assert set(result.scores) == set(LABELS)
    assert [g.category for g in result.gaps] == ["communication", "experience"]
    for found in result.gaps:
        assert body[found.start : found.end] == found.text


@pytest.mark.parametrize(
    ("sentence", "category"),
    [
        ("Your salary expectations were above our budget.", "fit"),
        ("You had not researched our products before the interview.", "preparation"),
        ("Your examples lacked measurable results.", "evidence"),
        ("The panel would have liked more enthusiasm for the role.", "motivation"),
        ("Your SQL was weak in the technical test.", "skill"),
        ("Thank you for your time on Tuesday.", "none"),
        ("The panel was impressed by your presentation.", "none"),
    ],
)
def test_gap_categories(sentence: str, category: str) -> None:
    assert gap_category(sentence)[0] == category


@pytest.mark.parametrize(
    ("sender", "subject", "company", "role"),
    [
        (
            "Northwind Talent Team <no-reply@greenhouse.io>",
            "Your application for Data Analyst",
            "Northwind",
            "Data Analyst",
        ),
        ("careers@contoso-health.com", "Interview: Staff Nurse", "Contoso Health", "Staff Nurse"),
        ("Jo Bloggs <jo.bloggs@gmail.com>", "Catch up", None, None),
    ],
)
def test_company_and_role(sender: str, subject: str, company: str | None, role: str | None) -> None:
    assert company_and_role(email(subject, "Hello.", sender)) == (company, role)


def test_stream_keeps_input_order() -> None:
    emails = [email(f"s{n}", "Hello there.") for n in range(5)]
    assert [a.id for a in KeywordBaseline().analyze(emails, batch_size=2)] == [e.id for e in emails]
