"""`bounceback export`: every stored record of an account as JSON and CSV.

Everything bounceback holds about the user goes out, except secrets and raw bytes:
the account's `secret_ref` (where its password is kept), the raw message and digest
bytes, and the sync and lease bookkeeping are left out.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.errors import NotFoundError
from bounceback.settings import private_dir, private_file
from bounceback.storage import accounts, mailbox
from bounceback.storage.applications import list_applications
from bounceback.storage.models import (
    Account,
    Analysis,
    Correction,
    DiaryEntry,
    Digest,
    DigestStep,
    Gap,
    JobPosting,
    Message,
    Profile,
)

_SETTINGS_FIELDS = (
    "address",
    "username",
    "imap_host",
    "imap_port",
    "imap_security",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_auth",
    "digest_to",
    "timezone",
    "digest_weekday",
    "digest_time",
    "created_at",
)
_PROFILE_FIELDS = ("name", "target_roles", "keywords", "locations", "salary_floor", "updated_at")
_MESSAGE_FIELDS = (
    "id",
    "uid",
    "header_message_id",
    "subject",
    "from_header",
    "received_at",
    "parse_status",
    "defects",
    "analysed_text",
)
_ANALYSIS_FIELDS = (
    "message_id",
    "model_version",
    "labels",
    "scores",
    "company",
    "role",
    "review_status",
    "reviewed_at",
)
_GAP_FIELDS = (
    "id",
    "message_id",
    "category",
    "text",
    "start",
    "end",
    "skill",
    "confidence",
    "company",
    "role",
    "status",
    "created_at",
    "updated_at",
)
_CORRECTION_FIELDS = (
    "id",
    "message_id",
    "gap_id",
    "kind",
    "old",
    "new",
    "model_version",
    "created_at",
)
_POSTING_FIELDS = (
    "title",
    "company",
    "location",
    "salary",
    "url",
    "source",
    "received_at",
    "posted_at",
    "message_id",
    "digest_id",
)
_DIGEST_FIELDS = ("id", "iso_week", "subject", "to_address", "status", "created_at", "sent_at")
_STEP_FIELDS = ("digest_id", "number", "key", "title", "done_at")
_DIARY_FIELDS = ("id", "message_id", "digest_id", "text", "created_at")


def _row(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    row = {}
    for name in fields:
        value = getattr(obj, name)
        row[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return row


def _tables(account: Account, *, session: Session) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows for one account, in the order they are written."""
    messages = list(session.scalars(select(Message).where(Message.account_id == account.id)))
    ids = [m.id for m in messages]
    digests = list(
        session.scalars(
            select(Digest).where(Digest.account_id == account.id).order_by(Digest.iso_week)
        )
    )
    settings = _row(account, _SETTINGS_FIELDS)
    settings["folders"] = [f.name for f in mailbox.list_folders(account.id, session=session)]
    return {
        "settings": [settings],
        "profile": [
            _row(p, _PROFILE_FIELDS)
            for p in session.scalars(select(Profile).where(Profile.account_id == account.id))
        ],
        "messages": [_row(m, _MESSAGE_FIELDS) for m in messages],
        "analyses": [
            _row(a, _ANALYSIS_FIELDS)
            for a in session.scalars(select(Analysis).where(Analysis.message_id.in_(ids)))
        ],
        "gaps": [
            _row(g, _GAP_FIELDS)
            for g in session.scalars(select(Gap).where(Gap.message_id.in_(ids)))
        ],
        "corrections": [
            _row(c, _CORRECTION_FIELDS)
            for c in session.scalars(
                select(Correction)
                .where(Correction.message_id.in_(ids))
                .order_by(Correction.created_at, Correction.id)
            )
        ],
        "postings": [
            _row(p, _POSTING_FIELDS)
            for p in session.scalars(select(JobPosting).where(JobPosting.account_id == account.id))
        ],
        "digests": [_row(d, _DIGEST_FIELDS) for d in digests],
        "digest_steps": [
            _row(s, _STEP_FIELDS)
            for s in session.scalars(
                select(DigestStep)
                .where(DigestStep.digest_id.in_([d.id for d in digests]))
                .order_by(DigestStep.digest_id, DigestStep.number)
            )
        ],
        "diary": [
            _row(e, _DIARY_FIELDS)
            for e in session.scalars(
                select(DiaryEntry)
                .where(DiaryEntry.account_id == account.id)
                .order_by(DiaryEntry.created_at, DiaryEntry.id)
            )
        ],
    }


_APPLICATION_COLUMNS = {
    "applications": [
        *("id", "date_applied", "employer", "role", "channel", "via", "stage"),
        *("rejected_at", "outcome", "last_contact", "stages"),
    ],
    "application_events": ["application_id", "employer", "role", "date", "kind", "message_id"],
}
_OUTCOMES = {"rejected": "rejected", "withdrawn": "withdrawn", "offer": "offer"}


def _in_range(moment: datetime, start: date | None, end: date | None) -> bool:
    day = moment.date()
    return (start is None or day >= start) and (end is None or day <= end)


def application_tables(
    account: Account, *, start: date | None, end: date | None, session: Session
) -> dict[str, list[dict[str, Any]]]:
    """The record of job search: one row per application, one per timeline event.

    With a range, only applications with activity in it, and only the events in it (a
    Jobcentre journal or a Bewerbungsnachweis for that period).
    """
    views = list_applications(account.id, now=datetime.now().astimezone(), session=session)
    apps: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for view in sorted(views, key=lambda v: v.first_contact):
        chosen = [e for e in view.events if _in_range(e.occurred_at, start, end)]
        if (start or end) and not chosen:
            continue
        stages: dict[str, str] = {}
        for event in view.events:
            stages.setdefault(event.kind, event.occurred_at.date().isoformat())
        apps.append(
            {
                "id": view.id,
                "date_applied": view.first_contact.date().isoformat(),
                "employer": view.employer,
                "role": view.role,
                "channel": view.channel,
                "via": view.via,
                "stage": view.stage,
                "rejected_at": view.rejected_at,
                "outcome": _OUTCOMES.get(view.stage, "open"),
                "last_contact": view.last_contact.date().isoformat(),
                "stages": "; ".join(f"{kind} {day}" for kind, day in stages.items()),
            }
        )
        events += [
            {
                "application_id": view.id,
                "employer": view.employer,
                "role": view.role,
                "date": e.occurred_at.isoformat(),
                "kind": e.kind,
                "message_id": e.message_id,
            }
            for e in chosen
        ]
    return {"applications": apps, "application_events": events}


def export_accounts(
    sessions: sessionmaker[Session],
    folder: Path,
    *,
    address: str | None,
    start: date | None = None,
    end: date | None = None,
) -> list[Path]:
    """Write <address>.json (everything) and per-table CSV files; returns the paths.

    start/end (inclusive) limit the applications and their timelines to a period.
    """
    if not folder.exists():
        private_dir(folder)
    written = []
    with sessions.begin() as session:
        chosen = accounts.list_accounts(session=session)
        if address:
            chosen = [a for a in chosen if a.address == address.lower()]
            if not chosen:
                raise NotFoundError(f"no account {address} is connected")
        account_ids = [a.id for a in chosen]
    with sessions.begin() as session:
        chosen = [a for a in accounts.list_accounts(session=session) if a.id in account_ids]
        for account in chosen:
            tables = _tables(account, session=session)
            tables.update(application_tables(account, start=start, end=end, session=session))
            # Not with_suffix: it would turn alex@example.com into alex@example.json.
            json_path = folder / f"{account.address}.json"
            private_file(json_path).write_text(
                json.dumps({"account": account.address, **tables}, indent=2, default=str),
                encoding="utf-8",
            )
            written.append(json_path)
            for name, rows in tables.items():
                if not rows and name not in _APPLICATION_COLUMNS:
                    continue
                csv_path = folder / f"{account.address}-{name}.csv"
                with private_file(csv_path).open("w", newline="", encoding="utf-8") as handle:
                    # a period with no applications is still a record: the header alone
                    columns = list(rows[0]) if rows else _APPLICATION_COLUMNS[name]
                    writer = csv.DictWriter(handle, fieldnames=columns)
                    writer.writeheader()
                    for row in rows:
                        writer.writerow(
                            {
                                k: json.dumps(v) if isinstance(v, list | dict) else v
                                for k, v in row.items()
                            }
                        )
                written.append(csv_path)
    return written
