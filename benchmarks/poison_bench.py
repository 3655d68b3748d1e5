"""Poison benchmark (issue 16): a poisoned mailbox syncs and analyses completely on PostgreSQL.

A mailbox on the embedded IMAP server holds the poison corpus (a 5,004-character
Message-ID and In-Reply-To, a 2,000-character From name, an 809-character address, a NUL
in a subject, 8-bit bytes in a Message-ID) among --messages ordinary job-search emails
(the demo's bundled samples, rotated). It is synced into a fresh PostgreSQL database and analysed
with the shipped model, as a poll does; the script prints the time of each step, the
total, and what `status` then reports. Done when the total is under a minute.

Usage: ``.venv/bin/python benchmarks/poison_bench.py [--messages 1000]``
(PostgreSQL at BOUNCEBACK_TEST_POSTGRES, default postgresql+psycopg://postgres@127.0.0.1/test)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from bounceback.demo.servers import EmbeddedImapServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLES = sorted((ROOT / "src" / "bounceback" / "demo" / "samples").glob("*.eml"))
_MESSAGE_ID = re.compile(rb"^Message-ID:.*?\r?\n", re.IGNORECASE | re.MULTILINE)
ADMIN_URL = os.environ.get(
    "BOUNCEBACK_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def ordinary(number: int) -> bytes:
    """A realistic job-search email with a unique Message-ID."""
    raw = _MESSAGE_ID.sub(b"", SAMPLES[number % len(SAMPLES)].read_bytes(), count=1)
    return b"Message-ID: <poison-bench-%d@bounceback.test>\r\n" % number + raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    with scratch_database() as url:
        result = run(url, args.messages)
    print(json.dumps(result, indent=2))


@contextmanager
def scratch_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one run, dropped afterwards whatever happens."""
    from sqlalchemy import create_engine, text

    name = f"bounceback_poison_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(url: str, messages: int) -> dict[str, Any]:
    """Sync and analyse the poisoned mailbox into the database at url; the figures."""
    from bounceback.demo.servers import EmbeddedImapServer
    from bounceback.flows.analyse import analyse_pending
    from bounceback.flows.sync import sync_folder
    from bounceback.mail.imap import ImapEndpoint, ImapReader
    from bounceback.nlp.registry import load_analyzer
    from bounceback.storage import accounts
    from bounceback.storage.db import make_engine, session_factory, upgrade
    from tests.servers.poison import poison_corpus

    upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    poison = poison_corpus()
    mail = [ordinary(n) for n in range(messages)]
    half = len(mail) // 2
    with EmbeddedImapServer(user="alex", password="s3cret-pass") as server:
        server.append(mail[:half] + poison + mail[half:])
        account_id, folder_id = add_account(server, sessions)
        analyzer = load_analyzer(None)  # loaded before the clock starts, as in serve
        endpoint = ImapEndpoint(
            server.host, server.port, "none", server.user, allow_insecure_loopback=True,
            timeout=60,
        )  # fmt: skip
        start = time.perf_counter()
        with ImapReader(endpoint, server.password) as reader:
            report = sync_folder(reader, folder_id, sessions=sessions)
        synced = time.perf_counter()
        analysed = analyse_pending(account_id, analyzer, sessions=sessions)
        done = time.perf_counter()
    with sessions.begin() as session:
        summary = accounts.account_summary(
            accounts.list_accounts(session=session)[0], session=session
        )
    engine.dispose()
    total = len(mail) + len(poison)
    return {
        "mailbox": {"ordinary": len(mail), "poison": len(poison)},
        "stored": report.new_messages,
        "analysed": analysed.messages,
        "quarantined": analysed.quarantined,
        "sync_seconds": round(synced - start, 2),
        "analyse_seconds": round(done - synced, 2),
        "total_seconds": round(done - start, 2),
        "complete": report.new_messages == total and summary["analysed"] == total,
        "status": {
            key: summary[key] for key in ("messages", "analysed", "quarantined", "last_error")
        },
    }


def add_account(server: EmbeddedImapServer, sessions: sessionmaker[Session]) -> tuple[int, int]:
    """Connect the server's mailbox as an account; its id and its INBOX's folder id."""
    from bounceback.storage import accounts, mailbox

    with sessions.begin() as session:
        account = accounts.save_account(
            {
                "address": "alex@example.com",
                "username": server.user,
                "imap_host": server.host,
                "imap_port": server.port,
                "imap_security": "none",
                "secret_ref": "env:X",
                "digest_to": "alex@example.com",
                "allow_insecure_loopback": True,
            },
            ["INBOX"],
            session=session,
        )
        return account.id, mailbox.list_folders(account.id, session=session)[0].id


if __name__ == "__main__":
    main()
