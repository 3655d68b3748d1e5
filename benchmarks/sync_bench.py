"""Sync benchmark against a private local Dovecot (not a test: it prints figures).

In one run, on the same server and mailbox of N messages (default 10,000):

* raw imap-tools: ``MailBox.fetch(bulk=True, mark_seen=False)`` over the whole folder;
* bounceback's first sync: EXAMINE, SEARCH, sizes of large mail, chunked BODY.PEEK[]
  fetch, Message-ID and hash, store in SQLite with the cursor, and the ratio of the two;
* the body parse that the analysis step runs next over what the sync stored (MIME, charsets,
  HTML to text, quoted history), timed on its own: it is not part of the sync;
* an idle poll (nothing new) at 1,000 and at N messages: time and IMAP round trips;
* the peak RSS of each phase (each phase runs in its own process).

Each phase runs --repeat times, interleaved, and the fastest run of each is reported.

Usage: ``.venv/bin/python benchmarks/sync_bench.py [--messages 10000]``
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.servers.dovecot import DovecotServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLES = sorted((ROOT / "src" / "bounceback" / "demo" / "samples").glob("*.eml"))
_MESSAGE_ID = re.compile(rb"^Message-ID:.*?\r?\n", re.IGNORECASE | re.MULTILINE)


def corpus_message(number: int) -> bytes:
    """A realistic job-search email with a unique Message-ID (the bundled samples, rotated)."""
    raw = SAMPLES[number % len(SAMPLES)].read_bytes()
    raw = _MESSAGE_ID.sub(b"", raw, count=1)
    return b"Message-ID: <bench-%d@bounceback.test>\r\n" % number + raw


def fill_maildir(maildir: Path, count: int) -> int:
    """Drop count messages straight into the Maildir (much faster than APPEND); bytes written."""
    new = maildir / "new"
    new.mkdir(parents=True, exist_ok=True)
    for sub in ("cur", "tmp"):
        (maildir / sub).mkdir(exist_ok=True)
    total = 0
    stamp = int(time.time())
    for number in range(count):
        raw = corpus_message(number).replace(b"\r\n", b"\n")
        path = new / f"{stamp}.M{number}P{os.getpid()}.bench,S={len(raw)}"
        path.write_bytes(raw)
        total += len(raw)
    if os.geteuid() == 0:  # Dovecot's mail processes run as nobody
        nobody = pwd.getpwnam("nobody")
        for path in [maildir.parent, maildir, *maildir.rglob("*")]:
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
    return total


def phase_raw(host: str, port: int, user: str, password: str) -> dict[str, float]:
    """Fetch every message with imap-tools' bulk fetch (what a plain script would do)."""
    from imap_tools import MailBoxUnencrypted

    start = time.perf_counter()
    with MailBoxUnencrypted(host, port, timeout=120).login(user, password, "INBOX") as box:
        box.folder.set("INBOX", readonly=True)
        count = sum(1 for _ in box.fetch(bulk=True, mark_seen=False))
    return {"seconds": time.perf_counter() - start, "messages": count}


def phase_sync(host: str, port: int, user: str, password: str, db: str) -> dict[str, float]:
    """bounceback's first sync (fetch + parse + store), then an idle poll."""
    from bounceback.flows.sync import sync_folder
    from bounceback.flows.sync_plan import SyncOptions
    from bounceback.mail.imap import ImapEndpoint, ImapReader
    from bounceback.nlp.mail import parse_email
    from bounceback.storage import accounts, mailbox
    from bounceback.storage.db import make_engine, session_factory, upgrade

    url = f"sqlite:///{db}"
    upgrade(url)
    sessions = session_factory(make_engine(url))
    with sessions.begin() as session:
        account = accounts.save_account(
            {
                "address": f"{user}@bench.test",
                "username": user,
                "imap_host": host,
                "imap_port": port,
                "imap_security": "none",
                "secret_ref": "env:UNUSED",
                "digest_to": f"{user}@bench.test",
                "allow_insecure_loopback": True,
            },
            ["INBOX"],
            session=session,
        )
        account_id = account.id
        folder_id = mailbox.list_folders(account_id, session=session)[0].id
    endpoint = ImapEndpoint(host, port, "none", user, allow_insecure_loopback=True, timeout=120)
    for number in range(len(SAMPLES)):  # lazy imports and regex compilation, outside the clock
        parse_email(corpus_message(number))
    start = time.perf_counter()
    with ImapReader(endpoint, password) as reader:
        report = sync_folder(reader, folder_id, sessions=sessions, options=SyncOptions())
        first_trips = reader.round_trips
    first = time.perf_counter() - start
    idle_times, idle_trips = [], 0
    for _ in range(5):
        start = time.perf_counter()
        with ImapReader(endpoint, password) as reader:
            before = reader.round_trips
            sync_folder(reader, folder_id, sessions=sessions)
            idle_trips = reader.round_trips - before
        idle_times.append(time.perf_counter() - start)
    from bounceback.flows.analyse import parse_pending

    start = time.perf_counter()
    parsed = parse_pending(account_id, sessions=sessions)
    parse_seconds = time.perf_counter() - start
    return {
        "seconds": first,
        "parse_seconds": parse_seconds,
        "parsed": sum(parsed.values()),
        "messages": report.new_messages,
        "round_trips": first_trips,
        "idle_seconds": sorted(idle_times)[len(idle_times) // 2],
        "idle_round_trips_after_login": idle_trips,
    }


def _run_phase(args: list[str]) -> dict[str, float]:
    """Run one phase in a fresh interpreter; its result and its peak RSS."""
    out = subprocess.run(
        [sys.executable, __file__, "--phase", *args], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each phase (best kept)")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        kind, host, port, user, password, *rest = args.phase
        result = (
            phase_raw(host, int(port), user, password)
            if kind == "raw"
            else phase_sync(host, int(port), user, password, rest[0])
        )
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    from tests.servers.dovecot import DovecotServer

    with DovecotServer() as server, tempfile.TemporaryDirectory() as tmp:
        results = {}
        for size in sorted({1000, args.messages}):
            results[size] = measure(server, size, args.repeat, Path(tmp))
        python = sys.version.split()[0]
        print(f"Dovecot {server.version.split()[0]} on 127.0.0.1, SQLite, Python {python}")
        for size, (written, raw, synced) in results.items():
            print_result(size, written, raw, synced)


def measure(
    server: DovecotServer, size: int, repeat: int, tmp: Path
) -> tuple[int, dict[str, float], dict[str, float]]:
    """Bytes written, and the best raw fetch and best first sync of a size-message mailbox."""
    account = server.new_account("bench")
    with account.mailbox():
        pass  # the first login creates the Maildir
    written = fill_maildir(account.maildir, size)
    creds = [account.host, str(account.port), account.user, account.password]
    _run_phase(["raw", *creds])  # warm-up: Dovecot indexes the new mail, caches fill
    raws, syncs = [], []
    for attempt in range(repeat):  # interleaved, best of each: a busy machine
        raws.append(_run_phase(["raw", *creds]))
        db = str(tmp / f"bench-{size}-{attempt}.db")
        syncs.append(_run_phase(["sync", *creds, db]))
    raw = min(raws, key=lambda r: r["seconds"])
    synced = min(syncs, key=lambda r: r["seconds"])
    return written, raw, synced


def print_result(size: int, written: int, raw: dict[str, float], synced: dict[str, float]) -> None:
    """The figures of one mailbox size, as the README quotes them."""
    print(f"\n{size:,} messages ({written / 1e6:.1f} MB):")
    print(
        f"  raw imap-tools fetch(bulk=True, mark_seen=False): {raw['seconds']:.2f} s "
        f"({raw['messages']:.0f} msgs, peak RSS {raw['peak_rss_mb']:.0f} MB)"
    )
    print(
        f"  bounceback first sync (fetch+store):              {synced['seconds']:.2f} s "
        f"({synced['messages']:.0f} msgs, {synced['round_trips']:.0f} round trips, "
        f"peak RSS {synced['peak_rss_mb']:.0f} MB)"
    )
    print(
        f"  ratio bounceback / raw:                            "
        f"{synced['seconds'] / raw['seconds']:.2f}x"
    )
    print(
        "  then, in the analysis step: body parse            "
        f"{synced['parse_seconds']:.2f} s ({synced['parsed']:.0f} msgs)"
    )
    print(
        f"  idle poll: {synced['idle_seconds'] * 1000:.1f} ms including login, "
        f"{synced['idle_round_trips_after_login']:.0f} IMAP round trip(s) after login"
    )


if __name__ == "__main__":
    main()
