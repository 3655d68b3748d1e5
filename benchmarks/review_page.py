"""How fast the review page answers on a year of mail.

    .venv/bin/python benchmarks/review_page.py [--messages 12000] [--database-url URL]

Stores ``--messages`` messages (default: a year at ~33 a day, 40% job-search mail, a
third of that with one to three feedback gaps) through the real storage functions into
a fresh SQLite database (or the given URL, which must be empty; storing indexes them for
the queue), starts the real review server on 127.0.0.1 and prints the median and worst
time of the queue's first page, a deep page, a filtered page, an email with its
highlights, the gaps-over-time chart, an email opened in place (the JSON the page's
script asks for), and a gap change both ways (POST + redirect, and POST + JSON).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.nlp.taxonomy import GAP_CATEGORIES, LABELS
from bounceback.review.server import ReviewServer, index_stored
from bounceback.storage import accounts, analyses, mailbox
from bounceback.storage import review as store
from bounceback.storage.db import make_engine, session_factory, upgrade
from bounceback.storage.models import Folder, Gap, Message

COMPANIES = [f"Company {n:03d}" for n in range(180)]
SENTENCES = [
    "Your SQL answers were not quite at the level we need.",
    "The panel would have liked more detail on stakeholder management.",
    "We were looking for someone with more time in a regulated industry.",
    "Your examples did not include measurable results.",
]


def populate(sessions: sessionmaker[Session], count: int) -> None:
    """A year of synthetic mail with analyses and gaps, stored 500 at a time."""
    rng = random.Random(7)
    start = datetime(2025, 11, 27, tzinfo=UTC)
    folder_id = bench_folder(sessions)
    body = "Hello,\n\n" + " ".join(SENTENCES) + "\n\nKind regards,\nThe hiring team\n" * 3
    for first in range(0, count, 500):
        with sessions.begin() as session:
            folder = session.get_one(Folder, folder_id)
            uids = range(first + 1, min(first + 500, count) + 1)
            received = [start + timedelta(minutes=uid * 525600 // count) for uid in uids]
            batch = [bench_message(uid, body, at) for uid, at in zip(uids, received, strict=True)]
            mailbox.store_messages(folder, 1, batch, last_uid=uids[-1], session=session)
            messages = session.scalars(
                select(Message).where(Message.uid >= uids[0], Message.uid <= uids[-1])
            )
            for message in messages:
                analyse_at_random(message, body, rng, session=session)


def bench_folder(sessions: sessionmaker[Session]) -> int:
    """The benchmark's account, connected; the id of its INBOX."""
    with sessions.begin() as session:
        account = accounts.save_account(
            {
                "address": "bench@example.com",
                "username": "bench",
                "imap_host": "127.0.0.1",
                "imap_port": 993,
                "imap_security": "ssl",
                "secret_ref": "env:PW",
                "digest_to": "bench@example.com",
            },
            ["INBOX"],
            session=session,
        )
        return mailbox.folder_for(account, "INBOX", session=session).id


def bench_message(uid: int, body: str, received_at: datetime) -> mailbox.NewMessage:
    """One stored message as a sync would leave it (parsed, not yet analysed)."""
    return mailbox.NewMessage(
        uid=uid,
        header_message_id=f"<{uid}@bench>",
        in_reply_to=None,
        subject=f"Update on your application {uid}",
        from_header="Careers <jobs@example.com>",
        sender_name="Careers",
        sender_address="jobs@example.com",
        received_at=received_at,
        size=len(body),
        content_hash=f"{uid:064d}",
        raw=body.encode(),
        body_text=body,
        analysed_text=body,
        html="<p>" + body.replace("\n", "<br>") + "</p>",
        parse_status="ok",
        defects=(),
    )


def analyse_at_random(message: Message, body: str, rng: random.Random, *, session: Session) -> None:
    """Store an analysis: 40% job mail, a third of that with one to three gaps."""
    job = rng.random() < 0.4
    labels = rng.sample(LABELS, rng.choice((1, 2))) if job else []
    gaps = []
    if job and rng.random() < 0.33:
        for sentence in rng.sample(SENTENCES, rng.randint(1, 3)):
            at = body.index(sentence)
            gaps.append(
                analyses.NewGap(
                    rng.choice(GAP_CATEGORIES),
                    sentence,
                    at,
                    at + len(sentence),
                    None,
                    rng.uniform(0.5, 1.0),
                )
            )
    analyses.save_analysis(
        message,
        model_version="bench",
        labels=labels,
        scores={label: rng.random() for label in LABELS},
        company=rng.choice(COMPANIES) if job else None,
        role="Analyst" if job else None,
        gaps=gaps,
        postings=[],
        session=session,
    )


def timed(call: Callable[[], httpx.Response], repeat: int) -> tuple[float, float]:
    """Median and worst milliseconds of ``repeat`` calls (each must succeed)."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code in (200, 303), response.status_code
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=12000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{scratch}/bench.db"
        upgrade(url)
        sessions = session_factory(make_engine(url))
        began = time.perf_counter()
        populate(sessions, args.messages)
        print(f"stored {args.messages} messages in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        indexed = index_stored(sessions)  # analyses are indexed as they are stored
        print(f"{indexed} analyses left to index at start ({time.perf_counter() - began:.2f} s)")
        with sessions.begin() as session:
            gap = session.scalars(select(Gap).order_by(Gap.id.desc())).first()
            assert gap is not None
            gap_id, message_id = gap.id, gap.message_id
        with (
            ReviewServer(sessions, "b" * 43, 0) as server,
            httpx.Client(base_url=server.base_url) as client,
        ):
            client.get(server.login_url.removeprefix(server.base_url))
            with sessions.begin() as session:
                _, total = store.review_queue(
                    store.QueueFilter(), offset=0, limit=1, session=session
                )
            print(f"queue holds {total} job-search emails to review")
            csrf = server.guard.csrf_token
            fetch = {"X-Bounceback-Fetch": "1"}
            verbs = iter(["accept", "dismiss"] * (2 * args.repeat + 4))

            def toggle(headers: dict[str, str]) -> httpx.Response:
                # accept and dismiss in turn, so every call really writes a correction
                data = {"csrf": csrf, "here": f"/?m={message_id}&status=all"}
                return client.post(f"/gaps/{gap_id}/{next(verbs)}", data=data, headers=headers)

            cases: list[tuple[str, Callable[[], httpx.Response]]] = [
                ("queue, first page", lambda: client.get("/")),
                ("queue, page 40", lambda: client.get("/?page=40")),
                (
                    "queue, label+company filter",
                    lambda: client.get("/?label=feedback&company=Company+042&status=all"),
                ),
                ("one email with highlights", lambda: client.get(f"/?m={message_id}&status=all")),
                ("gaps over time (52 weeks)", lambda: client.get("/trends?weeks=52")),
                (
                    "open an email in place (JSON)",
                    lambda: client.get(f"/?m={message_id}&status=all", headers=fetch),
                ),
                ("change a gap (POST + 303)", lambda: toggle({})),
                ("change a gap in place (JSON)", lambda: toggle(fetch)),
            ]
            for name, call in cases:
                median, worst = timed(call, args.repeat)
                print(f"{name:<32} median {median:7.1f} ms   worst {worst:7.1f} ms")


if __name__ == "__main__":
    main()
