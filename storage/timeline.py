"""What an application's stored timeline means: its stage, and what is coming up.

Pure functions over plain rows, shared by the linker, the review page's corrections,
the command line, the export and the digest: one place decides that a rejection after
an interview came "at interview", that 21 quiet days mean "no reply yet", and which
dated actions belong in this week's box.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

#: Events that move a candidacy forward, and the stage each reaches.
PROGRESS = {
    "applied": "applied",
    "acknowledged": "applied",
    "assessment": "assessment",
    "take_home": "assessment",
    "interview": "interview",
    "offer": "offer",
}
_RANK = {"applied": 0, "assessment": 1, "interview": 2, "offer": 3}
TERMINAL = {"rejection": "rejected", "withdrawal": "withdrawn"}
CLOSED = frozenset({"rejected", "withdrawn"})
#: Dated actions whose moment has passed drop out of "upcoming" after this long.
GRACE = timedelta(hours=12)
#: A feedback request is worth sending this long after a silent rejection.
FEEDBACK_WINDOW = timedelta(days=30)
#: A reply asked for with no date of its own is owed within this long.
REPLY_WITHIN = timedelta(days=2)
#: An owed reply stays listed (overdue) this long, unless the thread moved on.
REPLY_OVERDUE = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class EventRow:
    """One timeline event as stored."""

    kind: str
    occurred_at: datetime
    message_id: int | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DateRow:
    """One dated action as stored."""

    kind: str
    at: datetime
    all_day: bool
    tentative: bool
    what: str
    message_id: int | None


@dataclass(frozen=True, slots=True)
class Summary:
    """The fields of an application that follow from its events."""

    stage: str
    rejected_at: str | None
    first_contact: datetime
    last_contact: datetime
    signal_expected: bool


@dataclass(frozen=True, slots=True)
class Upcoming:
    """A dated action for the "this week" box, pointing at the email it comes from."""

    at: datetime
    kind: (
        str  # interview, assessment, take_home, reply, offer_deadline, follow_up, feedback_request
    )
    what: str
    message_id: int | None
    all_day: bool = False


def rejection_stage(events: Sequence[EventRow], rejection: EventRow) -> str:
    """Where a rejection came: its own words first, else the furthest step before it."""
    said = rejection.detail.get("text_stage")
    if said:
        return str(said)
    furthest = "application"
    for event in events:
        if event.occurred_at > rejection.occurred_at or event is rejection:
            continue
        if event.kind == "interview":
            final = event.detail.get("round") == "final"
            furthest = "final" if final or furthest == "final" else "interview"
        elif event.kind in ("assessment", "take_home") and furthest == "application":
            furthest = "assessment"
    return furthest


def summarise(events: Sequence[EventRow], channel: str) -> Summary:
    """Stage, rejection stage, first and last contact from the events (oldest first)."""
    ordered = sorted(events, key=lambda e: (e.occurred_at, e.kind))
    stage, rejected_at = "applied", None
    for event in ordered:
        if event.kind in TERMINAL:
            stage = TERMINAL[event.kind]
            rejected_at = rejection_stage(ordered, event) if event.kind == "rejection" else None
        elif event.kind in PROGRESS and event.kind not in ("applied", "acknowledged"):
            reached = PROGRESS[event.kind]
            if stage in CLOSED or _RANK[reached] >= _RANK.get(stage, 0):
                stage, rejected_at = reached, None
    board_only = channel == "board" and all(e.kind in ("applied", "acknowledged") for e in ordered)
    return Summary(
        stage=stage,
        rejected_at=rejected_at,
        first_contact=ordered[0].occurred_at,
        last_contact=ordered[-1].occurred_at,
        signal_expected=not board_only,
    )


def quiet_state(
    stage: str, last_contact: datetime, signal_expected: bool, now: datetime, quiet_days: int
) -> str | None:
    """ "no reply yet", "no signal expected", or None while the application is live."""
    if stage in CLOSED or stage == "offer":
        return None
    if not signal_expected:
        return "no signal expected"
    if now - last_contact >= timedelta(days=quiet_days):
        return "no reply yet"
    return None


def _latest_by_kind(dates: Sequence[DateRow], order: dict[int | None, int]) -> list[DateRow]:
    """Interview and assessment times from the newest email that gives one (a reschedule)."""
    newest: dict[str, int] = {}
    for row in dates:
        if row.kind in ("interview", "assessment"):
            newest[row.kind] = max(newest.get(row.kind, -1), order.get(row.message_id, -1))
    return [
        row
        for row in dates
        if row.kind not in newest or order.get(row.message_id, -1) == newest[row.kind]
    ]


def upcoming(
    *,
    employer: str,
    stage: str,
    rejected_at: str | None,
    last_contact: datetime,
    signal_expected: bool,
    follow_up_offered: bool,
    events: Sequence[EventRow],
    dates: Sequence[DateRow],
    now: datetime,
    quiet_days: int,
) -> list[Upcoming]:
    """Dated actions still ahead (or just due), soonest first."""
    order = {e.message_id: i for i, e in enumerate(sorted(events, key=lambda e: e.occurred_at))}
    last_message = max(order, key=lambda m: order[m]) if order else None
    items: list[Upcoming] = []
    for row in _latest_by_kind(dates, order):
        grace = REPLY_OVERDUE if row.kind in ("reply", "offer_deadline") else GRACE
        if row.kind == "start_date" or row.at < now - grace:
            continue
        if stage in CLOSED:
            continue
        if row.kind == "reply" and row.message_id != last_message:
            continue  # the thread moved on after the question: answered
        if row.tentative and row.kind in ("interview", "assessment"):
            continue  # slots on offer: the reply owed stands for them
        items.append(Upcoming(row.at, row.kind, row.what, row.message_id, row.all_day))
    due = last_contact + timedelta(days=quiet_days)
    if (
        stage not in CLOSED
        and stage != "offer"
        and signal_expected
        and not follow_up_offered
        and due <= now + timedelta(days=7)
    ):
        items.append(
            Upcoming(
                due,
                "follow_up",
                f"No reply from {employer} since {last_contact:%d %b}",
                last_message,
            )
        )
    items.extend(_feedback_request(employer, stage, rejected_at, events, now))
    return sorted(items, key=lambda item: item.at)


def _feedback_request(
    employer: str, stage: str, rejected_at: str | None, events: Sequence[EventRow], now: datetime
) -> list[Upcoming]:
    if stage != "rejected" or rejected_at not in ("assessment", "interview", "final"):
        return []
    kinds = {e.kind for e in events}
    if kinds & {"feedback_received", "feedback_requested"}:
        return []
    rejection = max((e for e in events if e.kind == "rejection"), key=lambda e: e.occurred_at)
    if now - rejection.occurred_at > FEEDBACK_WINDOW:
        return []
    after = "your final round" if rejected_at == "final" else f"your {rejected_at}"
    return [
        Upcoming(
            rejection.occurred_at,
            "feedback_request",
            f"Ask {employer} for feedback on {after}",
            rejection.message_id,
        )
    ]
