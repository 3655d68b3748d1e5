"""`bounceback demo`: the whole loop on loopback servers with the bundled sample mail."""

from __future__ import annotations

import re
import shlex
import shutil
import time
from datetime import date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from importlib.resources import files
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bounceback.account.connect import ConnectRequest, connect_account
from bounceback.demo.servers import EmbeddedImapServer, SmtpSink
from bounceback.digest.collect import Week
from bounceback.digest.preview import save_digest_files
from bounceback.mail.imap import ImapEndpoint
from bounceback.mail.secret_store import file_ref
from bounceback.mail.smtp import SmtpEndpoint
from bounceback.settings import Settings
from bounceback.storage.models import utcnow

DEMO_ADDRESS = "alex.morgan@example.com"
#: The embedded server's password, kept in a 0600 file in the demo folder like a real one.
DEMO_PASSWORD = "demo-password"
#: The demo user's search profile: a name to greet and sign with, and what Alex is after.
DEMO_PROFILE: dict[str, object] = {
    "name": "Alex Morgan",
    "target_roles": ["Data Analyst", "Product Analyst", "Insight Analyst"],
    "keywords": ["SQL"],
    "locations": ["London", "Remote"],
}
#: Monday of the week the bundled samples treat as "last week"; see samples/README.md.
SAMPLES_WEEK = date(2026, 11, 23)
_DATE_HEADER = re.compile(rb"^Date:[ \t]*(.*?)\r?$", re.MULTILINE | re.IGNORECASE)


def sample_messages() -> list[tuple[str, bytes]]:
    """The bundled sample mail as (file name, raw bytes), in file-name order."""
    folder = files("bounceback.demo") / "samples"
    return sorted(
        (entry.name, entry.read_bytes())
        for entry in folder.iterdir()
        if entry.name.endswith(".eml")
    )


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
#: A date written out in the text: "Monday 30 November", "17 November 2026".
_TEXT_DATE = re.compile(
    rb"\b(?:(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(,?) )?"
    rb"(\d{1,2}) (" + "|".join(_MONTHS).encode() + rb")(?: (\d{4}))?\b"
)


def shift_dates(raw: bytes, delta: timedelta) -> bytes:
    """Move a message's Date header, and the dates its text names, by whole weeks.

    The samples were written for one week in 2026; moved together, an interview invitation
    still names the Monday after it was sent, whatever week the demo runs in. Every other
    byte stays as it was.
    """
    match = _DATE_HEADER.search(raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0])
    if not match or delta == timedelta(0):
        return raw
    try:
        sent = parsedate_to_datetime(match.group(1).decode("ascii"))
    except (TypeError, ValueError):
        return raw
    moved = raw.replace(match.group(0), b"Date: " + format_datetime(sent + delta).encode(), 1)
    return _TEXT_DATE.sub(lambda found: _shift_text_date(found, sent.date(), delta), moved)


def _shift_text_date(found: re.Match[bytes], sent: date, delta: timedelta) -> bytes:
    weekday, comma, day, month, year = found.groups()
    if not (weekday or year):
        return found.group(0)  # "5 November" alone may be anything: a count, a headline
    number = _MONTHS.index(month.decode()) + 1
    try:
        years = [int(year)] if year else [sent.year - 1, sent.year, sent.year + 1]
        named = min((date(y, number, int(day)) for y in years), key=lambda d: abs((d - sent).days))
    except ValueError:
        return found.group(0)
    shifted = named + delta
    text = f"{shifted.day} {_MONTHS[shifted.month - 1]}"
    if weekday:
        text = f"{shifted:%A}{comma.decode()} {text}"
    if year:
        text = f"{text} {shifted.year}"
    return text.encode()


def demo_week_shift(today: datetime) -> timedelta:
    """Whole weeks that move the samples' richest week to the last complete week."""
    last = Week.last_complete(today, "UTC").start.date()
    return timedelta(days=(last - SAMPLES_WEEK).days)


def run_demo(settings: Settings, folder: Path, *, console: Console) -> Path:
    """Serve the samples over IMAP, poll, analyse, build and send the digest; returns its path."""
    from bounceback.flows.digests import digest_flow
    from bounceback.flows.poll import poll_flow
    from bounceback.flows.runtime import prefect_context
    from bounceback.storage.db import sessions_for

    started = time.monotonic()
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    database_url = f"sqlite:///{folder / 'demo.db'}"
    demo_settings = settings.with_database(database_url)
    secret = folder / "demo-password"
    secret.write_text(DEMO_PASSWORD, encoding="utf-8")
    secret.chmod(0o600)
    samples = sample_messages()
    now = utcnow()
    delta = demo_week_shift(now)
    with EmbeddedImapServer(user="alex", password=DEMO_PASSWORD) as imap, SmtpSink() as sink:
        imap.append(shift_dates(raw, delta) for _, raw in samples)
        console.print(
            f"[bold]bounceback demo[/bold]: {len(samples)} sample emails on an embedded IMAP "
            f"server at {imap.host}:{imap.port}, an SMTP sink at {sink.host}:{sink.port}"
        )
        request = ConnectRequest(
            address=DEMO_ADDRESS,
            imap=ImapEndpoint(
                imap.host, imap.port, "none", imap.user, allow_insecure_loopback=True
            ),
            smtp=SmtpEndpoint(
                sink.host, sink.port, "none", imap.user, allow_insecure_loopback=True
            ),
            secret_ref=file_ref(secret),
            digest_to=DEMO_ADDRESS,
        )
        connect_account(request, DEMO_PASSWORD, sessions=sessions_for(database_url))
        set_demo_profile(database_url)
        console.print("starting Prefect (a local ephemeral server: this takes a few seconds)...")
        with prefect_context(settings, quiet=True):
            polled = poll_flow(DEMO_ADDRESS, settings=demo_settings)[0]
            digest_week = Week.last_complete(now, "UTC")
            week = digest_week.label
            digest_flow(DEMO_ADDRESS, week, True, settings=demo_settings)
        received = sink.wait_for(1, timeout=30)
    if not received:
        raise RuntimeError("the digest did not arrive at the SMTP sink")
    paths = save_digest_files(received[-1][2], folder / f"digest-{week}.html")
    # The applications as the digest saw them: at the end of its week, the moment it was sent.
    _summary(console, database_url, polled, paths, time.monotonic() - started, digest_week.end)
    console.print(review_hint(settings, folder), soft_wrap=True)
    return paths[0]


def set_demo_profile(database_url: str) -> None:
    """Give the demo account its profile (name, target roles, places)."""
    from bounceback.storage import accounts
    from bounceback.storage.db import sessions_for

    with sessions_for(database_url).begin() as session:
        account = accounts.get_account(DEMO_ADDRESS, session=session)
        assert account is not None
        accounts.save_profile(account.id, dict(DEMO_PROFILE), session=session)


def _summary(
    console: Console,
    database_url: str,
    polled: dict[str, object],
    paths: list[Path],
    seconds: float,
    moment: datetime,
) -> None:
    from bounceback.storage import accounts
    from bounceback.storage.db import sessions_for

    with sessions_for(database_url).begin() as session:
        account = accounts.get_account(DEMO_ADDRESS, session=session)
        assert account is not None
        summary = accounts.account_summary(account, session=session)
    table = Table(title="What bounceback found", show_header=True)
    table.add_column("label")
    table.add_column("emails", justify="right")
    for label, count in summary.labels.items():
        table.add_row(label, str(count))
    console.print(table)
    console.print(
        f"{summary.messages} emails stored, {summary.gaps} feedback gaps extracted, "
        f"{summary.postings} job postings (after de-duplication), "
        f"{summary.digests_sent} digest sent in {seconds:.1f} s"
    )
    _applications(console, database_url, account.id, account.timezone or "UTC", moment)
    for path in paths:
        console.print(f"digest: {path}")


#: How the demo's table names each kind of date.
_DATE_WORDS = {"reply": "reply owed", "take_home": "take-home due", "follow_up": "follow up"}


def _applications(
    console: Console, database_url: str, account_id: int, zone: str, moment: datetime
) -> None:
    """Each employer once: stage (where a rejection came) and the next dated action."""
    from zoneinfo import ZoneInfo

    from bounceback.storage.applications import list_applications
    from bounceback.storage.db import sessions_for

    with sessions_for(database_url).begin() as session:
        views = list_applications(account_id, now=moment, session=session)
    table = Table(title="Applications (bounceback applications)", show_header=True)
    for column in ("employer", "role", "stage", "next, or last date named"):
        table.add_column(column)
    for view in views:
        stage = view.stage + (f" at {view.rejected_at}" if view.rejected_at else "")
        # the dated actions ahead, else the latest date the mail named (an interview held)
        dated = [u for u in view.upcoming if u.kind != "feedback_request"] or [
            d for d in view.dates if not d.tentative and d.kind not in ("reply", "start_date")
        ][-1:]
        lines = []
        for item in dated:
            moment = item.at.astimezone(ZoneInfo(zone))
            when = moment.strftime("%a %d %b" if item.all_day else "%a %d %b %H:%M")
            lines.append(f"{_DATE_WORDS.get(item.kind, item.kind.replace('_', ' '))} {when}")
        shown = "\n".join(lines)
        table.add_row(view.employer or "?", view.role or "", stage, shown)
    console.print(table)


def demo_folder(settings: Settings) -> Path:
    """Where `bounceback demo` keeps its database and digest unless told otherwise."""
    return settings.home / "demo"


def demo_database(folder: Path) -> Path:
    """The demo's own SQLite database in its folder."""
    return folder / "demo.db"


def review_hint(settings: Settings, folder: Path) -> str:
    """The line that tells the user how to open the demo's data on the review page."""
    if folder.resolve() == demo_folder(settings).resolve():
        command = "bounceback review --demo"
    else:
        url = f"sqlite:///{demo_database(folder).resolve()}"
        command = f"BOUNCEBACK_DATABASE_URL={shlex.quote(url)} bounceback review"
    return f"review what it found (correct it, teach the model): {command}"
