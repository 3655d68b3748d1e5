"""What the application linker reads and writes: messages not yet placed, the account's
applications held in memory, and the batch of links, events, dates and ids it stores.

Each function takes ``*, session`` and never commits: callers own transactions. Writes
are bulk (one INSERT per table per batch) so a 10,000-message mailbox links in seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from bounceback.storage.models import (
    Analysis,
    Application,
    ApplicationDate,
    ApplicationEvent,
    ApplicationRef,
    Message,
    MessageLink,
)


@dataclass(frozen=True, slots=True)
class LinkInput:
    """An analysed message the linker has not placed yet (no raw bytes)."""

    id: int
    subject: str
    from_header: str
    sender_address: str | None
    received_at: datetime
    header_message_id: str | None
    in_reply_to: str | None
    text: str
    body_text: str
    html: str | None
    labels: tuple[str, ...]
    company: str | None
    role: str | None


@dataclass(slots=True)
class AppBrief:
    """What the linker compares an email with."""

    id: int
    employer: str | None
    key: str
    role: str | None
    stage: str
    channel: str
    last_contact: datetime
    fixed: bool = False


@dataclass(slots=True)
class LinkIndex:
    """An account's applications, thread ids and mail ids, held in memory while linking."""

    apps: dict[int, AppBrief] = field(default_factory=dict)
    headers: dict[str, int] = field(default_factory=dict)  # Message-ID -> application
    refs: dict[str, int] = field(default_factory=dict)  # "job:scope:id" -> application


def link_index(account_id: int, *, session: Session) -> LinkIndex:
    """The account's applications, the Message-IDs of their mail and the ids they carry."""
    index = LinkIndex()
    for row in session.execute(
        select(
            Application.id,
            Application.employer,
            Application.employer_key,
            Application.role,
            Application.stage,
            Application.channel,
            Application.last_contact,
            Application.employer_fixed,
        ).where(Application.account_id == account_id)
    ):
        index.apps[row[0]] = AppBrief(*row)
    for header, app_id in session.execute(
        select(Message.header_message_id, MessageLink.application_id)
        .join(Message, Message.id == MessageLink.message_id)
        .where(MessageLink.account_id == account_id, MessageLink.application_id.is_not(None))
    ):
        if header:
            index.headers[header] = app_id
    for ref, app_id in session.execute(
        select(ApplicationRef.ref, ApplicationRef.application_id).where(
            ApplicationRef.account_id == account_id
        )
    ):
        index.refs[ref] = app_id
    return index


def messages_to_link(account_id: int, limit: int, *, session: Session) -> list[LinkInput]:
    """Analysed messages of the account with no link yet, oldest first."""
    query = (
        select(
            Message.id,
            Message.subject,
            Message.from_header,
            Message.sender_address,
            Message.received_at,
            Message.header_message_id,
            Message.in_reply_to,
            Message.analysed_text,
            Message.body_text,
            Message.html,
            Analysis.labels,
            Analysis.company,
            Analysis.role,
        )
        .join(Analysis, Analysis.message_id == Message.id)
        .outerjoin(MessageLink, MessageLink.message_id == Message.id)
        .where(Message.account_id == account_id, MessageLink.message_id.is_(None))
        .order_by(Message.received_at, Message.id)
        .limit(limit)
    )
    return [
        LinkInput(
            r[0],
            r[1] or "",
            r[2] or "",
            r[3],
            r[4],
            r[5],
            r[6],
            r[7] or "",
            r[8] or "",
            r[9],
            tuple(r[10] or ()),
            r[11],
            r[12],
        )
        for r in session.execute(query)
    ]


def raw_messages(ids: Sequence[int], *, session: Session) -> dict[int, bytes]:
    """Raw bytes of the given messages (for headers, calendar parts, forwarded mail)."""
    if not ids:
        return {}
    return dict(session.execute(select(Message.id, Message.raw).where(Message.id.in_(ids))).all())  # type: ignore[arg-type]


def new_application(account_id: int, fields: dict[str, Any], *, session: Session) -> int:
    """Create an application and return its id."""
    table = Application.__table__
    return int(
        session.execute(
            insert(table).returning(table.c.id), {"account_id": account_id, **fields}
        ).scalar_one()
    )


def save_links(
    account_id: int,
    links: Sequence[dict[str, Any]],
    events: Sequence[dict[str, Any]],
    dates: Sequence[dict[str, Any]],
    refs: Sequence[dict[str, Any]],
    *,
    session: Session,
) -> None:
    """Store a batch of links with their events, dates and ids (one INSERT per table)."""
    # Core inserts (executemany): the ORM's bulk path costs more than the linking itself.
    if links:
        session.execute(
            insert(MessageLink.__table__), [{"account_id": account_id, **row} for row in links]
        )
    if events:
        session.execute(insert(ApplicationEvent.__table__), list(events))
    if dates:
        session.execute(insert(ApplicationDate.__table__), list(dates))
    if refs:
        session.execute(
            insert(ApplicationRef.__table__), [{"account_id": account_id, **r} for r in refs]
        )


def application_fields(app_id: int, fields: dict[str, Any], *, session: Session) -> None:
    """Change some columns of one application (employer, role, channel...)."""
    session.execute(update(Application).where(Application.id == app_id).values(**fields))
