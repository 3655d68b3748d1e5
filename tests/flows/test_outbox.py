"""The digest outbox: one row per account and week, the same bytes on every attempt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.demo.servers import SmtpSink
from bounceback.digest.collect import Week, collect_digest_input
from bounceback.errors import MailServerError
from bounceback.flows.outbox import prepare_digest, send_digest
from bounceback.storage import accounts, analyses, mailbox
from bounceback.storage.models import Account, Digest, Folder, JobPosting

WEEK = "2026-W47"  # Monday 16 to Sunday 22 November 2026


def seed(sessions: sessionmaker[Session], smtp_port: int) -> int:
    """An account with a week of analysed mail: a rejection with feedback, a silent one, an alert."""
    with sessions.begin() as session:
        account = accounts.save_account(
            {
                "address": "alex@example.com",
                "username": "alex",
                "imap_host": "127.0.0.1",
                "imap_port": 1,
                "imap_security": "none",
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp_port,
                "smtp_security": "none",
                "secret_ref": "env:X",
                "digest_to": "alex@example.com",
                "allow_insecure_loopback": True,
                "timezone": "Europe/London",
            },
            ["INBOX"],
            session=session,
        )
        folder = session.scalars(select(Folder)).one()
        base = datetime(2026, 11, 17, 10, tzinfo=UTC)
        rows = []
        for uid, subject in enumerate(["Outcome", "Your application", "New jobs for you"], 1):
            rows.append(
                mailbox.NewMessage(
                    uid=uid,
                    header_message_id=f"<m{uid}@hr.test>",
                    in_reply_to=None,
                    subject=subject,
                    from_header="HR <hr@northwind.test>",
                    sender_name="HR",
                    sender_address="hr@northwind.test",
                    received_at=base + timedelta(hours=uid),
                    size=1,
                    content_hash=str(uid),
                    raw=b"x",
                    body_text="b",
                    analysed_text="b",
                    html=None,
                    parse_status="ok",
                    defects=(),
                )
            )
        mailbox.store_messages(folder, 1, rows, last_uid=3, session=session)
        first, second, third = analyses.messages_to_analyse(account.id, 10, session=session)
        analyses.save_analysis(
            first,
            model_version="t",
            labels=["rejection", "feedback"],
            scores={},
            company="Northwind",
            role="Data Analyst",
            gaps=[analyses.NewGap("skill", "needs stronger SQL", 0, 18, "SQL", 0.9)],
            postings=[],
            session=session,
        )
        analyses.save_analysis(
            second,
            model_version="t",
            labels=["rejection"],
            scores={},
            company="Fabrikam",
            role=None,
            gaps=[],
            postings=[],
            session=session,
        )
        analyses.save_analysis(
            third,
            model_version="t",
            labels=["job_alert"],
            scores={},
            company=None,
            role=None,
            gaps=[],
            postings=[
                analyses.NewPosting(
                    "k",
                    "Data Analyst",
                    "Contoso",
                    "Leeds",
                    "£40,000",
                    "https://jobs.test/1",
                    "Board",
                )
            ],
            session=session,
        )
        return account.id


def test_week_boundaries_follow_the_time_zone() -> None:
    week = Week.parse(WEEK, "Europe/London")
    assert week.start.isoformat() == "2026-11-16T00:00:00+00:00"
    assert (week.end - week.start) == timedelta(days=7)
    assert (
        Week.containing(datetime(2026, 11, 22, 23, 30, tzinfo=UTC), "Europe/London").label == WEEK
    )
    # 23:30 UTC on Sunday is already Monday in Tokyo
    assert (
        Week.containing(datetime(2026, 11, 22, 23, 30, tzinfo=UTC), "Asia/Tokyo").label
        == "2026-W48"
    )
    assert Week.last_complete(datetime(2026, 11, 26, tzinfo=UTC), "UTC").label == WEEK
    assert Week.parse("2027-W01", "UTC").previous().label == "2026-W53"


def test_collect_counts_the_week_and_finds_silent_rejections(
    sqlite_sessions: sessionmaker[Session],
) -> None:
    account_id = seed(sqlite_sessions, 1)
    with sqlite_sessions.begin() as session:
        account = session.get_one(Account, account_id)
        data, postings = collect_digest_input(
            account, Week.parse(WEEK, "Europe/London"), session=session
        )
    this_week = data.history[-1]
    assert (this_week.week, this_week.rejections, this_week.feedback) == (WEEK, 2, 1)
    assert [g.text for g in data.week_gaps] == ["needs stronger SQL"]
    assert [r.company for r in data.silent_rejections] == ["Fabrikam"]
    assert [p.title for p in postings] == ["Data Analyst"]
    with sqlite_sessions.begin() as session:
        account = session.get_one(Account, account_id)
        earlier, _ = collect_digest_input(
            account, Week.parse("2026-W46", "Europe/London"), session=session
        )
    assert earlier.week_gaps == () and earlier.history[-1].rejections == 0


def test_prepare_is_idempotent_and_send_happens_once(
    sqlite_sessions: sessionmaker[Session], smtp_sink: SmtpSink
) -> None:
    account_id = seed(sqlite_sessions, smtp_sink.port)
    week = Week.parse(WEEK, "Europe/London")
    first = prepare_digest(account_id, week, sessions=sqlite_sessions)
    again = prepare_digest(account_id, week, sessions=sqlite_sessions)
    assert first.raw == again.raw and first.digest_id == again.digest_id
    with sqlite_sessions.begin() as session:
        account = session.get_one(Account, account_id)
        session.expunge(account)
        # postings shown in this digest are never offered again
        assert session.scalar(select(func.count()).where(JobPosting.digest_id.is_(None))) == 0
    assert (
        send_digest(first, account, "pw", sessions=sqlite_sessions, sent_check=lambda _: False)
        is True
    )
    reloaded = prepare_digest(account_id, week, sessions=sqlite_sessions)
    assert reloaded.status == "sent"
    assert send_digest(reloaded, account, "pw", sessions=sqlite_sessions) is False
    assert send_digest(first, account, "pw", sessions=sqlite_sessions) is False  # stale item
    assert max(len(line) for line in first.raw.split(b"\r\n")) <= 998  # RFC 5321 limit
    received = smtp_sink.wait_for(1)
    assert len(received) == 1
    assert received[0][2] == first.raw
    message = message_from_bytes(first.raw, policy=policy.default)
    assert "2026-W47" in message["Message-ID"].lower() or "2026-w47" in message["Message-ID"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "needs stronger SQL" in text
    assert "Fabrikam" in text


def test_a_failed_send_is_recorded_and_can_be_retried(
    sqlite_sessions: sessionmaker[Session], smtp_sink: SmtpSink
) -> None:
    from bounceback.demo.servers import free_port

    account_id = seed(sqlite_sessions, free_port())  # nothing listens there
    item = prepare_digest(account_id, Week.parse(WEEK, "UTC"), sessions=sqlite_sessions)
    with sqlite_sessions.begin() as session:
        account = session.get_one(Account, account_id)
        session.expunge(account)
    checked: list[str] = []

    def nothing_in_sent(message_id: str) -> bool:
        checked.append(message_id)
        return False

    with pytest.raises(MailServerError):
        send_digest(item, account, "pw", sessions=sqlite_sessions, sent_check=nothing_in_sent)
    assert checked == []  # a first attempt has nothing to look for
    with sqlite_sessions.begin() as session:
        digest = session.scalars(select(Digest)).one()
        assert (digest.status, digest.attempts) == ("pending", 1)
        assert digest.last_error and "cannot connect" in digest.last_error
        digest_row = session.get_one(Account, account_id)
        digest_row.smtp_port = smtp_sink.port
        session.flush()
        session.expunge(digest_row)
    assert (
        send_digest(item, digest_row, "pw", sessions=sqlite_sessions, sent_check=nothing_in_sent)
        is True
    )
    assert checked == [item.message_id]  # the retry looked in the Sent folder first
    assert len(smtp_sink.wait_for(1)) == 1


def test_digests_link_their_items_to_the_review_page_when_its_address_is_set(
    sqlite_sessions: sessionmaker[Session],
) -> None:
    from bounceback.flows.tasks import prepare_account_digest
    from bounceback.settings import Settings

    seed(sqlite_sessions, 1)
    url = str(sqlite_sessions.kw["bind"].url)
    settings = Settings(database=url, review_url="http://127.0.0.1:8731/")
    prepare_account_digest.fn(settings, "alex@example.com", WEEK)
    with sqlite_sessions.begin() as session:
        raw = session.scalars(select(Digest.raw)).one()
    html = message_from_bytes(raw, policy=policy.default).get_body(("html",)).get_content()
    assert 'href="http://127.0.0.1:8731/?status=all&amp;m=' in html
    assert "bounceback review</code> to correct it" not in html
