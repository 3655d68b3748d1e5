"""Sync against Dovecot when things go wrong: expunges mid-run, huge and unreadable
messages, UIDVALIDITY resets, servers that stall, and 100 polls that must change nothing."""

from __future__ import annotations

import imaplib
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from imap_tools import AND
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.errors import MailServerError, UnstableMailboxError
from bounceback.flows.sync_plan import SyncOptions
from bounceback.mail.imap import ImapEndpoint, ImapReader, ServerStalledError
from bounceback.mail.imap_wire import ReadOnlyViolation, check_read_only
from bounceback.settings import Settings
from bounceback.storage.models import Folder, Message
from tests.servers.dovecot import DovecotAccount
from tests.servers.stall import SilentServer, StallingProxy
from tests.servers.synced import add_account, cursor, endpoint, parse_bodies, poll, stored_ids
from tests.support.mail import make_mail

pytestmark = pytest.mark.dovecot

MID = "<test-{}@acme-analytics.test>"


def expunge(account: DovecotAccount, uids: list[int]) -> None:
    """Delete messages from another session, as a phone or webmail would."""
    with account.mailbox() as box:
        box.delete([str(uid) for uid in uids])


def test_imap_tools_bulk_fetch_stops_at_the_first_empty_chunk(dovecot: DovecotAccount) -> None:
    """Why bounceback does not use imap-tools' bulk fetch (checked on imap-tools 1.16)."""
    dovecot.append([make_mail(i) for i in range(8)])
    with dovecot.mailbox() as box:
        box.folder.set("INBOX", readonly=True)
        fetched = box.fetch(AND(all=True), bulk=2, mark_seen=False)
        seen = [next(fetched).uid]
        expunge(dovecot, [3, 4])  # the whole second chunk
        box.client.noop()  # the session hears of the expunge before the next chunk
        seen += [message.uid for message in fetched]
    # 5..8 still exist, yet the generator ended at the empty chunk without a word.
    assert seen == ["1", "2"]


@pytest.mark.parametrize(
    ("when", "gone"),
    [
        # after SEARCH, before any FETCH: the whole second chunk and one of the third
        ("listed", {5, 6, 7, 8, 10}),
        # after the first commit (the second and third chunks may be fetched already: one
        # is prefetched while the other waits for the commit): the whole fourth chunk and
        # one of the fifth, which the session now hears of as EXPUNGEs
        ("stored", {13, 14, 15, 16, 18}),
    ],
)
def test_expunge_between_search_and_fetch_leaves_no_gap(
    dovecot: DovecotAccount, sqlite_sessions: sessionmaker[Session], when: str, gone: set[int]
) -> None:
    folder_id = add_account(sqlite_sessions, dovecot)
    dovecot.append([make_mail(i) for i in range(20)])  # UIDs 1..20, chunks of 4
    done: list[str] = []

    def on_step(step: str) -> None:
        if step == when and not done:
            done.append(step)
            expunge(dovecot, sorted(gone))

    report = poll(sqlite_sessions, folder_id, dovecot, on_step=on_step)
    assert done == [when]
    expected = [MID.format(i) for i in range(20) if i + 1 not in gone]
    assert sorted(stored_ids(sqlite_sessions)) == sorted(expected)
    assert report.new_messages == 15 and report.expunged == 5 and report.quarantined == 0
    assert cursor(sqlite_sessions, folder_id) == 20
    dovecot.append([make_mail(20)])
    assert poll(sqlite_sessions, folder_id, dovecot).new_messages == 1


def test_a_body_over_the_limit_is_stored_as_headers_only(
    dovecot: DovecotAccount, sqlite_sessions: sessionmaker[Session]
) -> None:
    folder_id = add_account(sqlite_sessions, dovecot)
    huge = make_mail(1, body="attachment-ish line of text\n" * 4000)
    dovecot.append([make_mail(0), huge, make_mail(2)])
    options = SyncOptions(chunk_size=10, max_message_bytes=20_000)
    report = poll(sqlite_sessions, folder_id, dovecot, options=options)
    assert report.new_messages == 3 and report.oversize == 1
    assert parse_bodies(sqlite_sessions, folder_id) == {"ok": 2, "degraded": 1}
    with sqlite_sessions.begin() as session:
        rows = {m.header_message_id: m for m in session.scalars(select(Message))}
    big = rows[MID.format(1)]
    assert big.fetch_status == "oversize" and big.parse_status == "degraded"
    assert big.size >= len(huge) - 100  # the server's size, not the header's
    assert b"attachment-ish" not in big.raw and b"Subject:" in big.raw
    assert big.subject == "Update on your application (1)"
    assert any("over the size limit" in d for d in big.defects)
    assert rows[MID.format(0)].fetch_status == "full"
    assert b"message number 2" in rows[MID.format(2)].raw


def _maildir_file(account: DovecotAccount, marker: bytes) -> Path:
    for sub in ("cur", "new"):
        for path in (account.maildir / sub).iterdir():
            if marker in path.read_bytes():
                return path
    raise AssertionError(f"no maildir file holds {marker!r}")


def test_a_message_the_server_cannot_deliver_is_quarantined(
    dovecot: DovecotAccount, sqlite_sessions: sessionmaker[Session]
) -> None:
    folder_id = add_account(sqlite_sessions, dovecot)
    dovecot.append([make_mail(i) for i in range(6)])
    broken = _maildir_file(dovecot, b"message number 3.")
    broken.chmod(0)  # Dovecot (as its mail user) can no longer read it
    try:
        report = poll(sqlite_sessions, folder_id, dovecot)
    finally:
        broken.chmod(0o600)
    assert report.quarantined == 1 and report.new_messages == 6
    with sqlite_sessions.begin() as session:
        rows = list(session.scalars(select(Message).order_by(Message.uid)))
    assert [r.fetch_status for r in rows] == ["full"] * 3 + ["quarantined"] + ["full"] * 2
    assert rows[3].uid == 4 and rows[3].raw == b"" and "3 times" in rows[3].defects[0]
    assert cursor(sqlite_sessions, folder_id) == 6
    # quarantined means never fetched again, even now that it could be read
    assert poll(sqlite_sessions, folder_id, dovecot).new_messages == 0


def _reset_uidvalidity(account: DovecotAccount) -> None:
    """Throw away Dovecot's UID list and index: it renumbers the mail with a new UIDVALIDITY."""
    time.sleep(1.1)  # UIDVALIDITY is a timestamp
    for path in account.maildir.iterdir():
        if path.name.startswith(("dovecot-uidlist", "dovecot.index")):
            path.unlink()


def _uidvalidity(sessions: sessionmaker[Session], folder_id: int) -> int | None:
    with sessions.begin() as session:
        return session.get_one(Folder, folder_id).uidvalidity


def test_uidvalidity_reset_resyncs_without_duplicates_then_stops_if_it_keeps_changing(
    dovecot: DovecotAccount, sqlite_sessions: sessionmaker[Session]
) -> None:
    folder_id = add_account(sqlite_sessions, dovecot)
    no_id = b"From: hr@example.org\r\nSubject: no id\r\n\r\nA message without a Message-ID.\r\n"
    dovecot.append([make_mail(0), no_id, make_mail(1)])
    assert poll(sqlite_sessions, folder_id, dovecot).new_messages == 3
    first = _uidvalidity(sqlite_sessions, folder_id)

    _reset_uidvalidity(dovecot)
    dovecot.append([make_mail(2)])
    report = poll(sqlite_sessions, folder_id, dovecot)
    assert report.uidvalidity_changed and report.new_messages == 1
    assert _uidvalidity(sqlite_sessions, folder_id) != first
    counts = stored_ids(sqlite_sessions)
    assert counts == {MID.format(0): 1, MID.format(1): 1, MID.format(2): 1, None: 1}

    _reset_uidvalidity(dovecot)
    assert poll(sqlite_sessions, folder_id, dovecot).new_messages == 0  # 2 in a row
    _reset_uidvalidity(dovecot)
    with pytest.raises(UnstableMailboxError, match="each of the last 3 polls"):
        poll(sqlite_sessions, folder_id, dovecot)
    # once the server settles, polling carries on (and still stores nothing twice)
    assert poll(sqlite_sessions, folder_id, dovecot).new_messages == 0
    assert stored_ids(sqlite_sessions) == counts


TIMEOUT = 2.0


def test_a_server_that_never_answers_fails_within_twice_the_timeout() -> None:
    with SilentServer() as server:
        start = time.monotonic()
        with pytest.raises(MailServerError, match="did not answer within 2 s"):
            with ImapReader(
                ImapEndpoint(
                    server.host,
                    server.port,
                    "none",
                    "u",
                    allow_insecure_loopback=True,
                    timeout=TIMEOUT,
                ),
                "pw",
            ):
                pass
        elapsed = time.monotonic() - start
    assert elapsed < 2 * TIMEOUT, elapsed


def test_a_server_that_stalls_mid_fetch_fails_within_twice_the_timeout(
    dovecot: DovecotAccount, sqlite_sessions: sessionmaker[Session]
) -> None:
    folder_id = add_account(sqlite_sessions, dovecot)
    dovecot.append([make_mail(i) for i in range(6)])
    with StallingProxy((dovecot.host, dovecot.port), trigger=b"BODY.PEEK[]") as proxy:
        target = ImapEndpoint(
            proxy.host, proxy.port, "none", dovecot.user, allow_insecure_loopback=True,
            timeout=TIMEOUT,
        )  # fmt: skip
        start = time.monotonic()
        with pytest.raises(ServerStalledError, match="stopped answering"):
            with ImapReader(target, dovecot.password) as reader:
                from bounceback.flows.sync import sync_folder

                sync_folder(reader, folder_id, sessions=sqlite_sessions, chunk_size=3)
        elapsed = time.monotonic() - start
        assert proxy.stalled.is_set()
    assert elapsed < 2 * TIMEOUT, elapsed
    # nothing half-fetched was stored, and the next poll gets everything
    assert stored_ids(sqlite_sessions) == {}
    assert poll(sqlite_sessions, folder_id, dovecot).new_messages == 6


def test_a_stalled_server_is_not_retried_within_the_run_but_a_dropped_one_is() -> None:
    """Prefect's task retries would turn one stall into four socket timeouts."""
    from bounceback.errors import AuthenticationError, SecretError
    from bounceback.flows.tasks import retryable
    from bounceback.mail.imap import ServerDroppedError

    assert not retryable(ServerStalledError("the IMAP server stopped answering"))
    assert retryable(ServerDroppedError("the server said BYE"))
    assert retryable(MailServerError("the server answered NO"))
    assert not retryable(AuthenticationError("the login was refused"))
    assert not retryable(SecretError("the password variable is not set"))


FORBIDDEN = {"STORE", "COPY", "MOVE", "EXPUNGE", "APPEND", "CREATE", "DELETE", "SELECT"}


@pytest.fixture
def sent_commands(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every command any imaplib client in this process sends, recorded at the class."""
    sent: list[str] = []
    original = imaplib.IMAP4._command  # type: ignore[attr-defined]

    def recording(self: imaplib.IMAP4, name: str, *args: object) -> object:
        sent.append(f"UID {args[0]}".upper() if name == "UID" else name)
        return original(self, name, *args)

    monkeypatch.setattr(imaplib.IMAP4, "_command", recording)
    yield sent


def _mailbox_state(account: DovecotAccount) -> tuple[int, dict[str, tuple[str, ...]]]:
    """HIGHESTMODSEQ (CONDSTORE) and every message's flags, read without changing them."""
    with account.mailbox(initial_folder=None) as box:
        box.client._simple_command("ENABLE", "CONDSTORE")  # type: ignore[attr-defined]
        box.folder.set("INBOX", readonly=True)
        modseq = int(box.client.untagged_responses["HIGHESTMODSEQ"][0])
        flags = {m.uid: m.flags for m in box.fetch(mark_seen=False, headers_only=True)}
    return modseq, flags


@pytest.mark.slow
def test_a_hundred_polls_change_no_flag_and_no_modseq(
    dovecot: DovecotAccount, sqlite_sessions: sessionmaker[Session], sent_commands: list[str]
) -> None:
    folder_id = add_account(sqlite_sessions, dovecot)
    dovecot.append([make_mail(i) for i in range(8)])
    dovecot.append([make_mail(i) for i in range(8, 12)], flag_set=["\\Seen"])
    dovecot.append([make_mail(12)], flag_set=["\\Flagged", "\\Answered"])
    before = _mailbox_state(dovecot)
    sent_commands.clear()
    fetched = 0
    for number in range(100):
        if number % 10 == 0:
            with sqlite_sessions.begin() as session:  # re-read everything now and then
                session.get_one(Folder, folder_id).last_uid = 0
        report = poll(sqlite_sessions, folder_id, dovecot)
        fetched += report.new_messages
    after = _mailbox_state(dovecot)
    assert after == before
    assert len(before[1]) == 13 and "\\Seen" not in before[1]["1"]
    assert fetched == 13 and sum(stored_ids(sqlite_sessions).values()) == 13
    assert "UID FETCH" in sent_commands and "EXAMINE" in sent_commands
    assert not FORBIDDEN & {c.split()[-1] for c in sent_commands}, set(sent_commands)


def test_the_reader_refuses_commands_that_change_the_mailbox(dovecot: DovecotAccount) -> None:
    dovecot.append([make_mail(0)])
    with ImapReader(endpoint(dovecot), dovecot.password) as reader:
        reader.examine("INBOX")
        client = reader._client_or_fail
        with pytest.raises(ReadOnlyViolation):
            client.uid("STORE", "1", "+FLAGS", "(\\Seen)")
        with pytest.raises(ReadOnlyViolation):
            client.uid("FETCH", "1", "(BODY[])")  # no .PEEK: would set \Seen
        with pytest.raises(ReadOnlyViolation):
            client.select("INBOX")
        with pytest.raises(ReadOnlyViolation):
            client.expunge()
        assert reader.fetch_chunk([1])[0].raw.startswith(b"From:") or True
    for name, args in [("UID", ("FETCH", "1", "(UID RFC822.SIZE BODY.PEEK[])")), ("NOOP", ())]:
        check_read_only(name, args)
    modseq_flags = _mailbox_state(dovecot)[1]
    assert "\\Seen" not in modseq_flags["1"]


def test_idle_polls_cost_the_same_round_trips_whatever_the_mailbox_size(
    dovecot: DovecotAccount, sqlite_sessions: sessionmaker[Session]
) -> None:
    folder_id = add_account(sqlite_sessions, dovecot)
    costs = []
    for size in (5, 60):
        dovecot.append([make_mail(i) for i in range(len(stored_ids(sqlite_sessions)), size)])
        poll(sqlite_sessions, folder_id, dovecot)
        with ImapReader(endpoint(dovecot), dovecot.password) as reader:
            from bounceback.flows.sync import sync_folder

            before = reader.round_trips
            assert sync_folder(reader, folder_id, sessions=sqlite_sessions).new_messages == 0
            costs.append(reader.round_trips - before)
    assert costs == [1, 1]  # EXAMINE only


def test_since_bounds_a_first_sync_by_arrival_date(
    dovecot: DovecotAccount, sqlite_sessions: sessionmaker[Session]
) -> None:
    folder_id = add_account(sqlite_sessions, dovecot)
    with dovecot.mailbox() as box:
        for number, year in enumerate([2019, 2020, 2026, 2026]):
            box.append(make_mail(number), "INBOX", dt=datetime(year, 6, 1, 12, tzinfo=UTC))
    options = SyncOptions(chunk_size=4, since=date(2026, 1, 1))
    assert poll(sqlite_sessions, folder_id, dovecot, options=options).new_messages == 2
    assert sorted(stored_ids(sqlite_sessions)) == [MID.format(2), MID.format(3)]
    assert cursor(sqlite_sessions, folder_id) == 4
    dovecot.append([make_mail(4)])
    assert poll(sqlite_sessions, folder_id, dovecot, options=options).new_messages == 1


def test_sync_options_from_the_settings(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, fetch_chunk=7, max_message_mb=1.5)
    options = SyncOptions.for_account(settings, "imap.example.test", since=date(2026, 3, 1))
    assert options.chunk_size == 7 and options.max_message_bytes == 1_572_864
    assert options.since == date(2026, 3, 1)
    assert SyncOptions.for_account(Settings(home=tmp_path)) == SyncOptions()
    with pytest.raises(ValidationError, match="fetch_chunk"):
        Settings(home=tmp_path, fetch_chunk=0)


def test_a_daily_download_cap_defers_the_rest_to_the_next_day(
    dovecot: DovecotAccount, sqlite_sessions: sessionmaker[Session]
) -> None:
    folder_id = add_account(sqlite_sessions, dovecot)
    mails = [make_mail(i) for i in range(12)]
    dovecot.append(mails)
    with dovecot.mailbox() as box:
        box.folder.set("INBOX", readonly=True)
        size = max(int(m.size_rfc822) for m in box.fetch(mark_seen=False, headers_only=True))
    options = SyncOptions(chunk_size=4, daily_download_bytes=8 * size + size // 2)
    first = poll(sqlite_sessions, folder_id, dovecot, options=options)
    assert first.capped and first.new_messages == 8
    assert cursor(sqlite_sessions, folder_id) == 8
    again = poll(sqlite_sessions, folder_id, dovecot, options=options)
    assert again.capped and again.new_messages == 0
    with sqlite_sessions.begin() as session:  # a day passes
        for message in session.scalars(select(Message)):
            message.fetched_at -= timedelta(days=1)
    later = poll(sqlite_sessions, folder_id, dovecot, options=options)
    assert not later.capped and later.new_messages == 4
    assert len(stored_ids(sqlite_sessions)) == 12


def test_gmail_gets_a_daily_download_cap_by_default() -> None:
    plain = Settings(home=Path("/nonexistent"))
    assert SyncOptions.for_account(plain, "imap.gmail.com").daily_download_bytes
    assert SyncOptions.for_account(plain, "IMAP.Gmail.com.").daily_download_bytes
    assert SyncOptions.for_account(plain, "imap.fastmail.com").daily_download_bytes is None
    custom = SyncOptions.for_account(
        Settings(home=Path("/nonexistent"), daily_download_mb=10), "x.test"
    )
    assert custom.daily_download_bytes == 10 * 1024 * 1024
