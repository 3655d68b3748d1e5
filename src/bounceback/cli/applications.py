"""`bounceback applications`: each application with its stage, timeline and dates ahead."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from bounceback.cli.output import _sessions, out
from bounceback.settings import load_settings


def application_json(view: Any, now: datetime, address: str, zone: str) -> dict[str, Any]:
    """One application in the shape DESIGN.md gives (plus a few keys), times in zone."""
    where = ZoneInfo(zone)

    def _iso(moment: datetime) -> str:
        return moment.astimezone(where).isoformat()

    return {
        "id": view.id,
        "account": address,
        "employer": view.employer,
        "role": view.role,
        "channel": view.channel,
        "via": view.via,
        "stage": view.stage,
        "rejected_at": view.rejected_at,
        "status": view.quiet,
        "first_contact": _iso(view.first_contact),
        "last_contact": _iso(view.last_contact),
        "days_since_contact": (now - view.last_contact).days,
        "events": [
            {"date": _iso(e.occurred_at), "kind": e.kind, "message_id": e.message_id}
            for e in view.events
        ],
        "upcoming": [
            {
                "at": _iso(u.at),
                "kind": u.kind,
                "what": u.what,
                "message_id": u.message_id,
                "all_day": u.all_day,
            }
            for u in view.upcoming
        ],
    }


def _stage_text(item: dict[str, Any]) -> str:
    stage = str(item["stage"])
    if stage == "rejected" and item["rejected_at"]:
        stage = f"rejected at {item['rejected_at']}"
    return stage + (f" · {item['status']}" if item["status"] else "")


def applications(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    account: Annotated[str | None, typer.Option(help="Only this address.")] = None,
    relink: Annotated[
        bool,
        typer.Option(
            "--relink",
            help="Rebuild the applications from the stored mail first (after retraining); "
            "your moves, merges, splits and renames are applied again.",
        ),
    ] = False,
) -> None:
    """List applications, newest activity first, with stage and days since last contact."""
    from bounceback.flows.link import relink_account
    from bounceback.storage import accounts
    from bounceback.storage.applications import list_applications
    from bounceback.storage.models import utcnow

    sessions = _sessions(load_settings())
    with sessions.begin() as session:
        if account:
            chosen = [accounts.require_account(account, session=session)]
        else:
            chosen = accounts.list_accounts(session=session)
        targets = [(a.id, a.address, a.timezone or "UTC") for a in chosen]
    if relink:
        for account_id, _, _ in targets:
            relink_account(account_id, sessions=sessions)
    now = utcnow()
    items: list[dict[str, Any]] = []
    with sessions.begin() as session:
        for account_id, address, zone in targets:
            views = list_applications(account_id, now=now, session=session)
            items += [application_json(view, now, address, zone) for view in views]
    items.sort(key=lambda item: item["last_contact"], reverse=True)
    if json_output:
        print(json.dumps({"applications": items}))
        return
    if not items:
        out.print("no applications yet: they appear after bounceback poll reads job mail")
        return
    for item in items:
        role = f" — {item['role']}" if item["role"] else ""
        days = item["days_since_contact"]
        out.print(
            f"[bold]{item['employer'] or 'unknown employer'}[/bold]{role}: {_stage_text(item)}, "
            f"last contact {days} day{'' if days == 1 else 's'} ago",
            markup=True,
            highlight=False,
        )
        for step in item["upcoming"]:
            when = step["at"][:10] if step["all_day"] else step["at"][:16].replace("T", " ")
            out.print(f"    {when}  {step['kind'].replace('_', ' ')}: {step['what']}", markup=False)
