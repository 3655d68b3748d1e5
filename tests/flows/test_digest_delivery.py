"""Digest delivery: exactly once through crashes, races, deferrals and refusals.

Real components only: an aiosmtpd server, pymap's IMAP server holding the "Sent"
folder a provider would file the digest in, SQLite/PostgreSQL, and separate OS
processes that kill themselves (SIGKILL) at each step of sending.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.demo.servers import EmbeddedImapServer, SmtpSink, free_port
from bounceback.digest.collect import Week
from bounceback.flows.analyse import parse_body
from bounceback.flows.outbox import SEND_STEPS, prepare_digest, send_digest, unsent_weeks
from bounceback.flows.schedules import digest_week_due
from bounceback.flows.sync import to_new_message
from bounceback.mail.imap_wire import RawMessage
from bounceback.mail.sentcheck import sent_folders
from bounceback.mail.smtp import PermanentSendError, TemporarySendError
from bounceback.settings import Settings
from bounceback.storage import analyses
from bounceback.storage import mailbox as stored_mail
from bounceback.storage.db import make_engine, session_factory, upgrade
from bounceback.storage.models import Account, Digest, Folder
from tests.flows.test_outbox import WEEK, seed

PASSWORD = "s3cret-pass"

REPO = Path(__file__).resolve().parents[2]
DRIVER = """
import sys
from datetime import timedelta
from bounceback.digest.collect import Week
from bounceback.flows.outbox import prepare_digest, send_digest
from bounceback.storage.db import make_engine, session_factory
from bounceback.storage.models import Account

url, account_id, week, lease = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
sessions = session_factory(make_engine(url))
item = prepare_digest(account_id, Week.parse(week, "Europe/London"), sessions=sessions)
with sessions.begin() as session:
    account = session.get_one(Account, account_id)
    session.expunge(account)
sent = send_digest(item, account, sys.argv[5], sessions=sessions,
                   lease=timedelta(seconds=lease))
print("sent" if sent else "skipped")
"""


@pytest.fixture
def mailbox() -> Iterator[EmbeddedImapServer]:
    """The user's IMAP mailbox, with the Sent folder a provider keeps."""
    with EmbeddedImapServer(user="alex", password=PASSWORD) as server:
        with server.mailbox() as box:
            box.folder.create("Sent")
        yield server


def _seed(sessions: sessionmaker[Session], smtp_port: int, imap: EmbeddedImapServer) -> int:
    account_id = seed(sessions, smtp_port)
    with sessions.begin() as session:
        account = session.get_one(Account, account_id)
        account.imap_port = imap.port
    return account_id


def _run(
    url: str, account_id: int, *, lease: float, fault: str | None = None
) -> subprocess.Popen[str]:
    crash = ["--at", f"outbox:{fault}"] if fault else []
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.crash",
            *crash,
            "--python",
            DRIVER,
            "--",
            url,
            str(account_id),
            WEEK,
            str(lease),
            PASSWORD,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _digest_rows(url: str) -> list[Digest]:
    engine = make_engine(url)
    try:
        with session_factory(engine).begin() as session:
            rows = list(session.scalars(select(Digest)))
            session.expunge_all()
            return rows
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("step", SEND_STEPS)
def test_killed_at_any_send_step_the_recipient_gets_exactly_one(
    step: str, tmp_path: Any, smtp_sink: SmtpSink, mailbox: EmbeddedImapServer
) -> None:
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    upgrade(url)
    engine = make_engine(url)
    account_id = _seed(session_factory(engine), smtp_sink.port, mailbox)
    engine.dispose()

    crashed = _run(url, account_id, lease=0, fault=step)
    out, errors = crashed.communicate(timeout=120)
    assert crashed.returncode == -9, errors  # it really died at that step
    # The provider files what it accepted in the Sent folder, as Gmail or Fastmail do.
    delivered = [raw for _, _, raw in smtp_sink.messages]
    if delivered:
        mailbox.append(delivered, "Sent")
    assert len(delivered) == (1 if step in ("delivered", "recorded") else 0)

    rerun = _run(url, account_id, lease=0)
    out, errors = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, errors
    assert out.strip() == ("skipped" if step in ("delivered", "recorded") else "sent")
    received = smtp_sink.wait_for(1)
    assert len(received) == 1
    (row,) = _digest_rows(url)
    assert row.status == "sent" and received[0][2] == row.raw  # the stored bytes, unchanged


@pytest.mark.slow
def test_two_runs_started_together_send_once(
    database_url: str, smtp_sink: SmtpSink, mailbox: EmbeddedImapServer
) -> None:
    engine = make_engine(database_url)
    account_id = _seed(session_factory(engine), smtp_sink.port, mailbox)
    engine.dispose()
    runs = [_run(database_url, account_id, lease=600) for _ in range(3)]
    results = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], [e for _, e in results]
    assert sorted(out.strip() for out, _ in results) == ["sent", "skipped", "skipped"]
    assert len(smtp_sink.wait_for(1)) == 1
    assert len(smtp_sink.messages) == 1
    (row,) = _digest_rows(database_url)
    assert (row.status, row.attempts) == ("sent", 1)


def test_threads_racing_for_the_claim_send_once(
    sqlite_sessions: sessionmaker[Session], smtp_sink: SmtpSink
) -> None:
    account_id = seed(sqlite_sessions, smtp_sink.port)
    item = prepare_digest(account_id, Week.parse(WEEK, "Europe/London"), sessions=sqlite_sessions)
    with sqlite_sessions.begin() as session:
        account = session.get_one(Account, account_id)
        session.expunge(account)
    barrier = threading.Barrier(4)
    outcomes: list[bool] = []

    def attempt() -> None:
        barrier.wait()
        outcomes.append(
            send_digest(item, account, "pw", sessions=sqlite_sessions, sent_check=lambda _: False)
        )

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, False, False, True]
    assert len(smtp_sink.wait_for(1)) == 1


class _Moody:
    """An SMTP handler that answers DATA with scripted replies, then accepts."""

    def __init__(self, replies: list[str]) -> None:
        self.replies = replies
        self.accepted: list[bytes] = []
        self.offered: list[bytes] = []  # every DATA payload, refused or not
        self.attempts = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        self.offered.append(bytes(envelope.original_content or b""))
        if self.replies:
            return self.replies.pop(0)
        self.accepted.append(bytes(envelope.original_content or b""))
        return "250 OK"


@pytest.fixture
def moody_server() -> Iterator[tuple[_Moody, int]]:
    handler = _Moody([])
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def _account(sessions: sessionmaker[Session], account_id: int) -> Account:
    with sessions.begin() as session:
        account = session.get_one(Account, account_id)
        session.expunge(account)
        return account


def test_4xx_is_retried_with_the_same_bytes(
    sqlite_sessions: sessionmaker[Session], moody_server: tuple[_Moody, int]
) -> None:
    handler, port = moody_server
    handler.replies = ["451 4.3.0 Mailbox busy, try later", "421 4.7.0 Too many connections"]
    account_id = seed(sqlite_sessions, port)
    item = prepare_digest(account_id, Week.parse(WEEK, "UTC"), sessions=sqlite_sessions)
    account = _account(sqlite_sessions, account_id)
    looked: list[str] = []
    outcomes: list[object] = []
    for _ in range(3):  # one attempt per call: the retries of send_account_digest
        try:
            outcomes.append(
                send_digest(
                    item,
                    account,
                    "pw",
                    sessions=sqlite_sessions,
                    sent_check=lambda mid: looked.append(mid) or False,
                )
            )
        except TemporarySendError as exc:
            outcomes.append(type(exc))
    assert outcomes == [TemporarySendError, TemporarySendError, True]
    assert handler.attempts == 3 and handler.accepted == [item.raw]
    assert handler.offered == [item.raw] * 3  # every attempt sent the stored bytes
    assert looked == [item.message_id, item.message_id]  # checked before each resend
    with sqlite_sessions.begin() as session:
        row = session.scalars(select(Digest)).one()
        assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)


class _Outage:
    """An SMTP handler that defers every message (a long 4xx outage)."""

    def __init__(self) -> None:
        self.attempts = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        return "451 4.3.2 System not accepting network messages"


@pytest.mark.slow
def test_a_4xx_outage_costs_four_smtp_attempts_per_run_then_sends_once(
    prefect_harness: None,
    tmp_path: Any,
    mailbox: EmbeddedImapServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bounceback.flows.tasks import send_account_digest

    url = f"sqlite:///{tmp_path / 'outage.db'}"
    upgrade(url)
    settings = Settings(home=tmp_path / "home", database=url)
    monkeypatch.setenv("X", PASSWORD)  # the seeded account's secret_ref is env:X
    handler = _Outage()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        engine = make_engine(url)
        sessions = session_factory(engine)
        account_id = _seed(sessions, port, mailbox)
        item = prepare_digest(account_id, Week.parse(WEEK, "UTC"), sessions=sessions)
        # The task exactly as decorated (retries, retry condition), without the pauses.
        task = send_account_digest.with_options(retry_delay_seconds=0)
        with pytest.raises(TemporarySendError, match="451"):
            task(settings, "alex@example.com", WEEK)
    finally:
        controller.stop()
    # One layer of retries: the task's first try and its 3 retries, one SMTP attempt each.
    assert handler.attempts == 4
    with sessions.begin() as session:
        row = session.get_one(Digest, item.digest_id)
        assert (row.status, row.attempts, row.claim_token) == ("pending", 4, None)
        assert "451" in (row.last_error or "")
    # The service comes back (on another port): the next run sends it, once.
    with SmtpSink() as sink:
        with sessions.begin() as session:
            session.get_one(Account, account_id).smtp_port = sink.port
        assert send_account_digest(settings, "alex@example.com", WEEK)["sent"] is True
        assert [raw for _, _, raw in sink.wait_for(1)] == [item.raw]
    engine.dispose()


def test_a_refused_week_is_sent_once_by_the_next_run_when_the_server_accepts(
    sqlite_sessions: sessionmaker[Session], moody_server: tuple[_Moody, int]
) -> None:
    handler, port = moody_server
    handler.replies = ["554 5.7.1 Message rejected as spam", "554 5.7.1 Still rejected"]
    account_id = seed(sqlite_sessions, port)
    item = prepare_digest(account_id, Week.parse(WEEK, "UTC"), sessions=sqlite_sessions)
    account = _account(sqlite_sessions, account_id)
    looked: list[str] = []

    def not_in_sent(message_id: str) -> bool:
        looked.append(message_id)
        return False

    with pytest.raises(PermanentSendError) as raised:
        send_digest(item, account, "pw", sessions=sqlite_sessions, sent_check=not_in_sent)
    message = str(raised.value)
    assert "554" in message and "refused" in message and "\n" not in message
    assert f"digest {WEEK} was not sent" in message
    assert "next digest --send" in message and "tries this week again" in message
    assert handler.attempts == 1 and looked == []  # one attempt per run: no retry loop
    with sqlite_sessions.begin() as session:
        assert session.scalars(select(Digest)).one().status == "failed"
    assert unsent_weeks(account_id, sessions=sqlite_sessions) == [WEEK]  # serve's catch-up
    # The next run tries again; the server still refuses, and the message says so.
    with pytest.raises(PermanentSendError, match="was not sent again"):
        send_digest(item, account, "pw", sessions=sqlite_sessions, sent_check=not_in_sent)
    # Fixed on the server's side: the next run looks in Sent first, then sends it, once.
    assert send_digest(item, account, "pw", sessions=sqlite_sessions, sent_check=not_in_sent)
    assert handler.accepted == [item.raw] and handler.attempts == 3
    assert looked == [item.message_id, item.message_id]
    assert not send_digest(item, account, "pw", sessions=sqlite_sessions, sent_check=not_in_sent)
    assert handler.attempts == 3 and unsent_weeks(account_id, sessions=sqlite_sessions) == []
    with sqlite_sessions.begin() as session:
        row = session.scalars(select(Digest)).one()
        assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)


def test_a_missed_week_is_sent_once_when_service_returns(
    sqlite_sessions: sessionmaker[Session], smtp_sink: SmtpSink
) -> None:
    account_id = seed(sqlite_sessions, smtp_sink.port)
    with sqlite_sessions.begin() as session:
        session.get_one(Account, account_id).created_at = datetime(2026, 11, 1, tzinfo=UTC)
    account = _account(sqlite_sessions, account_id)
    # Nothing ran at 08:00 on Monday 23 Nov; the service comes back on Wednesday.
    back = datetime(2026, 11, 25, 15, tzinfo=UTC)
    assert digest_week_due(account, back) == WEEK
    for _ in range(2):  # and runs again an hour later
        week = Week.parse(digest_week_due(account, back) or "", account.timezone)
        item = prepare_digest(account_id, week, sessions=sqlite_sessions, now=back)
        send_digest(item, account, "pw", sessions=sqlite_sessions, sent_check=lambda _: False)
        back += timedelta(hours=1)
    assert len(smtp_sink.wait_for(1)) == 1
    assert unsent_weeks(account_id, sessions=sqlite_sessions) == []


def test_an_interrupted_earlier_week_is_listed_for_sending(
    sqlite_sessions: sessionmaker[Session], smtp_sink: SmtpSink
) -> None:
    account_id = seed(sqlite_sessions, smtp_sink.port)
    prepare_digest(account_id, Week.parse("2026-W46", "UTC"), sessions=sqlite_sessions)
    prepare_digest(account_id, Week.parse(WEEK, "UTC"), sessions=sqlite_sessions)
    assert unsent_weeks(account_id, sessions=sqlite_sessions) == ["2026-W46", WEEK]


def test_sent_folder_names_are_recognised() -> None:
    names = [
        "INBOX",
        "Sent",
        "[Gmail]/Sent Mail",
        "Sent Items",
        "INBOX.Sent",
        "Drafts",
        "Sentiment reports",
        "Gesendet",
    ]
    assert sent_folders(names) == [
        "Sent",
        "[Gmail]/Sent Mail",
        "Sent Items",
        "INBOX.Sent",
        "Gesendet",
    ]


EVIL_EML = (
    b"From: =?utf-8?q?Recruiting=0D=0ABcc:_victim@evil.test?= <careers@fabrikam.test>\r\n"
    b"To: alex@example.com\r\n"
    b"Subject: =?utf-8?q?Your_application=0D=0ABcc:_victim@evil.test=0D=0A=0D=0A<b>hi</b>?=\r\n"
    b"Message-ID: <evil-1@fabrikam.test>\r\n"
    b"Date: Tue, 17 Nov 2026 10:00:00 +0000\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Thank you for applying. We will not be taking your application further.\r\n"
)


def test_header_injection_through_the_whole_path(
    sqlite_sessions: sessionmaker[Session], smtp_sink: SmtpSink
) -> None:
    account_id = seed(sqlite_sessions, smtp_sink.port)
    row = to_new_message(RawMessage(uid=10, size=len(EVIL_EML), raw=EVIL_EML), datetime.now(UTC))
    # Also a row stored by an older, laxer parser, with raw CR/LF in it.
    lax = row.__class__(
        **{
            **{f: getattr(row, f) for f in row.__slots__},  # type: ignore[attr-defined]
            "uid": 11,
            "content_hash": "lax",
            "header_message_id": "<lax@x.test>",
            "subject": "Outcome\r\nBcc: victim@evil.test\r\n\r\nbody",
            "sender_name": "Jo\r\nBcc: victim@evil.test",
            "sender_address": "careers@fabrikam.test",
            "parse_status": "ok",
        }
    )
    with sqlite_sessions.begin() as session:
        folder = session.scalars(select(Folder)).one()
        stored_mail.store_messages(folder, 1, [row, lax], last_uid=11, session=session)
        for message in analyses.messages_to_analyse(account_id, 10, session=session):
            if message.parse_status == "pending":
                parse_body(message)  # as the analysis step does first
            analyses.save_analysis(
                message,
                model_version="t",
                labels=["rejection"],
                scores={},
                company='Fabrikam <script>alert("x")</script>\r\nX-Evil: 1',
                role=None,
                gaps=[],
                postings=[],
                session=session,
            )
    item = prepare_digest(account_id, Week.parse(WEEK, "Europe/London"), sessions=sqlite_sessions)
    account = _account(sqlite_sessions, account_id)
    assert send_digest(item, account, "pw", sessions=sqlite_sessions, sent_check=lambda _: False)
    (received,) = smtp_sink.wait_for(1)
    assert received[1] == ["alex@example.com"]  # no smuggled recipient
    message = message_from_bytes(received[2], policy=policy.default)
    assert sorted(message.keys()) == sorted(
        [
            "Subject",
            "From",
            "To",
            "Date",
            "Message-ID",
            "Auto-Submitted",
            "X-Auto-Response-Suppress",
            "List-Unsubscribe",
            "MIME-Version",
            "Content-Type",
        ]
    )
    assert "victim@evil.test" not in str(message["To"]) + str(message["Subject"])
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    for link in [p for p in html.split('href="')[1:] if p.startswith("mailto:")]:
        target = link.split('"', 1)[0]
        assert "\r" not in target and "\n" not in target
        assert "%0D%0ABcc" not in target  # the Re: subject was flattened before encoding
