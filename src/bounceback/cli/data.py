"""Commands over what is stored: `status`, `export`, `forget` and `classify`."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bounceback.cli.output import _sessions, out
from bounceback.errors import ConfigError
from bounceback.settings import load_settings

if TYPE_CHECKING:  # the database layer is imported inside the commands that use it
    from bounceback.storage.accounts import AccountSummary


def status(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Show each account: messages analysed and quarantined, gaps, digests, last error."""
    from bounceback.storage import accounts

    sessions = _sessions(load_settings())
    with sessions.begin() as session:
        summaries = [
            accounts.account_summary(a, session=session)
            for a in accounts.list_accounts(session=session)
        ]
    if json_output:
        print(json.dumps({"accounts": [summary_json(item) for item in summaries]}))
        return
    if not summaries:
        out.print("no accounts yet: run bounceback connect (or bounceback demo to try it)")
    for item in summaries:
        _print_summary(item)


def summary_json(summary: AccountSummary) -> dict[str, Any]:
    """One account of `status --json`: the summary's fields, times in ISO 8601."""
    return {
        "address": summary.address,
        "messages": summary.messages,
        "analysed": summary.analysed,
        "quarantined": summary.quarantined,
        "last_quarantined": summary.last_quarantined,
        "labels": dict(summary.labels),
        "gaps": summary.gaps,
        "postings": summary.postings,
        "digests_sent": summary.digests_sent,
        "last_poll": summary.last_poll.isoformat() if summary.last_poll else None,
        "last_error": summary.last_error,
        "unparseable_messages": summary.unparseable_messages,
        "folders": [
            {"name": f.name, "uidvalidity": f.uidvalidity, "last_uid": f.last_uid}
            for f in summary.folders
        ],
    }


def _print_summary(item: AccountSummary) -> None:
    """One account of `status` as a few lines for a person."""
    labels = ", ".join(f"{k} {v}" for k, v in item.labels.items()) or "none yet"
    last_poll = item.last_poll.isoformat() if item.last_poll else "never"
    out.print(f"[bold]{item.address}[/bold]")
    out.print(
        f"  messages {item.messages}: analysed {item.analysed}, "
        f"quarantined {item.quarantined} ({labels})",
        markup=False,
    )
    out.print(f"  gaps {item.gaps}, postings {item.postings}, digests sent {item.digests_sent}")
    out.print(f"  last poll {last_poll}; last error {item.last_error or 'none'}", markup=False)
    if item.last_quarantined:
        out.print(f"  last quarantined: {item.last_quarantined}", markup=False)


def export(
    output: Annotated[
        Path, typer.Option(metavar="PATH", help="Folder to write the JSON and CSV files into.")
    ] = Path("bounceback-export"),
    account: Annotated[
        str | None, typer.Option(metavar="ADDRESS", help="Only this address.")
    ] = None,
    date_from: Annotated[
        datetime | None,
        typer.Option(
            "--from",
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            help="Applications and their timelines from this day: a period's record of job search.",
        ),
    ] = None,
    date_to: Annotated[
        datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="...up to this day."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Export everything stored for each account, except secrets, as JSON and CSV files.

    Applications and their timelines (date applied, employer, role, channel, each stage
    with its date, outcome) are in applications.csv and application_events.csv.
    """
    from bounceback.account.export import export_accounts
    from bounceback.flows.analyse import parse_pending
    from bounceback.storage import accounts

    start = date_from.date() if date_from else None
    end = date_to.date() if date_to else None
    if start and end and start > end:
        raise ConfigError(f"--from {start} is after --to {end}; give the earlier day first")
    if output.exists() and not output.is_dir():
        raise ConfigError(f"{output} is a file; give a folder for the export with --output")
    sessions = _sessions(load_settings())
    with sessions.begin() as session:
        if account:
            ids = [accounts.require_account(account, session=session).id]
        else:
            ids = [a.id for a in accounts.list_accounts(session=session)]
    if not ids:
        raise ConfigError("no account is connected yet, so there is nothing to export")
    # Mail a poll stored but did not get to analyse is still unparsed: parse it first, so
    # its subject, sender and text are in the export too.
    for account_id in ids:
        parse_pending(account_id, sessions=sessions)
    paths = export_accounts(sessions, output, address=account, start=start, end=end)
    if json_output:
        print(json.dumps({"written": [str(path) for path in paths]}))
        return
    for path in paths:
        out.print(f"wrote {path}", markup=False)


def forget(
    account: Annotated[str, typer.Argument(metavar="ADDRESS", help="The address to forget.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Delete an account and everything stored for it. The mailbox itself is not touched."""
    from bounceback.storage import accounts

    sessions = _sessions(load_settings())
    with sessions.begin() as session:
        address = accounts.require_account(account, session=session).address
    if not yes:
        if not sys.stdin.isatty():
            raise ConfigError(f"forgetting {address} deletes all its data; add --yes to confirm")
        if not typer.confirm(f"Delete everything bounceback stored for {address}?"):
            raise ConfigError(f"nothing was deleted: {address} is still connected")
    with sessions.begin() as session:
        accounts.delete_account(accounts.require_account(address, session=session), session=session)
    if json_output:
        print(json.dumps({"forgotten": address}))
        return
    out.print(
        f"forgot {address}: its messages, gaps, postings and digests are deleted", markup=False
    )


def classify(
    files: Annotated[list[Path] | None, typer.Argument(help=".eml files to classify.")] = None,
    jsonl: Annotated[
        Path | None,
        typer.Option(
            "--jsonl", help='Lines of {"id","subject","from","body","html"}; "-" for stdin.'
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=0,
            help="Processes for a large --jsonl input (0: one per core, up to 4). "
            "The output is the same whatever the number.",
        ),
    ] = 0,
) -> None:
    """Classify emails and print one JSON object per input, in input order."""
    from bounceback.cli.classify import classify_stream, emails_from_eml, refuse_unreadable
    from bounceback.cli.classify_pool import classify_jsonl, default_workers
    from bounceback.nlp.registry import accepted_model_dir, load_analyzer

    if bool(files) == (jsonl is not None):
        raise ConfigError("give .eml files or --jsonl FILE, not both and not neither")
    # Checked before any output: an empty or binary input is one clear error, exit 1.
    for path in files or []:
        refuse_unreadable(path, kind="an email file (.eml)")
    if jsonl is not None and str(jsonl) != "-":
        refuse_unreadable(jsonl, kind="a JSON-lines file")
    analyzer = load_analyzer(accepted_model_dir(load_settings().models_dir))
    write = sys.stdout.write
    if jsonl is not None:
        classify_jsonl(analyzer, jsonl, write, workers=workers or default_workers())
        return
    for line in classify_stream(analyzer, emails_from_eml(files or [])):
        write(line + "\n")
