"""Evaluation metrics on constructed examples, and the evaluation command end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bounceback.nlp.baseline import KeywordBaseline
from bounceback.nlp.evaluate import (
    SpanScore,
    evaluate_system,
    is_dev,
    main,
    match_spans,
    normalise_name,
    same_employer,
    same_role,
    spans_overlap,
)
from bounceback.nlp.taxonomy import LABELS
from bounceback.nlp.train import parse_emails


def gap(start: int, end: int, category: str = "skill") -> dict[str, object]:
    return {"start": start, "end": end, "category": category}


def test_overlap_is_measured_against_the_shorter_span() -> None:
    assert spans_overlap((0, 10), (5, 15))  # 5 of 10 shared: exactly half
    assert not spans_overlap((0, 10), (6, 16))  # 4 of 10
    assert spans_overlap((0, 100), (40, 50))  # a short span inside a long one
    assert not spans_overlap((0, 10), (10, 20))  # touching is not overlapping
    assert not spans_overlap((0, 0), (0, 10))  # empty spans never match


def test_matching_is_one_to_one_and_can_require_the_category() -> None:
    gold = [gap(0, 20, "skill"), gap(30, 60, "communication")]
    predicted = [gap(2, 22, "skill"), gap(35, 58, "evidence"), gap(80, 90, "fit")]
    assert match_spans(gold, predicted, by_category=False) == (2, 1, 0)
    assert match_spans(gold, predicted, by_category=True) == (1, 2, 1)
    # One long prediction covering two gold gaps claims only one of them.
    assert match_spans(gold, [gap(0, 60)], by_category=False) == (1, 0, 1)
    assert match_spans([], predicted, by_category=False) == (0, 3, 0)
    assert SpanScore(1, 1, 0).figures == (0.5, 1.0, pytest.approx(2 / 3))
    assert SpanScore().short() == "n/a"


def test_names_compare_case_and_space_insensitively_and_null_stays_null() -> None:
    assert normalise_name("  Northwind   Logistics ") == normalise_name("northwind logistics")
    assert normalise_name(None) is None
    assert normalise_name("   ") is None
    assert normalise_name("Acme") != normalise_name(None)


MARKED = """### labels: rejection feedback
From: Northwind Careers <careers@northwind.test>
Subject: Your application for Data Analyst
Company: Northwind
Role: Data Analyst

Dear Sam,

Unfortunately we will not be progressing your application.
[[skill: Your SQL was not strong enough for the take-home test.]]
[[communication: Your answers could have been more concise.]]
Best of luck with your search.
### labels: interview
From: Jo Bloggs <jo@gmail.com>
Subject: Quick chat?
Company: -
Role: -

Hi Sam, are you free for a phone interview on Monday at 10am?
"""


@pytest.fixture()
def annotated_corpus(tmp_path: Path) -> Path:
    """A dev split of two annotated emails (from marked source text) and two sentences."""
    source = tmp_path / "emails_t.txt"
    source.write_text(MARKED, encoding="utf-8")
    records = parse_emails(source)
    (tmp_path / "emails.dev.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8"
    )
    sentences = [
        {"text": "Your Excel skills were below what the role needs.", "category": "skill"},
        {"text": "Thank you for coming in on Tuesday.", "category": "none"},
    ]
    (tmp_path / "gaps.dev.jsonl").write_text(
        "".join(json.dumps(s) + "\n" for s in sentences), encoding="utf-8"
    )
    return tmp_path


def test_baseline_is_scored_on_spans_names_and_sentences(annotated_corpus: Path) -> None:
    report = evaluate_system(KeywordBaseline(), annotated_corpus, name="baseline")
    assert report.email_count == 2 and report.gap_annotated_emails == 1
    # Both marked gaps are found as whole segments; nothing else in the email is a gap.
    assert report.gap_spans == SpanScore(2, 0, 0)
    assert report.gap_spans_category.tp >= 1
    assert report.labels["rejection"][:3] == (1.0, 1.0, 1.0)
    assert report.labels["interview"][:3] == (1.0, 1.0, 1.0)
    assert report.company == (2, 2)  # "Northwind" from the display name; a Gmail sender: null
    assert report.role == (2, 2)
    assert report.gap_accuracy == 1.0
    assert set(report.to_json()["labels"]) == set(LABELS)


def test_detail_prints_both_systems_as_json_and_markdown(
    annotated_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--corpus", str(annotated_corpus), "--detail", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"model", "keywords"}
    assert data["model"]["email_count"] == 2
    assert 0.0 <= data["model"]["macro_f1"] <= 1.0
    assert main(["--corpus", str(annotated_corpus), "--detail", "--markdown"]) == 0
    table = capsys.readouterr().out
    assert table.startswith("| dev metric | model | keywords |")
    assert "macro-F1" in table and "company accuracy (n=2)" in table


def test_default_puts_dev_and_test_side_by_side_with_perturbations(
    annotated_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mail = annotated_corpus / "mail"
    for split in ("boards", "test"):
        copy_mail_set(mail / split, count=6)
    assert main(["--corpus", str(annotated_corpus)]) == 0
    page = capsys.readouterr().out
    head = page.split("| figure | target |", 1)[1].split("\n", 1)[0]
    assert head.split("|")[:4] == [
        " dev model ",
        " dev keywords ",
        " test model ",
        " test keywords ",
    ]
    assert "| company (one employer as the product links them) | ≥ 0.90 |" in page
    assert "| company, spelled as annotated |  |" in page
    for change in ("wrapped at 72", "CRLF", "sent as HTML only", "quoted-printable"):
        assert f"| {change} |" in page
    assert main(["--corpus", str(annotated_corpus), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["test"]["model"]["email_count"] == 6
    # The dev split is the written dev emails plus the dev fifth of the .eml training sets.
    dev_mail = sum(is_dev(p.stem) for p in (mail / "boards").glob("*.eml"))
    assert data["dev"]["model"]["email_count"] == 2 + dev_mail
    rows = {row["name"]: row for row in data["perturbations"]["test"]}
    assert rows["CRLF"]["total"] == rows["sent as HTML only"]["total"] > 0
    assert data["targets"]["macro_f1"] == 0.95


def copy_mail_set(target: Path, count: int) -> None:
    """The first ``count`` annotated messages of the shipped boards set, into ``target``."""
    source = Path(__file__).resolve().parents[2] / "nlp" / "corpus" / "mail" / "boards"
    notes = (source / "annotations.jsonl").read_text(encoding="utf-8").splitlines()[:count]
    target.mkdir(parents=True)
    (target / "annotations.jsonl").write_text("\n".join(notes) + "\n", encoding="utf-8")
    for note in notes:
        name = json.loads(note)["file"]
        (target / name).write_bytes((source / name).read_bytes())


def test_command_explains_a_missing_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--corpus", str(tmp_path)]) == 2
    assert "python -m bounceback.nlp.train" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("predicted", "gold", "same"),
    [
        ("Keel Boat PR", "Keelboat PR", True),
        ("Quillon Company", "The Quillon Company Ltd", True),
        ("Donovan Books", "Donovan's Books", True),
        ("Kestrel Analytics", "Kestrel Payments", False),
        ("Workday", None, False),
        (None, None, True),
    ],
)
def test_same_employer_is_how_the_product_links(
    predicted: str | None, gold: str | None, same: bool
) -> None:
    assert same_employer(predicted, gold) is same


@pytest.mark.parametrize(
    ("predicted", "gold", "same"),
    [
        ("Nurse Manager", "Nurse Manager, Med-Surg", True),
        ("Academy Coach", "Academy Coach (U12)", True),
        ("Backend Engineer (Go)", "Backend Engineer", True),
        ("Backend Engineer (Go)", "Backend Engineer (Python)", False),
        ("Engineer", "Software Engineer", False),
        ("Data Analyst role", "Data Analyst", True),
        ("Data Analyst", None, False),
    ],
)
def test_same_role_allows_one_specialisation(
    predicted: str | None, gold: str | None, same: bool
) -> None:
    assert same_role(predicted, gold) is same
