"""`bounceback export`: everything stored about the user, secrets and raw bytes excepted."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.account.export import export_accounts
from bounceback.account.profile import ProfileUpdate, update_profile
from bounceback.digest.collect import Week
from bounceback.digest.replies import handle_digest_reply
from bounceback.errors import NotFoundError
from bounceback.flows.outbox import prepare_digest
from bounceback.storage import corrections, mailbox
from bounceback.storage.models import Account, Analysis, Digest, DigestStep, Folder, Gap, Message
from tests.flows.test_outbox import WEEK, seed

PASSWORD = "export-canary-password"
DIARY = "I rebuilt the churn report in SQL and cut its run time from 40 to 6 minutes."
RAW_ONLY = "X-Raw-Only-Canary"  # a header that is in the stored raw bytes and nowhere else


@pytest.fixture
def account_id(sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> int:
    """The seeded account with a profile, a digest, a reply to it, and review corrections."""
    monkeypatch.setenv("X", PASSWORD)  # the seeded secret_ref is env:X
    account_id = seed(sessions, 1)
    update_profile(
        sessions,
        "alex@example.com",
        ProfileUpdate(
            name="Alex Doe",
            roles=("Data Analyst",),
            keywords=("SQL", "Python"),
            locations=("Leeds", "Remote"),
            salary_floor=40000,
            digest_day="tuesday",
            digest_time="07:30",
        ),
    )
    item = prepare_digest(account_id, Week.parse(WEEK, "Europe/London"), sessions=sessions)
    body = f"done 2\n\n{DIARY}\n\nThanks\nAlex"
    raw = f"{RAW_ONLY}: yes\r\nIn-Reply-To: {item.message_id}\r\n\r\n{body}".encode()
    with sessions.begin() as session:
        folder = session.scalars(select(Folder)).one()
        mailbox.store_messages(folder, 1, [mailbox.NewMessage(
            uid=20, header_message_id="<reply@example.com>", in_reply_to=item.message_id,
            subject="Re: Your week in job search", from_header="alex@example.com",
            sender_name=None, sender_address="alex@example.com",
            received_at=datetime(2026, 11, 24, 19, tzinfo=UTC), size=len(raw),
            content_hash="reply", raw=raw, body_text=body, analysed_text=body, html=None,
            parse_status="ok", defects=(),
        )], last_uid=20, session=session)  # fmt: skip
        account = session.get_one(Account, account_id)
        reply = session.scalars(select(Message).where(Message.uid == 20)).one()
        assert handle_digest_reply(account, reply, session=session)
    with sessions.begin() as session:
        gap = session.scalars(select(Gap)).one()
        corrections.change_gap(gap, status="edited", skill="PostgreSQL", session=session)
        fabrikam = session.scalars(select(Analysis).where(Analysis.company == "Fabrikam")).one()
        corrections.relabel(fabrikam, ["rejection", "feedback"], session=session)
        corrections.mark_reviewed(fabrikam, session=session)
    return account_id


def _export(sessions: sessionmaker[Session], folder: Path) -> dict[str, Any]:
    paths = export_accounts(sessions, folder, address="Alex@Example.com")
    assert paths[0] == folder / "alex@example.com.json"
    exported: dict[str, Any] = json.loads(paths[0].read_text(encoding="utf-8"))
    return exported


def test_the_profile_and_digest_schedule_are_exported(
    sessions: sessionmaker[Session], account_id: int, tmp_path: Path
) -> None:
    exported = _export(sessions, tmp_path)
    (profile,) = exported["profile"]
    assert {k: profile[k] for k in ("name", "target_roles", "keywords", "locations")} == {
        "name": "Alex Doe",
        "target_roles": ["Data Analyst"],
        "keywords": ["SQL", "Python"],
        "locations": ["Leeds", "Remote"],
    }
    assert profile["salary_floor"] == 40000
    (settings,) = exported["settings"]
    assert (settings["address"], settings["digest_to"], settings["timezone"]) == (
        "alex@example.com",
        "alex@example.com",
        "Europe/London",
    )
    assert (settings["digest_weekday"], settings["digest_time"]) == (1, "07:30")
    assert settings["folders"] == ["INBOX"]


def test_diary_entries_and_done_steps_from_a_digest_reply_are_exported(
    sessions: sessionmaker[Session], account_id: int, tmp_path: Path
) -> None:
    exported = _export(sessions, tmp_path)
    (digest,) = exported["digests"]
    assert digest["iso_week"] == WEEK and digest["status"] == "pending"
    (entry,) = exported["diary"]
    assert entry["text"] == DIARY and entry["digest_id"] == digest["id"]
    with sessions.begin() as session:
        steps = session.scalars(select(DigestStep).order_by(DigestStep.number)).all()
        assert len(steps) >= 2
        expected = [(s.number, s.key, s.title) for s in steps]
    assert [(s["number"], s["key"], s["title"]) for s in exported["digest_steps"]] == expected
    done = [s["number"] for s in exported["digest_steps"] if s["done_at"]]
    assert done == [2]
    assert exported["digest_steps"][1]["done_at"].startswith("2026-11-24T19:00:00")


def test_review_corrections_are_exported(
    sessions: sessionmaker[Session], account_id: int, tmp_path: Path
) -> None:
    exported = _export(sessions, tmp_path)
    kinds = [c["kind"] for c in exported["corrections"]]
    assert kinds == ["gap_edit", "labels", "confirm"]
    edit = exported["corrections"][0]
    assert (edit["old"]["skill"], edit["new"]["skill"]) == ("SQL", "PostgreSQL")
    assert edit["gap_id"] == exported["gaps"][0]["id"]
    assert exported["corrections"][1]["new"] == {"labels": ["feedback", "rejection"]}
    reviewed = [a for a in exported["analyses"] if a["review_status"] == "reviewed"]
    assert [a["company"] for a in reviewed] == ["Fabrikam"] and reviewed[0]["reviewed_at"]
    with (tmp_path / "alex@example.com-corrections.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["kind"] for r in rows] == kinds
    assert json.loads(rows[0]["new"])["skill"] == "PostgreSQL"


def test_every_table_has_a_csv_and_no_secret_or_raw_bytes_leave(
    sessions: sessionmaker[Session], account_id: int, tmp_path: Path
) -> None:
    paths = export_accounts(sessions, tmp_path, address=None)
    exported = json.loads(paths[0].read_text(encoding="utf-8"))
    tables = [key for key in exported if key != "account"]
    assert sorted(p.name for p in paths[1:]) == sorted(
        f"alex@example.com-{name}.csv" for name in tables
    )
    assert {"settings", "profile", "corrections", "digest_steps", "diary"} <= set(tables)
    with sessions.begin() as session:  # what must stay out is really stored
        assert (
            RAW_ONLY.encode() in session.scalars(select(Message.raw).where(Message.uid == 20)).one()
        )
        assert b"Auto-Submitted" in session.scalars(select(Digest.raw)).one()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert PASSWORD not in text
        assert "secret_ref" not in text and "env:X" not in text
        assert RAW_ONLY not in text  # the stored raw bytes of mail stay out
        assert "Auto-Submitted" not in text  # and so do the digest's rendered bytes


def test_an_unknown_address_is_a_clear_error(
    sessions: sessionmaker[Session], account_id: int, tmp_path: Path
) -> None:
    with pytest.raises(NotFoundError, match=r"no account nobody@example\.com is connected"):
        export_accounts(sessions, tmp_path, address="nobody@example.com")


def test_mail_a_poll_stored_but_did_not_analyse_is_exported_parsed(
    sessions: sessionmaker[Session], account_id: int, tmp_path: Path
) -> None:
    """The export command parses pending mail first (see cli.data.export)."""
    from bounceback.flows.analyse import parse_pending
    from bounceback.flows.fetcher import to_new_message
    from bounceback.mail.imap_wire import RawMessage

    raw = (
        b"From: Priya Nair <priya@contoso.test>\r\nSubject: Your interview on Thursday\r\n"
        b"Message-ID: <pending-1@contoso.test>\r\nDate: Wed, 25 Nov 2026 09:30:00 +0000\r\n"
        b"\r\nCould you bring a laptop? We will pair on a small SQL task.\r\n"
    )
    with sessions.begin() as session:
        folder = session.scalars(select(Folder)).one()
        row = to_new_message(RawMessage(uid=30, size=len(raw), raw=raw), datetime.now(UTC))
        assert row.parse_status == "pending" and row.subject == ""
        mailbox.store_messages(folder, 1, [row], last_uid=30, session=session)
    parse_pending(account_id, sessions=sessions)
    exported = _export(sessions, tmp_path)
    (message,) = [m for m in exported["messages"] if m["uid"] == 30]
    assert message["subject"] == "Your interview on Thursday"
    assert message["parse_status"] == "ok"
    assert "pair on a small SQL task" in message["analysed_text"]
    assert message["received_at"].startswith("2026-11-25T09:30")
