"""Commands that run the loop: `poll`, `digest` and `demo`.

Each checks its arguments and the accounts it needs before Prefect starts (which takes
seconds), so a mistake is reported at once.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from bounceback.cli.output import _sessions, err, out
from bounceback.errors import ConfigError
from bounceback.settings import Settings, load_settings


def polled_accounts(settings: Settings, account: str | None) -> list[str]:
    """The addresses a command works on (one, or all); NotFoundError if there are none."""
    from bounceback.errors import NotFoundError
    from bounceback.storage import accounts

    with _sessions(settings).begin() as session:
        if account:
            return [accounts.require_account(account, session=session).address]
        found = [a.address for a in accounts.list_accounts(session=session)]
    if not found:
        raise NotFoundError(
            "no account is connected yet; run bounceback connect ADDRESS "
            "(or bounceback demo to try it without one)"
        )
    return found


def poll(
    account: Annotated[
        str | None, typer.Option(metavar="ADDRESS", help="Poll only this address.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    since: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            help="Only fetch mail received on or after this day, to bound a first sync; "
            "older mail in the folder is then skipped for good.",
        ),
    ] = None,
    now: Annotated[
        bool,
        typer.Option(
            "--now",
            help="Poll Gmail accounts even if they were polled less than 15 minutes ago.",
        ),
    ] = False,
) -> None:
    """Poll now: fetch new mail (read-only), analyse it, and print a summary."""
    from bounceback.cli.progress import progress_bar
    from bounceback.flows.poll import poll_flow
    from bounceback.flows.runtime import prefect_context

    if since is not None and since.date() > datetime.now(UTC).date():
        raise ConfigError(f"--since {since.date()} is in the future; give a day already past")
    settings = load_settings()
    polled_accounts(settings, account)
    show_bar = not json_output and err.is_terminal
    with prefect_context(settings, quiet=json_output), progress_bar(err, enabled=show_bar):
        results = poll_flow(
            account,
            gmail_pace=not now,
            since=since.date() if since is not None else None,
            settings=settings,
        )
    if json_output:
        print(json.dumps({"accounts": results}))
        return
    for item in results:
        out.print(poll_summary(item), markup=False)


def poll_summary(item: dict[str, Any]) -> str:
    """One line about one account's poll."""
    address = item["address"]
    if item.get("reason") == "gmail-interval":
        allowed = str(item.get("next_poll_at") or "")[:16].replace("T", " ")
        return (
            f"{address}: skipped, polled less than 15 minutes ago; Gmail asks mail clients "
            f"to wait that long between polls. Poll again after {allowed} UTC, or now with --now"
        )
    if item.get("skipped"):
        until = str(item.get("held_until") or "")[:16].replace("T", " ")
        return (
            f"{address}: skipped, another poll holds this account"
            + (f" until {until} UTC" if until else "")
            + " (the hold of a poll that was stopped lapses by itself)"
        )
    return (
        f"{address}: {item['new_messages']} new messages, "
        f"{item['gaps']} feedback gaps, {item['postings']} new job postings"
    )


def digest(
    account: Annotated[
        str | None, typer.Option(metavar="ADDRESS", help="Only this address.")
    ] = None,
    preview: Annotated[
        Path | None,
        typer.Option(
            metavar="PATH",
            help="Write the digest here (.html; .eml and .txt beside it) instead of sending.",
        ),
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Send the digest (at most once per ISO week).")
    ] = False,
    week: Annotated[
        str | None,
        typer.Option(
            metavar="YYYY-Www", help="ISO week, e.g. 2026-W47; default: the last complete week."
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Preview or send the weekly digest."""
    from bounceback.digest.collect import Week

    if (preview is None) == (not send):
        raise ConfigError("choose one of --preview PATH or --send")
    if week is not None:
        week = Week.parse(week, "UTC").label  # checked before anything starts
    if preview is not None and preview.is_dir():
        preview = preview / "digest.html"
    settings = load_settings()
    polled_accounts(settings, account)
    if preview is not None:
        from bounceback.digest.preview import write_preview

        paths = write_preview(_sessions(settings), preview, address=account, week=week)
        _print_result({"written": [str(p) for p in paths]}, json_output, "wrote {}", "written")
        return
    from bounceback.flows.digests import digest_flow
    from bounceback.flows.runtime import prefect_context

    with prefect_context(settings, quiet=json_output):
        results = digest_flow(account, week, True, settings=settings)
    if json_output:
        print(json.dumps({"digests": results}))
        return
    for item in results:
        state = "sent" if item.get("sent") else "already sent earlier"
        out.print(f"digest {item['week']}: {state}", markup=False)


def _print_result(result: dict[str, Any], json_output: bool, line: str, key: str) -> None:
    if json_output:
        print(json.dumps(result))
        return
    for value in result[key]:
        out.print(line.format(value), markup=False)


def demo(
    output: Annotated[
        Path | None,
        typer.Option(metavar="PATH", help="Folder for the demo's database and digest."),
    ] = None,
) -> None:
    """Run the whole loop on an embedded mail server with bundled sample mail; no account needed."""
    from bounceback.demo.run import run_demo

    settings = load_settings()
    run_demo(settings, output or settings.home / "demo", console=out)
    # Prefect's ephemeral server logs its shutdown when the interpreter exits, after the
    # summary; the demo's output ends with the digest paths instead.
    logging.getLogger("prefect").setLevel(logging.WARNING)
