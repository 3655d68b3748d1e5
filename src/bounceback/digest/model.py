"""Inputs and output of the digest builder: plain values, no ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

#: How long a rejection marks that employer's postings in the alerts.
RECENT_REJECTION = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class WeekStats:
    """Counts of job-search events in one ISO week."""

    week: str  # ISO week, e.g. "2026-W48"
    acknowledged: int = 0
    interviews: int = 0
    rejections: int = 0
    offers: int = 0
    feedback: int = 0


@dataclass(frozen=True, slots=True)
class GapItem:
    """A gap record as the digest shows it."""

    gap_id: int
    category: str
    text: str
    skill: str | None
    company: str | None
    role: str | None
    received_at: datetime
    subject: str
    confidence: float = 1.0  # the model's confidence in this reading
    status: str = "auto"  # "auto", or "accepted"/"edited" once the user confirmed it
    message_id: int | None = None  # the stored email, for links to the review page


@dataclass(frozen=True, slots=True)
class SilentRejection:
    """A rejection that came without feedback: the digest drafts a request for it."""

    message_id: str  # the Message-ID header, for In-Reply-To
    subject: str
    sender_name: str | None
    sender_address: str
    company: str | None
    role: str | None
    received_at: datetime
    after_interview: bool
    stored_id: int | None = None  # the stored email, for links to the review page


@dataclass(frozen=True, slots=True)
class PostingItem:
    """A fresh job posting for the alerts section."""

    title: str
    company: str | None
    location: str | None
    salary: str | None
    url: str | None
    source: str
    received_at: datetime
    posted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DatedAction:
    """Something to do on a date, from an application's timeline (the "This week" box).

    kind is one of interview, assessment, take_home, reply, offer, follow_up,
    feedback_request; `reply` is set when the same email also asks for an answer.
    """

    at: datetime
    kind: str
    employer: str | None
    role: str | None
    what: str  # the email's own sentence, or a plain description
    message_id: int | None
    all_day: bool = False
    round: str | None = None  # "first", "second", "final" for interviews
    reply: str | None = None  # the answer the employer is waiting for, in their words
    salary: str | None = None  # offers: the salary stated in the offer
    condition: str | None = None  # offers: "conditional on two satisfactory references"


@dataclass(frozen=True, slots=True)
class ApplicationState:
    """Where one application stands, so the digest can name it and mark alerts for it."""

    employer: str
    role: str | None
    stage: str  # applied, assessment, interview, offer, rejected, withdrawn
    last_contact: datetime
    week_events: tuple[str, ...] = ()  # event kinds inside the digest week, oldest first
    round: str | None = None  # the latest interview round named, if any


@dataclass(frozen=True, slots=True)
class DiaryItem:
    """A learning-diary entry the user wrote by replying to a digest."""

    text: str
    written_at: datetime


@dataclass(frozen=True, slots=True)
class DigestInput:
    """Everything one week's digest is built from."""

    account_address: str
    week: str  # ISO week the digest covers, e.g. "2026-W48"
    period_start: datetime
    period_end: datetime
    history: tuple[WeekStats, ...]  # oldest first; the last item is this week
    week_gaps: tuple[GapItem, ...]
    all_gaps: tuple[GapItem, ...]  # every non-dismissed gap so far, this week included
    silent_rejections: tuple[SilentRejection, ...]
    postings: tuple[PostingItem, ...]
    user_name: str | None = None
    target_keywords: tuple[str, ...] = field(default_factory=tuple)
    target_roles: tuple[str, ...] = field(default_factory=tuple)
    locations: tuple[str, ...] = field(default_factory=tuple)
    salary_floor: int | None = None
    done_steps: frozenset[str] = field(default_factory=frozenset)  # playbook keys marked done
    diary: tuple[DiaryItem, ...] = field(default_factory=tuple)  # newest first
    dated: tuple[DatedAction, ...] = field(default_factory=tuple)  # the week ahead, soonest first
    applications: tuple[ApplicationState, ...] = field(default_factory=tuple)
    timezone: str = "UTC"  # the user's zone: times in the "This week" box are shown in it
    review_url: str | None = None  # the review page's base URL, when it is known to run
    reply_address: str | None = None  # where "pause" and "done 2" replies go
