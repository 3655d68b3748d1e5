"""Gmail labels as folders: one stored record per message, recognised by X-GM-MSGID.

Synced against a real (small) Gmail-like IMAP server over a socket, and, for servers
without the extension, against the embedded pymap server.
"""

from __future__ import annotations

import hashlib
import imaplib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.demo.servers import EmbeddedImapServer
from bounceback.errors import AuthenticationError
from bounceback.flows.sync import sync_folder
from bounceback.mail.imap import ImapEndpoint, ImapReader
from bounceback.mail.imap_wire import (
    ReadOnlyViolation,
    check_read_only,
    parse_fetch,
    uid_and_size,
)
from bounceback.storage import accounts, mailbox
from bounceback.storage.models import Folder, Message
from tests.servers.gmail_like import ALL_MAIL, GmailLikeServer
from tests.support.mail import make_mail

FOLDERS = ["INBOX", "Jobs", ALL_MAIL]


@pytest.fixture
def gmail() -> Iterator[GmailLikeServer]:
    """The Gmail-like server with an empty INBOX, Jobs and All Mail."""
    with GmailLikeServer() as server:
        server.add_label("Jobs")
        yield server


def add_account(
    sessions: sessionmaker[Session], host: str, port: int, user: str, folders: list[str]
) -> dict[str, int]:
    """An account watching folders; their ids by name."""
    with sessions.begin() as session:
        account = accounts.save_account(
            {
                "address": "alex@gmail.test",
                "username": user,
                "imap_host": host,
                "imap_port": port,
                "imap_security": "none",
                "secret_ref": "env:X",
                "digest_to": "alex@gmail.test",
                "allow_insecure_loopback": True,
            },
            folders,
            session=session,
        )
        return {f.name: f.id for f in mailbox.list_folders(account.id, session=session)}


def reader_for(host: str, port: int, user: str, password: str) -> ImapReader:
    endpoint = ImapEndpoint(host, port, "none", user, allow_insecure_loopback=True, timeout=10)
    return ImapReader(endpoint, password)


def poll_all(
    sessions: sessionmaker[Session], reader: ImapReader, folders: dict[str, int]
) -> dict[str, int]:
    """One poll of every folder on one session: new messages stored per folder."""
    return {
        name: sync_folder(reader, folder_id, sessions=sessions, chunk_size=2).new_messages
        for name, folder_id in folders.items()
    }


def stored_rows(sessions: sessionmaker[Session]) -> list[tuple[str | None, int | None, str]]:
    """(Message-ID, X-GM-MSGID, folder name) of every stored message."""
    with sessions.begin() as session:
        return [
            (row[0], row[1], row[2])
            for row in session.execute(
                select(Message.header_message_id, Message.gmail_msgid, Folder.name)
                .join(Folder, Folder.id == Message.folder_id)
                .order_by(Message.id)
            )
        ]


def test_labels_are_synced_into_one_record_per_message(
    gmail: GmailLikeServer, sessions: sessionmaker[Session]
) -> None:
    ids = {
        0: gmail.deliver(make_mail(0)),  # INBOX (and All Mail)
        1: gmail.deliver(make_mail(1), ["INBOX", "Jobs"], altered=["Jobs"]),
        2: gmail.deliver(make_mail(2), ["Jobs"], altered=[ALL_MAIL]),
        3: gmail.deliver(make_mail(3), ["INBOX", "Jobs"], altered=["Jobs", ALL_MAIL]),
        4: gmail.deliver(make_mail(4), []),  # archived: only in All Mail
    }
    folders = add_account(sessions, gmail.host, gmail.port, gmail.user, FOLDERS)

    with reader_for(gmail.host, gmail.port, gmail.user, gmail.password) as reader:
        assert reader.gmail
        first = poll_all(sessions, reader, folders)
        assert first == {"INBOX": 3, "Jobs": 1, ALL_MAIL: 1}
        assert poll_all(sessions, reader, folders) == {"INBOX": 0, "Jobs": 0, ALL_MAIL: 0}

    rows = stored_rows(sessions)
    assert len(rows) == 5
    assert sorted(msgid or 0 for _, msgid, _ in rows) == sorted(ids.values())
    assert Counter(mid for mid, _, _ in rows) == Counter(
        f"<test-{i}@acme-analytics.test>" for i in range(5)
    )
    by_msgid = {msgid: folder for _, msgid, folder in rows}
    assert by_msgid[ids[2]] == "Jobs" and by_msgid[ids[4]] == ALL_MAIL
    assert any("X-GM-MSGID" in line and "BODY.PEEK[]" in line for line in gmail.received)
    # Each message was downloaded once: a copy under a second label is known by its id
    # before its body is fetched (Gmail counts every download against a daily limit).
    assert Counter(msgid for _, msgid in gmail.bodies_sent) == Counter(ids.values())

    # A new message arriving under two labels (byte-different in one) is stored once.
    new = gmail.deliver(make_mail(5), ["Jobs", "INBOX"], altered=["INBOX"])
    with reader_for(gmail.host, gmail.port, gmail.user, gmail.password) as reader:
        assert poll_all(sessions, reader, folders) == {"INBOX": 1, "Jobs": 0, ALL_MAIL: 0}
        assert poll_all(sessions, reader, folders) == {"INBOX": 0, "Jobs": 0, ALL_MAIL: 0}
    rows = stored_rows(sessions)
    assert len(rows) == 6
    assert [msgid for _, msgid, _ in rows].count(new) == 1
    assert [msgid for _, msgid in gmail.bodies_sent].count(new) == 1
    with sessions.begin() as session:
        cursors = {f.name: f.last_uid for f in session.scalars(select(Folder))}
    assert cursors == {"INBOX": 4, "Jobs": 4, ALL_MAIL: 6}  # every copy was passed over


def test_without_the_msgid_copies_differing_in_x_fields_are_still_stored_once(
    gmail: GmailLikeServer, sqlite_sessions: sessionmaker[Session]
) -> None:
    # The server really serves different bytes per label (an added X- field); without
    # X-GM-MSGID the content identity, which leaves transport fields out (issue 16),
    # still tells the copies are one message.
    gmail.deliver(make_mail(1), ["INBOX", "Jobs"], altered=["Jobs"])
    gmail.deliver(make_mail(2), ["INBOX", "Jobs"])
    folders = add_account(sqlite_sessions, gmail.host, gmail.port, gmail.user, FOLDERS)
    with reader_for(gmail.host, gmail.port, gmail.user, gmail.password) as reader:
        reader.gmail = False  # as if the server had not offered X-GM-EXT-1
        poll_all(sqlite_sessions, reader, folders)
    rows = stored_rows(sqlite_sessions)
    assert [mid for mid, _, _ in rows].count("<test-1@acme-analytics.test>") == 1
    assert [mid for mid, _, _ in rows].count("<test-2@acme-analytics.test>") == 1
    assert {msgid for _, msgid, _ in rows} == {None}
    assert not any("X-GM-MSGID" in line for line in gmail.received)


@pytest.mark.parametrize(
    "order",
    [
        ("X-GM-MSGID", "UID", "RFC822.SIZE", "BODY"),
        ("UID", "RFC822.SIZE", "BODY", "X-GM-MSGID"),
        ("BODY", "X-GM-MSGID", "RFC822.SIZE", "UID"),
    ],
)
def test_fetch_reads_the_msgid_whatever_the_order_of_items(
    gmail: GmailLikeServer, order: tuple[str, ...]
) -> None:
    gmail.fetch_order = order
    raw = make_mail(7)
    msgid = gmail.deliver(raw, ["INBOX", "Jobs"])
    other = gmail.deliver(make_mail(8), ["INBOX"])
    with reader_for(gmail.host, gmail.port, gmail.user, gmail.password) as reader:
        reader.examine("INBOX")
        messages = reader.fetch_chunk([1, 2])
        headers = reader.fetch_chunk([1], headers_only=True)
    assert [(m.uid, m.gmail_msgid, m.size) for m in messages] == [
        (1, msgid, len(raw)),
        (2, other, len(make_mail(8))),
    ]
    assert messages[0].raw == raw
    assert headers[0].header_only and headers[0].gmail_msgid == msgid
    assert headers[0].raw == raw[: raw.index(b"\n\n") + 2]


def test_fetch_answer_parsing_takes_items_in_any_order() -> None:
    body = b"Subject: hi\r\n\r\nhello\r\n"
    size = len(body)
    data = [
        # Gmail's order, then the closing parenthesis on its own
        (
            b"1 (X-GM-MSGID 1278455344230334865 UID 11 RFC822.SIZE %d BODY[] {%d}" % (size, size),
            body,
        ),
        b")",
        # items after the literal arrive as the next line
        (b"2 (UID 12 BODY[] {%d}" % size, body),
        b" RFC822.SIZE 99 x-gm-msgid 1278455344230334882)",
        # an expunged message: no literal, left out
        b"3 (UID 13 X-GM-MSGID 1278455344230334899 BODY[] NIL)",
        # no Gmail extension: no msgid
        (b"4 (RFC822.SIZE %d UID 14 BODY[] {%d}" % (size, size), body),
        b")",
    ]
    messages = parse_fetch(data)
    assert [(m.uid, m.size, m.gmail_msgid) for m in messages] == [
        (11, size, 1278455344230334865),
        (12, 99, 1278455344230334882),
        (14, size, None),
    ]
    assert all(m.raw == body for m in messages)
    assert uid_and_size(b"5 (X-GM-MSGID 77 RFC822.SIZE 120 UID 15)") == (15, 120)
    assert uid_and_size(b"5 (RFC822.SIZE 120 X-GM-MSGID 77)") == (None, 120)


def test_the_msgid_fetch_is_read_only_and_flag_setting_fetches_are_still_refused() -> None:
    check_read_only("UID", ("FETCH", "1:4", "(UID RFC822.SIZE X-GM-MSGID BODY.PEEK[])"))
    check_read_only("UID", ("FETCH", "1", "(UID RFC822.SIZE X-GM-MSGID BODY.PEEK[HEADER])"))
    for items in ("(X-GM-MSGID BODY[])", "(UID X-GM-MSGID RFC822)", "(X-GM-MSGID RFC822.TEXT)"):
        with pytest.raises(ReadOnlyViolation):
            check_read_only("UID", ("FETCH", "1", items))
    with pytest.raises(ReadOnlyViolation):
        check_read_only("UID", ("STORE", "1", "+X-GM-LABELS", "(Jobs)"))


def test_the_gmail_like_server_refuses_what_it_does_not_offer(gmail: GmailLikeServer) -> None:
    gmail.deliver(make_mail(1))
    with reader_for(gmail.host, gmail.port, gmail.user, gmail.password) as reader:
        reader.examine("INBOX")
        client = reader._client_or_fail
        with pytest.raises(imaplib.IMAP4.error, match="BAD"):
            client.uid("FETCH", "1", "(FLAGS)")  # read-only, so past the guard
        assert reader.uids_after(0) == [1]  # the session goes on
    with pytest.raises(AuthenticationError):
        reader_for(gmail.host, gmail.port, gmail.user, "wrong").__enter__()


def test_a_repeated_msgid_within_one_batch_is_stored_once(
    sessions: sessionmaker[Session],
) -> None:
    folders = add_account(sessions, "127.0.0.1", 993, "alex", ["INBOX"])

    def row(uid: int, raw: bytes, msgid: int | None) -> mailbox.NewMessage:
        return mailbox.NewMessage(
            uid=uid,
            header_message_id="<same@x.test>",
            in_reply_to=None,
            subject="s",
            from_header="a@x.test",
            sender_name=None,
            sender_address="a@x.test",
            received_at=datetime(2026, 11, 16, tzinfo=UTC),
            size=len(raw),
            content_hash=hashlib.sha256(raw).hexdigest(),
            raw=raw,
            body_text="",
            analysed_text="",
            html=None,
            parse_status="ok",
            defects=(),
            gmail_msgid=msgid,
        )

    batch = [row(1, b"one", 2**62 + 1), row(2, b"two", 2**62 + 1), row(3, b"three", None)]
    with sessions.begin() as session:
        folder = session.get_one(Folder, folders["INBOX"])
        assert mailbox.store_messages(folder, 1, batch, last_uid=3, session=session) == 2
    with sessions.begin() as session:
        folder = session.get_one(Folder, folders["INBOX"])
        again = [row(4, b"four", 2**62 + 1), row(5, b"five", 2**62 + 2)]
        assert mailbox.store_messages(folder, 1, again, last_uid=5, session=session) == 1
        stored = sorted(session.scalars(select(Message.uid)))
        assert stored == [1, 3, 5]
        assert session.scalar(select(func.max(Message.gmail_msgid))) == 2**62 + 2


def test_servers_without_the_extension_sync_as_before(
    imap_server: EmbeddedImapServer, sqlite_sessions: sessionmaker[Session]
) -> None:
    server = imap_server
    server.append([make_mail(0), make_mail(1)])
    server.append([make_mail(1), make_mail(2)], folder="Jobs")  # mail 1 in both
    folders = add_account(sqlite_sessions, server.host, server.port, server.user, ["INBOX", "Jobs"])
    with reader_for(server.host, server.port, server.user, server.password) as reader:
        assert not reader.gmail
        assert poll_all(sqlite_sessions, reader, folders) == {"INBOX": 2, "Jobs": 1}
        assert poll_all(sqlite_sessions, reader, folders) == {"INBOX": 0, "Jobs": 0}
    rows = stored_rows(sqlite_sessions)
    assert sorted(mid or "" for mid, _, _ in rows) == [
        f"<test-{i}@acme-analytics.test>" for i in range(3)
    ]
    assert {msgid for _, msgid, _ in rows} == {None}
