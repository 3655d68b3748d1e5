"""The profile ranks alerts; replies to a digest become diary entries and tick steps off."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bounceback.account.profile import ProfileUpdate, update_profile
from bounceback.cli.app import app
from bounceback.digest.build import digest_context
from bounceback.digest.collect import Week, collect_digest_input
from bounceback.digest.replies import read_reply
from bounceback.flows.analyse import analyse_pending
from bounceback.flows.outbox import prepare_digest
from bounceback.nlp.records import Analysis, EmailText
from bounceback.settings import load_settings
from bounceback.storage import analyses, digests, mailbox
from bounceback.storage.db import sessions_for
from bounceback.storage.models import Account, DiaryEntry, DigestStep, Folder
from tests.flows.test_outbox import WEEK, seed

NEXT_WEEK = "2026-W48"


class NoJobMail:
    """An analyser that labels everything "other" and records what it was shown."""

    version = "test"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def analyze(self, emails: Iterable[EmailText], *, batch_size: int = 256) -> Iterator[Analysis]:
        for email in emails:
            self.seen.append(email.subject)
            yield Analysis(email.id, (), {}, None, None)


def _store(sessions: sessionmaker[Session], rows: list[mailbox.NewMessage]) -> None:
    with sessions.begin() as session:
        folder = session.scalars(select(Folder)).one()
        top = max(r.uid for r in rows)
        mailbox.store_messages(folder, 1, rows, last_uid=top, session=session)


def _message(
    uid: int,
    subject: str,
    body: str,
    *,
    sender: str,
    when: datetime,
    in_reply_to: str | None = None,
    message_id: str | None = None,
) -> mailbox.NewMessage:
    return mailbox.NewMessage(
        uid=uid, header_message_id=message_id or f"<r{uid}@example.com>", in_reply_to=in_reply_to,
        subject=subject, from_header=sender, sender_name=None, sender_address=sender,
        received_at=when, size=len(body), content_hash=f"h{uid}", raw=body.encode(),
        body_text=body, analysed_text=body, html=None, parse_status="ok", defects=(),
    )  # fmt: skip


def test_read_reply_separates_commands_from_diary_text() -> None:
    reply = read_reply(
        "done 2\nDone: 1, 3 and 4\n\nOn Tuesday I rebuilt the churn report in SQL and cut "
        "its run time from 40 to 6 minutes.\n\nThanks\nAlex"
    )
    assert reply.done == (1, 2, 3, 4)
    assert reply.diary == (
        "On Tuesday I rebuilt the churn report in SQL and cut its run time from 40 to 6 minutes."
    )
    assert read_reply("done 5").diary is None
    assert read_reply("I'm done with this week, it was rough but I learnt a lot.").done == ()


def test_a_reply_marks_steps_done_and_feeds_the_diary(
    sqlite_sessions: sessionmaker[Session],
) -> None:
    account_id = seed(sqlite_sessions, 1)
    item = prepare_digest(account_id, Week.parse(WEEK, "Europe/London"), sessions=sqlite_sessions)
    with sqlite_sessions.begin() as session:
        steps = list(session.scalars(select(DigestStep).order_by(DigestStep.number)))
        assert 3 <= len(steps) <= 5
        second = steps[1].key
    when = datetime(2026, 11, 24, 19, tzinfo=UTC)
    _store(sqlite_sessions, [
        _message(20, "Re: Your week in job search", "done 2\n\nI practised three STAR "
                 "stories out loud and recorded them; the conflict one is finally short.",
                 sender="alex@example.com", when=when, in_reply_to=item.message_id),
        # the same words from someone else, or not in reply to a digest, are ordinary mail
        _message(21, "Re: Your week in job search", "done 1", sender="mallory@evil.test",
                 when=when, in_reply_to=item.message_id),
        _message(22, "Note to self", "done 1", sender="alex@example.com", when=when,
                 in_reply_to="<something-else@example.com>"),
        # and the digest itself, delivered to the same inbox, is never analysed as job mail
        _message(23, item.subject, "Recurring themes: SQL", sender="alex@example.com",
                 when=when, message_id=item.message_id),
    ])  # fmt: skip
    analyzer = NoJobMail()
    analyse_pending(account_id, analyzer, sessions=sqlite_sessions)
    assert sorted(analyzer.seen) == ["Note to self", "Re: Your week in job search"]
    with sqlite_sessions.begin() as session:
        done = digests.done_step_keys(account_id, session=session)
        assert done == {second}
        (entry,) = session.scalars(select(DiaryEntry))
        assert entry.text.startswith("I practised three STAR stories")
        account = session.get_one(Account, account_id)
        data, _ = collect_digest_input(
            account, Week.parse(NEXT_WEEK, "Europe/London"), session=session
        )
    assert data.done_steps == {second}
    assert [d.text for d in data.diary] == [entry.text]
    later = prepare_digest(
        account_id, Week.parse(NEXT_WEEK, "Europe/London"), sessions=sqlite_sessions
    )
    with sqlite_sessions.begin() as session:
        keys = session.scalars(
            select(DigestStep.key).where(DigestStep.digest_id == later.digest_id)
        ).all()
    assert second not in keys  # a step marked done does not come back
    text = message_from_bytes(later.raw, policy=policy.default).get_body(("plain",)).get_content()
    flat = " ".join(text.split())
    assert "From your diary:" in flat and "I practised three STAR stories" in flat


def test_profile_ranks_postings_and_postings_never_repeat(
    sqlite_sessions: sessionmaker[Session],
) -> None:
    account_id = seed(sqlite_sessions, 1)  # week 47 has "Data Analyst" at Contoso
    update_profile(sqlite_sessions, None, ProfileUpdate(
        name="Alex", roles=("BI Developer",), locations=("Leeds",), salary_floor=45000,
    ))  # fmt: skip
    prepare_digest(account_id, Week.parse(WEEK, "Europe/London"), sessions=sqlite_sessions)
    when = datetime(2026, 11, 24, 7, tzinfo=UTC)
    with sqlite_sessions.begin() as session:
        folder = session.scalars(select(Folder)).one()
        mailbox.store_messages(folder, 1, [
            _message(30, "Jobs", "x", sender="alert@indeed.com", when=when)
        ], last_uid=30, session=session)  # fmt: skip
        (message,) = analyses.messages_to_analyse(account_id, 5, session=session)
        analyses.save_analysis(
            message, model_version="t", labels=["job_alert"], scores={}, company=None,
            role=None, gaps=[], session=session, postings=[
                # the Contoso role again, worded differently by another board
                analyses.NewPosting("a", "Data Analyst (Hybrid)", "Contoso Ltd", "Leeds",
                                   None, "https://b.test/1", "Indeed"),
                analyses.NewPosting("b", "Junior BI Developer", "Tailspin", "Leeds",
                                   "£48,000", "https://b.test/2", "Indeed"),
                analyses.NewPosting("c", "Office Manager", "Fabrikam", "York", None,
                                   "https://b.test/3", "Indeed"),
                analyses.NewPosting("d", "BI Developer", "Wingtip", "Leeds", "£30,000",
                                   "https://b.test/4", "Indeed"),
            ],
        )  # fmt: skip
        account = session.get_one(Account, account_id)
        data, _ = collect_digest_input(
            account, Week.parse(NEXT_WEEK, "Europe/London"), session=session
        )
    assert data.user_name == "Alex" and data.salary_floor == 45000
    # the Contoso role was in last week's digest: a reworded repeat is not shown again
    assert sorted(p.title for p in data.postings) == [
        "BI Developer", "Junior BI Developer", "Office Manager",
    ]  # fmt: skip
    ranked = digest_context(data)["postings"]
    assert [p.title for p in ranked] == ["Junior BI Developer", "BI Developer", "Office Manager"]
    assert ranked[0].matches[:2] == ("BI Developer", "Leeds")
    assert ranked[1].note == "below your salary floor"


def test_profile_command(bounceback_home: Path) -> None:
    runner = CliRunner()
    seed(sessions_for(load_settings().database_url), 1)
    result = runner.invoke(app, [
        "profile", "--role", "Data Analyst", "--role", "BI Developer", "--keyword", "SQL",
        "--location", "Leeds", "--location", "Remote", "--salary-floor", "40000",
        "--timezone", "Europe/London", "--digest-day", "tue", "--digest-time", "7:30", "--json",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["target_roles"] == ["Data Analyst", "BI Developer"]
    assert shown["locations"] == ["Leeds", "Remote"] and shown["salary_floor"] == 40000
    assert (shown["digest_day"], shown["digest_time"], shown["digest_cron"]) == (
        "tuesday", "07:30", "30 7 * * 2",
    )  # fmt: skip
    again = runner.invoke(app, ["profile", "--keyword", "Python", "--json"])
    assert json.loads(again.stdout)["target_roles"] == ["Data Analyst", "BI Developer"]
    assert json.loads(again.stdout)["keywords"] == ["Python"]
    bad = runner.invoke(app, ["profile", "--digest-day", "someday"])
    assert bad.exit_code == 1
    assert "is not a weekday" in bad.output and "Traceback" not in bad.output
    plain = runner.invoke(app, ["profile"])
    assert "Tuesdays at 07:30 (Europe/London)" in plain.stdout


def test_feedback_request_goes_to_the_reply_to_address(
    sqlite_sessions: sessionmaker[Session],
) -> None:
    account_id = seed(sqlite_sessions, 1)
    raw = (
        b"From: Careers <no-reply@wingtip.test>\r\nReply-To: Sam Patel <sam.patel@wingtip.test>\r\n"
        b"Subject: Your application\r\nMessage-ID: <w1@wingtip.test>\r\n\r\nNot this time.\r\n"
    )
    row = _message(40, "Your application", "Not this time.", sender="no-reply@wingtip.test",
                   when=datetime(2026, 11, 18, 9, tzinfo=UTC))  # fmt: skip
    row = mailbox.NewMessage(**{**{f: getattr(row, f) for f in row.__slots__}, "raw": raw})  # type: ignore[attr-defined]
    _store(sqlite_sessions, [row])
    with sqlite_sessions.begin() as session:
        (message,) = analyses.messages_to_analyse(account_id, 5, session=session)
        analyses.save_analysis(
            message, model_version="t", labels=["rejection"], scores={}, company="Wingtip",
            role="Analyst", gaps=[], postings=[], session=session,
        )  # fmt: skip
        account = session.get_one(Account, account_id)
        data, _ = collect_digest_input(account, Week.parse(WEEK, "Europe/London"), session=session)
    wingtip = next(r for r in data.silent_rejections if r.company == "Wingtip")
    assert wingtip.sender_address == "sam.patel@wingtip.test"
    request = next(r for r in digest_context(data)["requests"] if r.to == "sam.patel@wingtip.test")
    assert request.mailto and request.mailto.startswith(
        "mailto:sam.patel@wingtip.test?subject=Re%3A"
    )
    assert request.body.startswith("Hello Wingtip team,") and not request.no_reply
