"""Commands that run the loop: `poll`, `digest` and `demo`."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from bounceback.cli.output import _sessions, err, out
from bounceback.errors import ConfigError
from bounceback.settings import load_settings


def poll(
    account: Annotated[str | None, typer.Option(help="Poll only this address.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    since: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Only fetch mail received on or after this day (YYYY-MM-DD), to bound a "
            "first sync; older mail in the folder is then skipped for good.",
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

    settings = load_settings()
    _sessions(settings)
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
        if item.get("skipped"):
            if item.get("reason") == "gmail-interval":
                allowed = str(item.get("next_poll_at") or "")[:16].replace("T", " ")
                out.print(
                    f"{item['address']}: skipped, polled less than 15 minutes ago; Gmail asks "
                    f"mail clients to wait that long between polls. Poll again after {allowed} "
                    "UTC, or now with --now"
                )
                continue
            until = str(item.get("held_until") or "")[:16].replace("T", " ")
            out.print(
                f"{item['address']}: skipped, another poll holds this account"
                + (f" until {until} UTC" if until else "")
                + " (the hold of a poll that was stopped lapses by itself)"
            )
            continue
        out.print(
            f"{item['address']}: {item['new_messages']} new messages, "
            f"{item['gaps']} feedback gaps, {item['postings']} new job postings"
        )


def digest(
    account: Annotated[str | None, typer.Option(help="Only this address.")] = None,
    preview: Annotated[
        Path | None,
        typer.Option(
            help="Write the digest here (.html; .eml and .txt beside it) instead of sending."
        ),
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Send the digest (at most once per ISO week).")
    ] = False,
    week: Annotated[
        str | None, typer.Option(help="ISO week, e.g. 2026-W47; default: the last complete week.")
    ] = None,
) -> None:
    """Preview or send the weekly digest."""
    if (preview is None) == (not send):
        raise ConfigError("choose one of --preview PATH or --send")
    settings = load_settings()
    sessions = _sessions(settings)
    if preview is not None:
        from bounceback.digest.preview import write_preview

        paths = write_preview(sessions, preview, address=account, week=week)
        for path in paths:
            out.print(f"wrote {path}")
        return
    from bounceback.flows.digests import digest_flow
    from bounceback.flows.runtime import prefect_context

    with prefect_context(settings):
        results = digest_flow(account, week, True, settings=settings)
    for item in results:
        state = "sent" if item.get("sent") else "already sent earlier"
        out.print(f"digest {item['week']}: {state}")


def demo(
    output: Annotated[
        Path | None, typer.Option(help="Folder for the demo's database and digest.")
    ] = None,
) -> None:
    """Run the whole loop on an embedded mail server with bundled sample mail; no account needed."""
    from bounceback.demo.run import run_demo

    settings = load_settings()
    run_demo(settings, output or settings.home / "demo", console=out)
    # Prefect's ephemeral server logs its shutdown when the interpreter exits, after the
    # summary; the demo's output ends with the digest paths instead.
    logging.getLogger("prefect").setLevel(logging.WARNING)
