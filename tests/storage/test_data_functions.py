"""Storage on SQLite and PostgreSQL: schema, cursor, idempotent inserts, de-duplication."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bounceback.storage import accounts, analyses, mailbox
from bounceback.storage.db import current_revision, make_engine
from bounceback.storage.models import Account, Digest, Folder, Gap, JobPosting, Message

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def account_fields(address: str = "Alex@Example.com") -> dict[str, object]:
    return {
        "address": address,
        "username": "alex",
        "imap_host": "imap.example.com",
        "imap_port": 993,
        "imap_security": "ssl",
        "smtp_host": "smtp.example.com",
        "smtp_port": 465,
        "smtp_security": "ssl",
        "secret_ref": "env:PW",
        "digest_to": "alex@example.com",
    }


def new_message(uid: int, **overrides: object) -> mailbox.NewMessage:
    fields: dict[str, object] = {
        "uid": uid,
        "header_message_id": f"<{uid}@example.com>",
        "in_reply_to": None,
        "subject": f"Message {uid}",
        "from_header": "HR <hr@acme.test>",
        "sender_name": "HR",
        "sender_address": "hr@acme.test",
        "received_at": T0 + timedelta(minutes=uid),
        "size": 10,
        "content_hash": f"{uid:064d}",
        "raw": b"raw bytes",
        "body_text": "body",
        "analysed_text": "body",
        "html": None,
        "parse_status": "ok",
        "defects": (),
    }
    fields.update(overrides)
    return mailbox.NewMessage(**fields)  # type: ignore[arg-type]


def make_account(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions.begin() as session:
        account = accounts.save_account(account_fields(), ["INBOX"], session=session)
        folder = mailbox.list_folders(account.id, session=session)[0]
        return account.id, folder.id


def test_schema_is_at_the_newest_revision(database_url: str) -> None:
    from alembic.script import ScriptDirectory

    from bounceback.storage.db import alembic_config

    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    engine = make_engine(database_url)
    assert head is not None and current_revision(engine) == head
    engine.dispose()


def test_account_address_is_normalised_and_unique(sessions: sessionmaker[Session]) -> None:
    make_account(sessions)
    with sessions.begin() as session:
        assert accounts.get_account("ALEX@example.COM", session=session) is not None
        # saving again updates instead of duplicating
        accounts.save_account(
            {**account_fields(), "imap_port": 143}, ["INBOX", "Jobs"], session=session
        )
    with sessions.begin() as session:
        listed = accounts.list_accounts(session=session)
        assert len(listed) == 1
        assert listed[0].imap_port == 143
        assert [f.name for f in mailbox.list_folders(listed[0].id, session=session)] == [
            "INBOX",
            "Jobs",
        ]


def test_uids_and_uidvalidity_take_the_whole_unsigned_32_bit_range(
    sessions: sessionmaker[Session],
) -> None:
    """RFC 3501 UIDs and UIDVALIDITY go up to 2**32 - 1; PostgreSQL's INTEGER stops at 2**31 - 1."""
    top = 2**32 - 1
    _, folder_id = make_account(sessions)
    with sessions.begin() as session:
        folder = session.get_one(Folder, folder_id)
        assert mailbox.note_uidvalidity(folder, top, session=session) == 0
        stored = mailbox.store_messages(
            folder,
            top,
            [replace(new_message(1), uid=top), replace(new_message(2), uid=2**31)],
            last_uid=top,
            session=session,
        )
        assert stored == 2
    with sessions.begin() as session:
        folder = session.get_one(Folder, folder_id)
        assert (folder.uidvalidity, folder.last_uid) == (top, top)
        assert sorted(session.scalars(select(Message.uid))) == [2**31, top]


def test_store_messages_advances_cursor_and_skips_replayed_uids(
    sessions: sessionmaker[Session],
) -> None:
    _, folder_id = make_account(sessions)
    with sessions.begin() as session:
        folder = session.get_one(Folder, folder_id)
        assert (
            mailbox.store_messages(
                folder, 7, [new_message(1), new_message(2)], last_uid=2, session=session
            )
            == 2
        )
    with sessions.begin() as session:
        folder = session.get_one(Folder, folder_id)
        # a crash after commit replays the batch: nothing is stored twice
        assert (
            mailbox.store_messages(
                folder, 7, [new_message(2), new_message(3)], last_uid=3, session=session
            )
            == 1
        )
    with sessions.begin() as session:
        folder = session.get_one(Folder, folder_id)
        assert (folder.uidvalidity, folder.last_uid) == (7, 3)
        assert session.scalar(select(func.count(Message.id))) == 3


def test_rolled_back_batch_leaves_cursor_where_it_was(sessions: sessionmaker[Session]) -> None:
    _, folder_id = make_account(sessions)
    with pytest.raises(RuntimeError), sessions.begin() as session:
        folder = session.get_one(Folder, folder_id)
        mailbox.store_messages(folder, 7, [new_message(1)], last_uid=1, session=session)
        raise RuntimeError("killed mid-batch")
    with sessions.begin() as session:
        assert session.get_one(Folder, folder_id).last_uid == 0
        assert session.scalar(select(func.count(Message.id))) == 0


def test_timestamps_come_back_timezone_aware(sessions: sessionmaker[Session]) -> None:
    _, folder_id = make_account(sessions)
    with sessions.begin() as session:
        mailbox.store_messages(
            session.get_one(Folder, folder_id), 1, [new_message(5)], last_uid=5, session=session
        )
    with sessions.begin() as session:
        message = session.scalars(select(Message)).one()
        assert message.received_at == T0 + timedelta(minutes=5)
        assert message.received_at.tzinfo is not None


def test_save_analysis_stores_gaps_and_deduplicates_postings(
    sessions: sessionmaker[Session],
) -> None:
    account_id, folder_id = make_account(sessions)
    with sessions.begin() as session:
        mailbox.store_messages(
            session.get_one(Folder, folder_id),
            1,
            [new_message(1), new_message(2)],
            last_uid=2,
            session=session,
        )
    posting = analyses.NewPosting(
        "data analyst|acme", "Data Analyst", "Acme", "Leeds", None, None, "Board"
    )
    with sessions.begin() as session:
        first, second = analyses.messages_to_analyse(account_id, 10, session=session)
        added = analyses.save_analysis(
            first,
            model_version="t",
            labels=["rejection", "feedback"],
            scores={},
            company="Acme",
            role="Analyst",
            gaps=[analyses.NewGap("skill", "more SQL", 0, 8, "SQL", 0.9)],
            postings=[posting],
            session=session,
        )
        again = analyses.save_analysis(
            second,
            model_version="t",
            labels=["job_alert"],
            scores={},
            company=None,
            role=None,
            gaps=[],
            postings=[posting],
            session=session,
        )
        assert (added, again) == (1, 0)
    with sessions.begin() as session:
        assert analyses.messages_to_analyse(account_id, 10, session=session) == []
        gap = session.scalars(select(Gap)).one()
        assert (gap.company, gap.skill, gap.status) == ("Acme", "SQL", "auto")
        assert session.scalar(select(func.count(JobPosting.id))) == 1
        summary = accounts.account_summary(session.get_one(Account, account_id), session=session)
    assert isinstance(summary, accounts.AccountSummary)
    assert summary.labels == {"feedback": 1, "job_alert": 1, "rejection": 1}
    assert (summary.messages, summary.gaps, summary.postings) == (2, 1, 1)
    assert summary.analysed == 2 and summary.unparseable_messages == 0
    assert summary.folders == (accounts.FolderCursor("INBOX", 1, 2),)


def test_one_digest_per_account_and_week(sessions: sessionmaker[Session]) -> None:
    account_id, _ = make_account(sessions)
    row = {
        "account_id": account_id,
        "iso_week": "2026-W47",
        "header_message_id": "<x>",
        "subject": "s",
        "to_address": "a@b.c",
        "raw": b"r",
    }
    with sessions.begin() as session:
        session.add(Digest(**row))
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(Digest(**row))


def test_delete_account_removes_everything(sessions: sessionmaker[Session]) -> None:
    account_id, folder_id = make_account(sessions)
    with sessions.begin() as session:
        mailbox.store_messages(
            session.get_one(Folder, folder_id), 1, [new_message(1)], last_uid=1, session=session
        )
        (message,) = analyses.messages_to_analyse(account_id, 10, session=session)
        analyses.save_analysis(
            message,
            model_version="t",
            labels=["feedback"],
            scores={},
            company=None,
            role=None,
            gaps=[analyses.NewGap("fit", "x", 0, 1, None, 0.5)],
            postings=[],
            session=session,
        )
    with sessions.begin() as session:
        accounts.delete_account(session.get_one(Account, account_id), session=session)
    with sessions.begin() as session:
        for table in ("accounts", "folders", "messages", "analyses", "gaps"):
            assert session.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table
