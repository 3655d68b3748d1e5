"""`bounceback export`: every stored record of an account as JSON and CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.flows.errors import NotFoundError
from bounceback.storage import queries
from bounceback.storage.models import Analysis, Digest, Gap, JobPosting, Message

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


def _row(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    row = {}
    for name in fields:
        value = getattr(obj, name)
        row[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return row


def export_accounts(
    sessions: sessionmaker[Session], folder: Path, *, address: str | None
) -> list[Path]:
    """Write <address>.json (everything) and per-table CSV files; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with sessions.begin() as session:
        accounts = queries.list_accounts(session=session)
        if address:
            accounts = [a for a in accounts if a.address == address.lower()]
            if not accounts:
                raise NotFoundError(f"no account {address} is connected")
        for account in accounts:
            messages = list(
                session.scalars(select(Message).where(Message.account_id == account.id))
            )
            ids = [m.id for m in messages]
            tables: dict[str, list[dict[str, Any]]] = {
                "messages": [_row(m, _MESSAGE_FIELDS) for m in messages],
                "analyses": [
                    _row(a, ("message_id", "model_version", "labels", "scores", "company", "role"))
                    for a in session.scalars(select(Analysis).where(Analysis.message_id.in_(ids)))
                ],
                "gaps": [
                    _row(
                        g,
                        (
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
                        ),
                    )
                    for g in session.scalars(select(Gap).where(Gap.message_id.in_(ids)))
                ],
                "postings": [
                    _row(
                        p,
                        ("title", "company", "location", "salary", "url", "source", "received_at"),
                    )
                    for p in session.scalars(
                        select(JobPosting).where(JobPosting.account_id == account.id)
                    )
                ],
                "digests": [
                    _row(d, ("iso_week", "subject", "status", "sent_at"))
                    for d in session.scalars(select(Digest).where(Digest.account_id == account.id))
                ],
            }
            base = folder / account.address
            json_path = base.with_suffix(".json")
            json_path.write_text(
                json.dumps({"account": account.address, **tables}, indent=2, default=str),
                encoding="utf-8",
            )
            written.append(json_path)
            for name, rows in tables.items():
                if not rows:
                    continue
                csv_path = folder / f"{account.address}-{name}.csv"
                with csv_path.open("w", newline="", encoding="utf-8") as handle:
                    writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
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
