"""The one reading path: wrap, CRLF and footer invariance, forwards kept, bounded text."""

from __future__ import annotations

import json
import textwrap
from dataclasses import replace
from email.parser import BytesHeaderParser
from pathlib import Path

import pytest

from bounceback.cli.classify import classify_stream, emails_from_eml, emails_from_jsonl
from bounceback.nlp.analyzer import Analyzer
from bounceback.nlp.evaluate import PERTURBATIONS, raw_plain_bodies
from bounceback.nlp.mail import parse_email
from bounceback.nlp.reading import (
    MAX_BODY,
    MAX_WORD,
    bounded,
    collapse_runs,
    read_email,
    reading_text,
    unwrap,
)
from bounceback.nlp.records import EmailText
from bounceback.nlp.signals import SIGNAL_HEADERS

TEST_SPLIT = Path(__file__).resolve().parents[2] / "nlp" / "corpus" / "mail" / "test"

BODY = (
    "Dear Priya,\n\n"
    "Thank you for the time you gave us on Thursday for the Senior Data Engineer role at "
    "Greyfriars Data. The panel enjoyed the conversation, but we have decided to offer "
    "the position to another candidate.\n\n"
    "What held us back was stakeholder management: your examples described the pipelines "
    "in depth but rarely how you brought product owners along.\n"
    "- Your answers on incident response were short.\n"
    "- The take-home lacked tests.\n\n"
    "Kind regards,\nMorag Linton\nTalent Partner"
)


def test_rewrapping_and_crlf_read_as_the_original() -> None:
    original = reading_text(BODY)
    for name in ("wrapped at 72", "wrapped at 78", "CRLF", "wrapped at 72 + CRLF"):
        assert reading_text(PERTURBATIONS[name](BODY)) == original, name
    assert "Greyfriars Data. The panel" in original  # the wrapped paragraph is one line
    assert "\n- Your answers" in original  # bullets keep their breaks
    assert original.endswith("Kind regards,\nMorag Linton\nTalent Partner")


def test_reading_is_idempotent_and_drops_footers_and_history() -> None:
    text = reading_text(
        BODY + "\n\nThis email is confidential and intended only for the addressee. If you got it"
        " in error, please delete it.\n\nOn Mon, 1 Dec 2026, Priya <p@example.com> wrote:\n> hi"
    )
    assert text == reading_text(BODY)
    assert reading_text(text) == text
    assert bounded(text) == text


def test_forwarded_feedback_is_read_not_dropped() -> None:
    body = (
        "Hi Sam, passing on the hiring manager's notes below.\n\n"
        "---------- Forwarded message ---------\nFrom: Dana <dana@firm.example>\n"
        "Subject: Candidate notes\n\nSam's SQL was weaker than the other finalists'.\n"
    )
    assert "SQL was weaker" in reading_text(body)


def test_html_only_is_read_from_its_html() -> None:
    html = "<table><tr><td><p>We regret to tell you that you were not selected.</p></td></tr>"
    assert reading_text("", html) == "We regret to tell you that you were not selected."
    assert reading_text("  \r\n", html) == reading_text(None, html)


def test_pathological_runs_are_collapsed_and_bounded() -> None:
    assert collapse_runs("wait" + "\u2014" * 500 + "what") == "wait\u2014\u2014\u2014what"
    assert collapse_runs("a\u200b\u200bb\ufeff") == "ab"
    assert collapse_runs("e" + "\u0301" * 300) == "e\u0301\u0301"
    assert collapse_runs("\U0001f600" * 100) == "\U0001f600" * 3
    word = collapse_runs("x" * 1_000_000)
    assert len(word) == MAX_WORD
    huge = bounded("word " * 1_000_000)
    assert len(huge) <= MAX_BODY
    assert bounded(huge) == huge


def test_unwrap_keeps_short_lines_and_items_apart() -> None:
    assert unwrap("Hi Sam,\nThanks.") == "Hi Sam,\nThanks."
    assert unwrap("Role: Analyst\nLocation: Leeds") == "Role: Analyst\nLocation: Leeds"
    long = "This line is long enough to have been wrapped by a mail client"
    assert unwrap(f"{long}\nand goes on.") == f"{long} and goes on."


def test_unwrap_keeps_a_card_title_above_its_employer() -> None:
    # 44 characters and a next word that would have fitted: the line ended on purpose
    card = "Learning Support Assistant (Term Time Only)\nAshgrove Special School · Swindon"
    assert unwrap(card) == card
    # the same words wrapped at 72 by a mail client are one paragraph again
    text = (
        "Thank you for applying for the Learning Support Assistant post at Ashgrove "
        "Special School in Swindon; we will be in touch next week."
    )
    assert unwrap(textwrap.fill(text, 72)) == text
    assert unwrap(textwrap.fill(text, 78)) == text


def test_unwrap_keeps_a_list_of_lower_case_points_apart() -> None:
    # each point is long and starts with a lower-case word after its dash, as a re-wrapped
    # dash does; the list's first line began with the same dash, so these are new items
    points = (
        "- they liked you a lot as a person and thought you'd be great with the team\n"
        "- they felt you lacked experience with large functions of 300+ covers\n"
        "- your answer on labour costs was a bit vague, they wanted a real roster"
    )
    assert unwrap(points) == points


def test_unwrap_joins_a_line_that_stops_mid_phrase() -> None:
    # wrapped twice (by the sender at 90 columns, then at 72): "with Tayside and" is short
    twice = (
        "Thank you for applying for the role of Police Staff Investigator (PSI)\n"
        "with Tayside and\nFife Police Authority. Your reference number is 26/1184."
    )
    assert unwrap(twice) == " ".join(twice.split("\n"))
    # a short line that ends a phrase stays a line of its own
    assert unwrap("Kind regards,\nSam Okafor\nHR Team") == "Kind regards,\nSam Okafor\nHR Team"


def test_eml_and_json_give_the_same_text(tmp_path: Path) -> None:
    sample = sorted(TEST_SPLIT.glob("*.eml"))[:60]
    read = {email.id: (plain, html) for email, plain, html in raw_plain_bodies(TEST_SPLIT)}
    lines = []
    for path in sample:
        parsed = parse_email(path.read_bytes())
        plain, html = read[path.stem]
        item = {"id": path.stem, "subject": parsed.subject, "from": parsed.from_header}
        message = BytesHeaderParser().parsebytes(path.read_bytes())
        headers = {name: str(message[name]) for name in SIGNAL_HEADERS if message[name]}
        item |= {"headers": headers, "calendar": parsed.signals.calendar}
        lines.append(json.dumps({**item, "body": plain or "", "html": html}))
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_eml = list(emails_from_eml(sample))
    from_json = list(emails_from_jsonl(jsonl))
    assert sum(1 for e in from_eml if e.html is not None) > 10  # HTML mail is covered
    for eml, js in zip(from_eml, from_json, strict=True):
        assert (eml.subject, eml.sender, eml.body) == (js.subject, js.sender, js.body), eml.id


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.load()


def test_test_split_labels_survive_rewrapping_and_crlf(analyzer: Analyzer) -> None:
    messages = [m for m in raw_plain_bodies(TEST_SPLIT) if m[1] is not None]
    assert len(messages) > 300
    base = [set(a.labels) for a in analyzer.analyze(email for email, _, _ in messages)]
    change = PERTURBATIONS["wrapped at 72 + CRLF"]
    changed = [
        replace(email, body=reading_text(change(body), html), html=html)
        for email, body, html in messages
        if body is not None
    ]
    after = [set(a.labels) for a in analyzer.analyze(changed)]
    differing = [m[0].id for m, x, y in zip(messages, base, after, strict=True) if x != y]
    assert differing == []


def test_empty_mail_gets_no_labels(analyzer: Analyzer) -> None:
    empty = EmailText("e", "", "Careers at Harwick <careers@harwick.example>", "")
    result = analyzer.analyze_one(read_email(empty))
    assert result.labels == ()
    assert result.gaps == ()


def test_huge_pathological_mail_is_bounded(analyzer: Analyzer) -> None:
    body = "Unfortunately " + "\u2014" * 200_000 + " " + "y" * 500_000 + " \U0001f389" * 1000
    result = analyzer.analyze_one(EmailText("big", "x" * 100_000, "s" * 100_000, body))
    assert set(result.scores) >= {"rejection"}
    for gap in result.gaps:
        assert len(gap.text) <= MAX_BODY


HARD_NEGATIVES = [
    (
        "Your application for 9 Wren Court",
        "Lettings <lettings@wrenhomes.example>",
        "Dear Sam, thank you for applying to rent 9 Wren Court. Unfortunately the landlord has "
        "chosen another tenant, so we cannot offer you the tenancy this time.",
    ),
    (
        "Podcast interview next week",
        "Brightside Podcast <hello@brightsidepod.example>",
        "Hi Sam! We'd love to interview you for an episode about your cycling club. Could we "
        "record on Tuesday at 3pm? It takes about half an hour and our listeners will love it.",
    ),
    (
        "Your offer on 3 Heron Way",
        "Castle Estates <sales@castle-estates.example>",
        "Good news: the vendors have accepted your offer of £285,000 on 3 Heron Way. Your "
        "solicitor will hear from theirs this week.",
    ),
    ("Lunch?", "Jo <jo@friends.example>", "Free for lunch on Friday?"),
]


def test_hard_negatives_get_no_job_labels(analyzer: Analyzer) -> None:
    emails = [EmailText(f"n{i}", s, f, b) for i, (s, f, b) in enumerate(HARD_NEGATIVES)]
    assert [a.labels for a in analyzer.analyze(map(read_email, emails))] == [()] * len(emails)


def test_a_terse_rejection_keeps_its_label(analyzer: Analyzer) -> None:
    email = EmailText("t", "barista", "Mo <mo@cafe.example>", "Sorry, we went with someone else.")
    assert "rejection" in analyzer.analyze_one(read_email(email)).labels


def test_classify_gives_the_same_answer_for_eml_and_json(
    analyzer: Analyzer, tmp_path: Path
) -> None:
    sample = sorted(TEST_SPLIT.glob("*.eml"))[::7]
    read = {email.id: (plain, html) for email, plain, html in raw_plain_bodies(TEST_SPLIT)}
    lines = []
    for path in sample:
        parsed = parse_email(path.read_bytes())
        plain, html = read[path.stem]
        item = {"id": path.stem, "subject": parsed.subject, "from": parsed.from_header}
        message = BytesHeaderParser().parsebytes(path.read_bytes())
        headers = {name: str(message[name]) for name in SIGNAL_HEADERS if message[name]}
        item |= {"headers": headers, "calendar": parsed.signals.calendar}
        lines.append(json.dumps({**item, "body": plain or "", "html": html}))
    jsonl = tmp_path / "same.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_eml = list(classify_stream(analyzer, emails_from_eml(sample)))
    from_json = list(classify_stream(analyzer, emails_from_jsonl(jsonl)))
    assert len(from_eml) == len(sample) > 50
    assert from_eml == from_json
