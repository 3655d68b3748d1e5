"""Migration 0011 recomputes stored identities and fits over-long keys (issue 16)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from bounceback.storage.columns import KEY_PREFIX
from bounceback.storage.db import make_engine, upgrade
from bounceback.storage.mailbox import content_identity
from tests.support.mail import make_mail


def test_stored_mail_gets_the_new_identity_and_long_ids_their_hash(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0010")
    raw = b"Received: from mx.old.test\r\n" + make_mail(1)
    long_id = "<" + "m" * 5002 + ">"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO accounts (address, username, imap_host, imap_port, imap_security,"
                " smtp_auth, secret_ref, digest_to, timezone, digest_weekday, digest_time,"
                " allow_insecure_loopback, created_at, poll_lease_token) VALUES ('a@x.test',"
                " 'a', 'h', 1, 'none', 1, 'env:X', 'a@x.test', 'UTC', 0, '08:00', 0,"
                " '2026-11-16 09:00:00', 0)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO folders (account_id, name, last_uid, uidvalidity_changes)"
                " VALUES (1, 'INBOX', 0, 0)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO messages (account_id, folder_id, uidvalidity, uid,"
                " header_message_id, subject, from_header, received_at, size, content_hash,"
                " raw, body_text, analysed_text, parse_status, defects, fetched_at,"
                " fetch_status) VALUES (1, 1, 1, 1, :mid, '', '', '2026-11-16 09:00:00',"
                " :size, :hash, :raw, '', '', 'pending', '[]', '2026-11-16 09:00:00', 'full')"
            ),
            {"mid": long_id, "size": len(raw), "hash": "0" * 64, "raw": raw},
        )
    upgrade(url)
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT content_hash, header_message_id, quarantine_reason FROM messages")
        ).one()
    engine.dispose()
    assert row[0] == content_identity(make_mail(1))  # the Received field left out
    assert row[1].startswith(KEY_PREFIX) and len(row[1]) == 71
    assert row[2] is None
