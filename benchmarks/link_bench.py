"""How fast linking places a mailbox of 10,000 analysed messages (target: under 10 s).

Builds a SQLite database with 10,000 stored, analysed messages shaped like a year of a
busy job search: ~2,000 applications at ~1,400 employers (acknowledgements from ATS
relays, interview invitations with dates, rejections with their stage, threaded replies,
ids in links), plus job alerts and other mail, then times `link_pending` alone.

    .venv/bin/python benchmarks/link_bench.py [--messages 10000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bounceback.flows.link import link_pending
from bounceback.storage import accounts
from bounceback.storage.db import make_engine, session_factory, upgrade
from bounceback.storage.models import Analysis, Folder, Message

WORDS = "Northwind Harbour Kestrel Brightledger Quillon Loomwell Corvid Tamsin Fernway".split()  # noqa: SIM905
TAILS = ["", " Ltd", " Data", " Health", " Group", " Software", " plc", " Analytics"]
ROLES = ["Data Analyst", "Product Analyst", "Data Engineer", "BI Developer", "Insight Analyst"]


def _employer(n: int) -> str:
    return f"{WORDS[n % len(WORDS)]}{n // len(WORDS)}{TAILS[n % len(TAILS)]}"


def _message(
    n: int, kind: str, employer: str, role: str, when: datetime, reply_to: str | None
) -> dict:
    text = {
        "application_received": f"Thanks for applying for the {role} role at {employer}. "
        f"Track it at https://{employer.split()[0].lower()}.greenhouse.example"
        f"/jobs/{n % 9000 + 1000}",
        "interview": "We'd like to invite you to an interview on Monday 30 November at 10:00. "
        "Please confirm by replying to this email.",
        "rejection": "Thank you for attending an interview. We have decided not to proceed.",
        "job_alert": "New jobs for you: Data Analyst at Acme, BI Developer at Foo.",
        "": "Your weekly newsletter.",
    }[kind]
    raw = (
        f"Message-ID: <m{n}@bench.example>\r\nSubject: {role} - {employer}\r\n"
        + (f"In-Reply-To: {reply_to}\r\nReferences: {reply_to}\r\n" if reply_to else "")
        + f"From: {employer} <jobs@{employer.split()[0].lower()}.example>\r\n\r\n{text}\r\n"
    ).encode()
    return {
        "header_message_id": f"<m{n}@bench.example>",
        "in_reply_to": reply_to,
        "subject": f"{role} - {employer}",
        "from_header": f"{employer} <jobs@{employer.split()[0].lower()}.example>",
        "received_at": when,
        "size": len(raw),
        "content_hash": f"{n:064d}",
        "raw": raw,
        "body_text": text,
        "analysed_text": text,
        "parse_status": "ok",
        "uid": n + 1,
        "uidvalidity": 1,
    }, kind


def build(path: Path, count: int) -> tuple[str, int]:
    """A database with count analysed messages; returns its URL and the account id."""
    url = f"sqlite:///{path}"
    upgrade(url)
    sessions = session_factory(make_engine(url))
    rng = random.Random(12)
    with sessions.begin() as session:
        account = accounts.save_account(
            {"address": "bench@example.com", "username": "b", "imap_host": "h", "imap_port": 1,
             "imap_security": "ssl", "secret_ref": "env:X", "digest_to": "bench@example.com",
             "timezone": "Europe/London"},
            ["INBOX"], session=session,
        )  # fmt: skip
        folder_id = session.query(Folder.id).filter_by(account_id=account.id).scalar()
        start = datetime(2026, 1, 5, tzinfo=UTC)
        rows, labels = [], []
        apps: list[tuple[str, str, str]] = []
        for n in range(count):
            when = start + timedelta(minutes=50 * n)
            pick = rng.random()
            if pick < 0.2 or not apps:
                employer, role = _employer(rng.randrange(1400)), rng.choice(ROLES)
                apps.append((employer, role, f"<m{n}@bench.example>"))
                row, kind = _message(n, "application_received", employer, role, when, None)
            elif pick < 0.45:
                employer, role, first = rng.choice(apps[-300:])
                row, kind = _message(
                    n, "interview", employer, role, when, first if rng.random() < 0.5 else None
                )
            elif pick < 0.65:
                employer, role, first = rng.choice(apps[-300:])
                row, kind = _message(n, "rejection", employer, role, when, None)
            elif pick < 0.85:
                row, kind = _message(n, "job_alert", "JobHarbour", "alerts", when, None)
            else:
                row, kind = _message(n, "", "Newsletter", "news", when, None)
            rows.append({**row, "account_id": account.id, "folder_id": folder_id})
            labels.append(
                (kind, None if kind in ("job_alert", "") else row["from_header"].split(" <")[0])
            )
        session.execute(insert(Message), rows)
        ids = [m.id for m in session.query(Message.id).order_by(Message.id)]
        session.execute(
            insert(Analysis),
            [
                {"message_id": i, "model_version": "bench", "labels": [k] if k else [],
                 "scores": {}, "company": c, "role": None}
                for i, (k, c) in zip(ids, labels, strict=True)
            ],
        )  # fmt: skip
        return url, account.id


def main() -> None:
    """Build the mailbox, link it once, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url, account_id = build(Path(folder) / "bench.db", args.messages)
        sessions = session_factory(make_engine(url))
        started = time.perf_counter()
        report = link_pending(account_id, sessions=sessions)
        seconds = time.perf_counter() - started
    print(
        f"linked {report.messages} messages in {seconds:.2f} s "
        f"({report.messages / seconds:,.0f} messages/s): {report.linked} on applications, "
        f"{report.new_applications} applications, {report.dates} dates"
    )


if __name__ == "__main__":
    main()
