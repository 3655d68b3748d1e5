"""Gather one ISO week of stored records into the digest builder's input."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Set
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email import policy
from email.parser import BytesHeaderParser
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bounceback.digest.model import (
    ApplicationState,
    DatedAction,
    DiaryItem,
    DigestInput,
    GapItem,
    PostingItem,
    SilentRejection,
    WeekStats,
)
from bounceback.errors import ConfigError
from bounceback.nlp.postings import same_role
from bounceback.storage import accounts, applications, digests
from bounceback.storage.applications import ApplicationView
from bounceback.storage.models import Account, Analysis, Gap, JobPosting, Message, Profile
from bounceback.storage.timeline import Upcoming

HISTORY_WEEKS = 6
_WEEK_LABEL = re.compile(r"(\d{4})-?W(\d{1,2})")
_COUNTED = {
    "application_received": "acknowledged",
    "interview": "interviews",
    "rejection": "rejections",
    "offer": "offers",
    "feedback": "feedback",
}


@dataclass(frozen=True, slots=True)
class Week:
    """An ISO week in the account's time zone: [start, end)."""

    label: str
    start: datetime
    end: datetime

    @classmethod
    def parse(cls, label: str, zone: str) -> Week:
        """The week called e.g. '2026-W47' in that time zone; ConfigError for anything else."""
        match = _WEEK_LABEL.fullmatch(label.strip().upper())
        try:
            if match is None:
                raise ValueError
            monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            raise ConfigError(
                f"{label!r} is not an ISO week; use YYYY-Www with a week that exists "
                "in that year, e.g. 2026-W47"
            ) from None
        label = f"{match.group(1)}-W{int(match.group(2)):02d}"
        start = datetime.combine(monday, time(0), tzinfo=ZoneInfo(zone))
        return cls(label, start, start + timedelta(days=7))

    @classmethod
    def containing(cls, moment: datetime, zone: str) -> Week:
        """The week that moment falls in."""
        local = moment.astimezone(ZoneInfo(zone))
        year, number, _ = local.isocalendar()
        return cls.parse(f"{year}-W{number:02d}", zone)

    @classmethod
    def last_complete(cls, moment: datetime, zone: str) -> Week:
        """The most recent week that has fully ended at moment."""
        return cls.containing(moment, zone).previous()

    def previous(self) -> Week:
        """The week before this one."""
        return Week.containing(self.start - timedelta(days=1), str(self.start.tzinfo))


def week_stats(label: str, rows: list[tuple[Message, Analysis]]) -> WeekStats:
    """Count the week's job-search events from its analysed messages."""
    counts: Counter[str] = Counter()
    for _, analysis in rows:
        for name in analysis.labels:
            if name in _COUNTED:
                counts[_COUNTED[name]] += 1
    return WeekStats(week=label, **counts)


def _gap_item(gap: Gap, message: Message) -> GapItem:
    return GapItem(
        gap_id=gap.id,
        category=gap.category,
        text=gap.text,
        skill=gap.skill,
        company=gap.company,
        role=gap.role,
        received_at=message.received_at,
        subject=message.subject,
        confidence=gap.confidence,
        status=gap.status,
        message_id=message.id,
    )


_NO_REPLY = re.compile(r"no[-_.]?reply|do[-_.]?not[-_.]?reply", re.IGNORECASE)


def reply_address(message: Message) -> str | None:
    """Where a reply should go: the Reply-To address when the mail names a real one."""
    try:
        headers = BytesHeaderParser(policy=policy.default).parsebytes(message.raw)
        value = headers.get("Reply-To")
        addresses = getattr(value, "addresses", ()) if value is not None else ()
    except Exception:  # a malformed header: fall back to the sender
        return None
    for address in addresses:
        spec = str(address.addr_spec or "")
        if "@" in spec and not _NO_REPLY.search(spec.partition("@")[0]):
            return spec if re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+", spec) else None
    return None


def _silent_rejections(
    rows: list[tuple[Message, Analysis]], interviewed: set[str], later_stage: Set[int] = frozenset()
) -> list[SilentRejection]:
    found = []
    for message, analysis in rows:
        if "rejection" not in analysis.labels or "feedback" in analysis.labels:
            continue
        if not message.sender_address or message.gaps:
            continue
        found.append(
            SilentRejection(
                message_id=message.header_message_id or "",
                subject=message.subject,
                sender_name=message.sender_name,
                sender_address=reply_address(message) or message.sender_address,
                company=analysis.company,
                role=analysis.role,
                received_at=message.received_at,
                stored_id=message.id,
                # the application's timeline knows ("thank you for attending an interview")
                after_interview=message.id in later_stage
                or (analysis.company or "").lower() in interviewed,
            )
        )
    found.sort(key=lambda item: (not item.after_interview, item.received_at))
    return found


def _posting_item(posting: JobPosting) -> PostingItem:
    return PostingItem(
        title=posting.title,
        company=posting.company,
        location=posting.location,
        salary=posting.salary,
        url=posting.url,
        source=posting.source,
        received_at=posting.received_at,
        posted_at=posting.posted_at,
    )


def _not_shown_before(
    postings: list[JobPosting], shown: list[tuple[str, str | None]]
) -> list[JobPosting]:
    """Drop postings an earlier digest showed, even when another board worded them differently."""
    return [
        p
        for p in postings
        if not any(same_role(p.title, p.company, title, company) for title, company in shown)
    ]


#: How far past the digest moment the "This week" box looks.
AHEAD = timedelta(days=7)
#: A rejection this recent marks that employer's postings in the alerts.
_SALARY = re.compile(
    r"[£€$]\s?\d[\d,.]*\s?[kK]?(?:\s*(?:-|–|to)\s*[£€$]?\s?\d[\d,.]*\s?[kK]?)?"
    r"(?:\s*(?:per year|a year|per annum|p\.a\.|/yr))?"
)
_CONDITION = re.compile(r"\bconditional (?:up)?on ([^.;\n]+)", re.IGNORECASE)
_ACTIONABLE = ("interview", "assessment", "take_home")


def offer_terms(text: str) -> tuple[str | None, str | None]:
    """The salary an offer states and what it is conditional on, as written."""
    flat = " ".join(text.split())
    salary = _SALARY.search(flat)
    condition = _CONDITION.search(flat)
    return (
        salary.group(0).strip() if salary else None,
        f"conditional on {condition.group(1).strip()}" if condition else None,
    )


def _latest_round(view: ApplicationView) -> str | None:
    rounds = [e.detail.get("round") for e in view.events if e.kind == "interview"]
    named = [r for r in rounds if r]
    return str(named[-1]) if named else None


def dated_actions(
    views: list[ApplicationView], week: Week, *, session: Session
) -> list[DatedAction]:
    """The week ahead from every application's timeline, one item per thing to do.

    An answer the same email asks for rides on its interview or take-home; an offer
    carries its salary, conditions and the reply owed; feedback requests only for
    rejections inside the digest week (older ones had their turn).
    """
    found: list[DatedAction] = []
    for view in views:
        due = [u for u in view.upcoming if u.at < week.end + AHEAD]
        replies = {u.message_id: u for u in due if u.kind == "reply"}
        merged: set[int | None] = set()
        if view.stage == "offer":
            offer = max((e for e in view.events if e.kind == "offer"), key=lambda e: e.occurred_at)
            body = session.get(Message, offer.message_id) if offer.message_id else None
            salary, condition = offer_terms(body.body_text if body else "")
            owed = replies.get(offer.message_id)
            merged.add(offer.message_id)
            found.append(
                DatedAction(
                    at=owed.at if owed else offer.occurred_at,
                    kind="offer",
                    employer=view.employer,
                    role=view.role,
                    what=owed.what if owed else "",
                    message_id=offer.message_id,
                    salary=salary,
                    condition=condition,
                    reply=owed.what if owed else None,
                )
            )
        for item in due:
            if item.kind == "reply" and (
                item.message_id in merged
                or any(u.kind in _ACTIONABLE and u.message_id == item.message_id for u in due)
            ):
                continue
            if item.kind == "feedback_request" and item.at < week.start:
                continue
            found.append(_dated(view, item, replies.get(item.message_id)))
    return sorted(found, key=lambda a: (a.at, a.employer or "", a.kind))


def _dated(view: ApplicationView, item: Upcoming, reply: Upcoming | None) -> DatedAction:
    return DatedAction(
        at=item.at,
        kind=item.kind,
        employer=view.employer,
        role=view.role,
        what=item.what,
        message_id=item.message_id,
        all_day=item.all_day,
        round=_latest_round(view) if item.kind == "interview" else None,
        reply=reply.what if reply is not None and item.kind in _ACTIONABLE else None,
    )


def application_states(views: list[ApplicationView], week: Week) -> list[ApplicationState]:
    """Each application's stage and what happened to it inside the digest week."""
    return [
        ApplicationState(
            employer=view.employer,
            role=view.role,
            stage=view.stage,
            last_contact=view.last_contact,
            week_events=tuple(
                e.kind
                for e in sorted(view.events, key=lambda e: e.occurred_at)
                if week.start <= e.occurred_at < week.end
            ),
            round=_latest_round(view),
        )
        for view in views
        if view.employer
    ]


def collect_digest_input(
    account: Account, week: Week, *, session: Session, review_url: str | None = None
) -> tuple[DigestInput, list[JobPosting]]:
    """The builder's input for week, and the postings it will show (to mark them shown)."""
    history, interviewed, this_week_rows = _weekly_history(account, week, session=session)
    all_gaps = [
        _gap_item(g, m) for g, m in digests.gaps_until(account.id, week.end, session=session)
    ]
    week_gaps = [g for g in all_gaps if week.start <= g.received_at < week.end]
    postings = digests.undigested_postings(account.id, week.end, session=session)
    fresh = _not_shown_before(postings, digests.shown_postings(account.id, session=session))
    profile = accounts.get_profile(account.id, session=session)
    # Upcoming items are computed at the digest moment (the end of its week), not the wall
    # clock: a Monday interview stays "ahead" however late the digest is built.
    views = applications.list_applications(account.id, now=week.end, session=session)
    diary = digests.diary_entries(account.id, week.end, session=session)
    data = DigestInput(
        account_address=account.address,
        week=week.label,
        period_start=week.start,
        period_end=week.end,
        history=tuple(history),
        week_gaps=tuple(week_gaps),
        all_gaps=tuple(all_gaps),
        silent_rejections=tuple(
            _silent_rejections(
                this_week_rows,
                interviewed,
                applications.rejected_after_interview(
                    [m.id for m, _ in this_week_rows], session=session
                ),
            )
        ),
        postings=tuple(_posting_item(p) for p in fresh),
        **_profile_fields(profile),
        done_steps=digests.done_step_keys(account.id, session=session),
        diary=tuple(DiaryItem(text=e.text, written_at=e.created_at) for e in diary),
        dated=tuple(dated_actions(views, week, session=session)),
        applications=tuple(application_states(views, week)),
        timezone=account.timezone or "UTC",
        review_url=review_url,
        reply_address=account.address,
    )
    # Every undigested posting is marked shown, repeats included, so none comes back later.
    return data, postings


def _weekly_history(
    account: Account, week: Week, *, session: Session
) -> tuple[list[WeekStats], set[str], list[tuple[Message, Analysis]]]:
    """Stats for the last HISTORY_WEEKS weeks (oldest first), the employers who invited
    the user to an interview in them, and this week's analysed messages."""
    weeks = []
    current = week
    for _ in range(HISTORY_WEEKS):
        weeks.append(current)
        current = current.previous()
    history: list[WeekStats] = []
    interviewed: set[str] = set()
    this_week_rows: list[tuple[Message, Analysis]] = []
    for item in reversed(weeks):
        rows = digests.analysed_between(account.id, item.start, item.end, session=session)
        history.append(week_stats(item.label, rows))
        interviewed.update(
            (a.company or "").lower() for _, a in rows if "interview" in a.labels and a.company
        )
        if item is week:
            this_week_rows = rows
    return history, interviewed, this_week_rows


def _profile_fields(profile: Profile | None) -> dict[str, Any]:
    """The DigestInput fields that come from the user's profile (empty without one)."""
    return {
        "user_name": profile.name if profile else None,
        "target_keywords": tuple(profile.keywords) if profile else (),
        "target_roles": tuple(profile.target_roles) if profile else (),
        "locations": tuple(profile.locations) if profile else (),
        "salary_floor": profile.salary_floor if profile else None,
    }
