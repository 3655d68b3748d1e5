"""Golden-file tests for `parse_email`: tests/nlp/messages/X.eml against X.json."""

from __future__ import annotations

import json
import random
from dataclasses import FrozenInstanceError
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from bounceback.nlp.mail import ParsedEmail, html_to_text, parse_email
from bounceback.nlp.quotes import strip_history
from bounceback.nlp.records import EmailText
from bounceback.nlp.taxonomy import ParseStatus

MESSAGES = Path(__file__).parent / "messages"
GOLDEN = sorted(MESSAGES.glob("*.eml"))
SCALARS = (
    "message_id", "subject", "from_header", "sender_name", "sender_address",
    "in_reply_to", "new_text",
)  # fmt: skip


def _expected(eml: Path) -> dict[str, Any]:
    return json.loads(eml.with_suffix(".json").read_text(encoding="utf-8"))


def test_every_golden_message_has_expectations() -> None:
    assert len(GOLDEN) >= 10
    assert all(eml.with_suffix(".json").exists() for eml in GOLDEN)


@pytest.mark.parametrize("eml", GOLDEN, ids=lambda path: path.stem)
def test_golden_message(eml: Path) -> None:
    expected = _expected(eml)
    parsed = parse_email(eml.read_bytes())

    assert parsed.status == ParseStatus(expected["status"])
    for name in SCALARS:
        if name in expected:
            assert getattr(parsed, name) == expected[name], name
    assert list(parsed.to) == expected["to"]
    assert (parsed.date.isoformat() if parsed.date else None) == expected["date"]
    assert (parsed.html is not None) == expected["has_html"]
    for snippet in expected.get("text_contains", []):
        assert snippet in parsed.text
    for snippet in expected.get("text_not_contains", []):
        assert snippet not in parsed.text
    for snippet in expected.get("new_text_contains", []):
        assert snippet in parsed.new_text
    for snippet in expected.get("new_text_not_contains", []):
        assert snippet not in parsed.new_text
    for snippet in expected.get("defects_contain", []):
        assert any(snippet in defect for defect in parsed.defects), parsed.defects
    if parsed.status is ParseStatus.OK:
        assert parsed.defects == ()


def test_dates_are_aware_utc() -> None:
    parsed = parse_email((MESSAGES / "plain.eml").read_bytes())
    assert parsed.date is not None
    assert parsed.date.tzinfo is UTC
    assert parsed.date.hour == 13  # 14:05 +0100


def test_email_text_is_the_analysed_view() -> None:
    parsed = parse_email((MESSAGES / "quoted-reply.eml").read_bytes())
    view = parsed.email_text("quoted-reply")
    assert view == EmailText(
        id="quoted-reply",
        subject=parsed.subject,
        sender=parsed.from_header,
        body=parsed.new_text,
        html=None,
    )
    assert "wrote:" not in view.body


def test_parsed_email_is_frozen() -> None:
    parsed = parse_email((MESSAGES / "plain.eml").read_bytes())
    with pytest.raises(FrozenInstanceError):
        parsed.subject = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\n\n\n",
        b"\xff" * 1000,
        b"Subject: x",
        b"From:\n\n",
        b"Content-Type: multipart/mixed\n\n--",
    ],
)
def test_degenerate_input_never_raises(raw: bytes) -> None:
    parsed = parse_email(raw)
    assert isinstance(parsed, ParsedEmail)
    assert parsed.status in set(ParseStatus)


def test_not_bytes_gives_failed_status() -> None:
    parsed = parse_email("not bytes")  # type: ignore[arg-type]
    assert parsed.status is ParseStatus.FAILED
    assert parsed.defects and parsed.defects[0].startswith("parse failed")


def test_mangled_messages_never_raise() -> None:
    rng = random.Random(20261126)
    for eml in GOLDEN:
        raw = bytearray(eml.read_bytes())
        for _ in range(40):
            mangled = bytearray(raw)
            for _ in range(rng.randint(1, 20)):
                mangled[rng.randrange(len(mangled))] = rng.randrange(256)
            cut = rng.randint(0, len(mangled))
            parsed = parse_email(bytes(mangled[:cut]))
            assert isinstance(parsed.text, str)
            assert "\x00" not in parsed.text


def test_html_to_text_keeps_structure_and_drops_invisible_content() -> None:
    html = (
        "<html><head><title>T</title></head><body>"
        "<p>One&nbsp;&amp; two</p><p>Three<br/>four</p>"
        "<ol><li>a</li><li><a href='https://x.example'>link text</a></li></ol>"
        "<span style='display: none'>hidden</span><script>bad()</script>"
        "</body></html>"
    )
    assert html_to_text(html) == "One & two\n\nThree\nfour\n\n- a\n- link text"


def test_html_to_text_survives_broken_markup() -> None:
    assert html_to_text("<p>open <b>bold <i>never closed</p></div></span> tail") == (
        "open bold never closed\n\ntail"
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Thanks.\n\nFrom: Hiring <h@x.example>\nSent: Monday\nTo: Alex\nSubject: x\n\nold",
            "Thanks.",
        ),
        (
            "New words.\n\n---------- Forwarded message ---------\nFrom: a@b.example\nold",
            # A forward is what the sender passes on (relayed feedback): it is kept.
            "New words.\n\n---------- Forwarded message ---------\nFrom: a@b.example\nold",
        ),
        (
            "FYI\n---------- Forwarded message ---------\nNotes.\n\nOn Mon, X wrote:\n> old",
            "FYI\n---------- Forwarded message ---------\nNotes.",
        ),
        ("New.\n> quoted line\nMore new.", "New.\nMore new."),
        ("Kept.\n-- \nSignature", "Kept."),
    ],
)
def test_strip_history(body: str, expected: str) -> None:
    assert strip_history(body) == expected


def test_bare_forward_keeps_forwarded_content() -> None:
    body = "---------- Forwarded message ---------\nFrom: a@b.example\n\nWe regret to inform you."
    assert "We regret to inform you." in strip_history(body)


def test_a_forward_with_its_own_header_lines_is_read_not_dropped() -> None:
    body = (
        "Here is what the hiring manager sent me.\n\n"
        "---------- Forwarded message ---------\nFrom: Craig <craig@quay.example>\n"
        "Date: Wed, 1 Apr 2026 at 16:55\nSubject: Re: feedback\nTo: Bec <bec@quay.example>\n\n"
        "He has not worked on a live terminal.\n\nOn Tue, Bec wrote:\n> can you send notes?"
    )
    kept = strip_history(body)
    assert "He has not worked on a live terminal." in kept
    assert "can you send notes" not in kept  # the forward's own history still goes


def test_an_outlook_forward_the_sender_announces_is_kept_and_a_reply_is_not() -> None:
    block = (
        "From: Sandra <sandra@holloway.example>\nSent: 26 November 2026 15:12\n"
        "To: Jordan <jordan@agency.example>\nSubject: Candidate feedback\n\n"
        "He has not used a transport management system.\n"
    )
    forwarded = strip_history("Holloway said no. I've forwarded their email below.\n\n" + block)
    replied = strip_history("Thanks for the update, that makes sense.\n\n" + block)
    assert "He has not used a transport management system." in forwarded
    assert replied == "Thanks for the update, that makes sense."
