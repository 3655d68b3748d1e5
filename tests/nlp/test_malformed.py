"""Malformed mail never crashes parsing: each message gets a status and its defects."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.nlp.mail import header_message_id, parse_email
from bounceback.nlp.taxonomy import ParseStatus
from bounceback.storage.models import Message
from tests.servers.dovecot import DovecotAccount
from tests.support.malformed import Case, build

CASES = build()
STATUSES = {str(s) for s in ParseStatus if s is not ParseStatus.PENDING}  # after a parse


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_case_parses_to_a_status(case: Case) -> None:
    parsed = parse_email(case.raw)
    assert str(parsed.status) in case.statuses
    assert (parsed.status == ParseStatus.OK) == (not parsed.defects)
    assert "\x00" not in parsed.text and "\n" not in parsed.subject
    # The sync reads only the Message-ID; it must be the one the full parse finds.
    if parsed.status is not ParseStatus.FAILED:
        assert header_message_id(case.raw) == parsed.message_id
    for number, check in enumerate(case.checks):
        assert check(parsed), f"check {number} of {case.name!r}"


def test_deep_nesting_beyond_the_parser_fails_with_the_reason_and_keeps_headers() -> None:
    parsed = parse_email(next(c for c in CASES if c.name == "deep nesting 5000").raw)
    assert parsed.status in {ParseStatus.DEGRADED, ParseStatus.FAILED}
    assert parsed.defects and parsed.subject == "deep"


_header_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=80)
_messages = st.builds(
    lambda headers, body, charset, ctype: (
        "".join(f"{name}: {value}\r\n" for name, value in headers).encode("utf-8", "replace")
        + f"Content-Type: {ctype}; charset={charset}\r\n\r\n".encode("utf-8", "replace")
        + body
    ),
    st.lists(
        st.tuples(
            st.sampled_from(["From", "To", "Subject", "Message-ID", "Date", "In-Reply-To", "X-Y"]),
            _header_text,
        ),
        max_size=8,
    ),
    st.binary(max_size=400),
    st.sampled_from(["utf-8", "latin-1", "x-unknown", "", '"', "utf-16", "ascii"]),
    st.sampled_from(["text/plain", "text/html", "multipart/mixed", "message/rfc822", "x/y"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=2000), _messages))
def test_parse_email_never_raises_and_is_consistent(raw: bytes) -> None:
    parsed = parse_email(raw)
    assert str(parsed.status) in STATUSES
    assert (parsed.status == ParseStatus.OK) == (not parsed.defects)
    assert "\x00" not in parsed.text
    assert parsed.message_id is None or not any(c.isspace() for c in parsed.message_id)
    assert parsed.sender_address is None or parsed.sender_address == parsed.sender_address.lower()
    assert parsed.date is None or parsed.date.utcoffset() is not None
    assert len(parsed.new_text) <= len(parsed.text)
    if parsed.status is not ParseStatus.FAILED:
        assert header_message_id(raw) == parsed.message_id


@pytest.mark.slow
@pytest.mark.dovecot
def test_the_corpus_synced_from_dovecot_is_stored_with_statuses(
    dovecot: DovecotAccount, sqlite_sessions: sessionmaker[Session]
) -> None:
    from tests.servers.synced import add_account, parse_bodies, poll

    folder_id = add_account(sqlite_sessions, dovecot)
    stored_cases = [c for c in CASES if c.raw.strip()]  # IMAP cannot hold an empty message
    dovecot.append(c.raw for c in stored_cases)
    report = poll(sqlite_sessions, folder_id, dovecot)
    assert report.new_messages == len(stored_cases) and report.quarantined == 0
    assert sum(parse_bodies(sqlite_sessions, folder_id).values()) == len(stored_cases)
    with sqlite_sessions.begin() as session:
        rows = list(session.scalars(select(Message).order_by(Message.uid)))
    for case, row in zip(stored_cases, rows, strict=True):
        assert row.parse_status in case.statuses, case.name
        if b"\x00" not in case.raw and b"\r" not in case.raw.replace(b"\r\n", b""):
            # (Dovecot rewrites NULs and bare CRs; everything else comes back as it went in)
            assert row.raw.replace(b"\r\n", b"\n") == case.raw.replace(b"\r\n", b"\n")
        assert (row.parse_status == "ok") == (not row.defects), case.name
