"""Applications and their timelines as everyone but the linker reads them.

Stage and dates are recomputed from the events (`refresh_applications`); what the linker
itself reads and writes is in `bounceback.storage.linking`. Each function takes
``*, session`` and never commits: callers own transactions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bounceback.storage.models import (
    Application,
    ApplicationDate,
    ApplicationEvent,
    Message,
    MessageLink,
    Profile,
)
from bounceback.storage.timeline import (
    DateRow,
    EventRow,
    Upcoming,
    quiet_state,
    summarise,
    upcoming,
)

DEFAULT_QUIET_DAYS = 21


def quiet_days(account_id: int, *, session: Session) -> int:
    """The account's "no reply yet" threshold in days (profile, default 21)."""
    value = session.scalar(select(Profile.quiet_days).where(Profile.account_id == account_id))
    return int(value) if value else DEFAULT_QUIET_DAYS


def _events_of(app_ids: Iterable[int], *, session: Session) -> dict[int, list[EventRow]]:
    found: dict[int, list[EventRow]] = defaultdict(list)
    ids = list(app_ids)
    for start in range(0, len(ids), 500):
        for row in session.execute(
            select(
                ApplicationEvent.application_id,
                ApplicationEvent.kind,
                ApplicationEvent.occurred_at,
                ApplicationEvent.message_id,
                ApplicationEvent.detail,
            )
            .where(ApplicationEvent.application_id.in_(ids[start : start + 500]))
            .order_by(ApplicationEvent.occurred_at, ApplicationEvent.id)
        ):
            found[row[0]].append(EventRow(row[1], row[2], row[3], dict(row[4] or {})))
    return found


def _dates_of(app_ids: Iterable[int], *, session: Session) -> dict[int, list[DateRow]]:
    found: dict[int, list[DateRow]] = defaultdict(list)
    ids = list(app_ids)
    for start in range(0, len(ids), 500):
        for row in session.execute(
            select(ApplicationDate)
            .where(ApplicationDate.application_id.in_(ids[start : start + 500]))
            .order_by(ApplicationDate.at)
        ).scalars():
            found[row.application_id].append(
                DateRow(row.kind, row.at, row.all_day, row.tentative, row.what, row.message_id)
            )
    return found


def refresh_applications(app_ids: Iterable[int], *, session: Session) -> None:
    """Recompute stage, rejection stage and contact dates from the events; drop empty ones."""
    ids = sorted(set(app_ids))
    if not ids:
        return
    events = _events_of(ids, session=session)
    channels: dict[int, str] = dict(
        session.execute(
            select(Application.id, Application.channel).where(Application.id.in_(ids))
        ).all()  # type: ignore[arg-type]
    )
    empty = [app_id for app_id in ids if not events.get(app_id) and app_id in channels]
    changes = []
    for app_id, rows in events.items():
        if app_id not in channels:
            continue
        summary = summarise(rows, channels[app_id])
        changes.append(
            {
                "id": app_id,
                "stage": summary.stage,
                "rejected_at": summary.rejected_at,
                "first_contact": summary.first_contact,
                "last_contact": summary.last_contact,
                "signal_expected": summary.signal_expected,
            }
        )
    if changes:
        session.execute(update(Application), changes)
    if empty:
        session.execute(delete(Application).where(Application.id.in_(empty)))


@dataclass(frozen=True, slots=True)
class ApplicationView:
    """One application as the CLI, the review page, the export and the digest show it."""

    id: int
    employer: str | None
    role: str | None
    channel: str
    via: str | None
    stage: str
    rejected_at: str | None
    first_contact: datetime
    last_contact: datetime
    quiet: str | None  # "no reply yet", "no signal expected" or None
    events: tuple[EventRow, ...]
    upcoming: tuple[Upcoming, ...]
    dates: tuple[DateRow, ...] = ()


def list_applications(
    account_id: int,
    *,
    now: datetime,
    session: Session,
    app_ids: Sequence[int] | None = None,
) -> list[ApplicationView]:
    """The account's applications (or those asked for), newest activity first."""
    query = select(Application).where(Application.account_id == account_id)
    if app_ids is not None:
        query = query.where(Application.id.in_(list(app_ids)))
    apps = list(session.scalars(query.order_by(Application.last_contact.desc(), Application.id)))
    days = quiet_days(account_id, session=session)
    events = _events_of([a.id for a in apps], session=session)
    dates = _dates_of([a.id for a in apps], session=session)
    views = []
    for app in apps:
        name = app.employer or "an employer"
        views.append(
            ApplicationView(
                id=app.id,
                employer=app.employer,
                role=app.role,
                channel=app.channel,
                via=app.via,
                stage=app.stage,
                rejected_at=app.rejected_at,
                first_contact=app.first_contact,
                last_contact=app.last_contact,
                quiet=quiet_state(app.stage, app.last_contact, app.signal_expected, now, days),
                events=tuple(events.get(app.id, ())),
                upcoming=tuple(
                    upcoming(
                        employer=name,
                        stage=app.stage,
                        rejected_at=app.rejected_at,
                        last_contact=app.last_contact,
                        signal_expected=app.signal_expected,
                        follow_up_offered=app.follow_up_offered_at is not None,
                        events=events.get(app.id, ()),
                        dates=dates.get(app.id, ()),
                        now=now,
                        quiet_days=days,
                    )
                ),
                dates=tuple(dates.get(app.id, ())),
            )
        )
    return views


def application_of_message(message_id: int, *, session: Session) -> Application | None:
    """The application a message belongs to, if any."""
    return session.scalar(
        select(Application)
        .join(MessageLink, MessageLink.application_id == Application.id)
        .where(MessageLink.message_id == message_id)
    )


def mark_follow_up_offered(app_id: int, when: datetime, *, session: Session) -> bool:
    """Record that a follow-up draft was offered; False if one was offered before."""
    done = session.execute(
        update(Application)
        .where(Application.id == app_id, Application.follow_up_offered_at.is_(None))
        .values(follow_up_offered_at=when)
    )
    return bool(getattr(done, "rowcount", 0))


def account_application_count(account_id: int, *, session: Session) -> int:
    """How many applications the account has."""
    return (
        session.scalar(
            select(func.count(Application.id)).where(Application.account_id == account_id)
        )
        or 0
    )


@dataclass(frozen=True, slots=True)
class TimelineMail:
    """One email on an application's timeline."""

    message_id: int
    subject: str
    from_header: str
    received_at: datetime
    kinds: tuple[str, ...]
    method: str
    pinned: bool


def application_mail(app_id: int, *, session: Session) -> list[TimelineMail]:
    """The emails of one application, oldest first, with the events each added."""
    kinds: dict[int, list[str]] = defaultdict(list)
    for message_id, kind in session.execute(
        select(ApplicationEvent.message_id, ApplicationEvent.kind)
        .where(ApplicationEvent.application_id == app_id)
        .order_by(ApplicationEvent.id)
    ):
        if message_id is not None:
            kinds[message_id].append(kind)
    rows = session.execute(
        select(
            Message.id,
            Message.subject,
            Message.from_header,
            Message.received_at,
            MessageLink.method,
            MessageLink.pinned,
        )
        .join(MessageLink, MessageLink.message_id == Message.id)
        .where(MessageLink.application_id == app_id)
        .order_by(Message.received_at, Message.id)
    )
    return [
        TimelineMail(r[0], r[1] or "", r[2] or "", r[3], tuple(kinds.get(r[0], ())), r[4], r[5])
        for r in rows
    ]


def application_account(app_id: int, *, session: Session) -> int | None:
    """The account an application belongs to."""
    return session.scalar(select(Application.account_id).where(Application.id == app_id))


def application_choices(account_id: int, *, session: Session) -> list[tuple[int, str]]:
    """(id, "Employer — role") of every application of the account, for pickers."""
    rows = session.execute(
        select(Application.id, Application.employer, Application.role)
        .where(Application.account_id == account_id)
        .order_by(Application.employer, Application.id)
    )
    return [(r[0], (r[1] or "unknown employer") + (f" — {r[2]}" if r[2] else "")) for r in rows]


def rejected_after_interview(message_ids: Sequence[int], *, session: Session) -> set[int]:
    """Those messages whose application was rejected after an assessment or interview."""
    if not message_ids:
        return set()
    return set(
        session.scalars(
            select(MessageLink.message_id)
            .join(Application, Application.id == MessageLink.application_id)
            .where(
                MessageLink.message_id.in_(list(message_ids)),
                Application.rejected_at.in_(("assessment", "interview", "final")),
            )
        )
    )
