"""Job applications (issue 12): events, links to mail, references, dates and corrections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bounceback.storage.columns import FittedString, KeyString, SafeText
from bounceback.storage.models.base import Base, utcnow


class Application(Base):
    """One job application, from its first email to its outcome (issue 12)."""

    __tablename__ = "applications"
    __table_args__ = (Index("ix_applications_account_employer", "account_id", "employer_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    employer: Mapped[str | None] = mapped_column(FittedString(300))
    #: The normalised name the linker compares ("greyfriars data"); "" when unknown.
    employer_key: Mapped[str] = mapped_column(FittedString(300), default="")
    #: Set when the user renamed the employer: the linker never renames it back.
    employer_fixed: Mapped[bool] = mapped_column(default=False, server_default="0")
    role: Mapped[str | None] = mapped_column(FittedString(300))
    channel: Mapped[str] = mapped_column(String(16), default="direct")  # ats, board, agency
    via: Mapped[str | None] = mapped_column(FittedString(300))  # the ATS, board or agency
    # applied, assessment, interview, offer, rejected, withdrawn
    stage: Mapped[str] = mapped_column(String(16), default="applied")
    #: The stage a rejection came at (application, screening, assessment, interview, final).
    rejected_at: Mapped[str | None] = mapped_column(String(16))
    first_contact: Mapped[datetime] = mapped_column()
    last_contact: Mapped[datetime] = mapped_column()
    #: False where no answer can ever come (a job board's one-click application).
    signal_expected: Mapped[bool] = mapped_column(default=True, server_default="1")
    #: When a follow-up draft was offered for this application (offered once, never twice).
    follow_up_offered_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApplicationEvent(Base):
    """One step on an application's timeline, from one email (or from the user)."""

    __tablename__ = "application_events"
    __table_args__ = (
        UniqueConstraint("message_id", "kind"),
        Index("ix_application_events_application", "application_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    # applied, acknowledged, assessment, take_home, interview, offer, rejection, withdrawal,
    # feedback_received, feedback_requested, message
    kind: Mapped[str] = mapped_column(String(24))
    occurred_at: Mapped[datetime] = mapped_column()
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)  # round, stage, evidence


class MessageLink(Base):
    """Which application a message belongs to (None: not about one), and why."""

    __tablename__ = "message_links"
    __table_args__ = (
        Index("ix_message_links_account_application", "account_id", "application_id"),
    )

    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="SET NULL")
    )
    # thread, id, name, new, user; "none" for mail about no application
    method: Mapped[str] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float)
    #: Put here by the user: the linker never moves it.
    pinned: Mapped[bool] = mapped_column(default=False, server_default="0")
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApplicationRef(Base):
    """An id an application's mail carried (requisition, application or candidate id)."""

    __tablename__ = "application_refs"
    __table_args__ = (UniqueConstraint("account_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    ref: Mapped[str] = mapped_column(KeyString(300))  # "job:acme.greenhouse:4410"


class ApplicationDate(Base):
    """A dated action from an application's mail: an interview, a deadline, a reply owed."""

    __tablename__ = "application_dates"
    __table_args__ = (Index("ix_application_dates_application_at", "application_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    # interview, assessment, take_home, reply, offer_deadline, start_date
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column()
    all_day: Mapped[bool] = mapped_column(default=False)
    tentative: Mapped[bool] = mapped_column(default=False)  # a slot offered, a time proposed
    what: Mapped[str] = mapped_column(SafeText, default="")  # the words that say so
    source: Mapped[str] = mapped_column(String(16), default="text")  # text, calendar, rule


class ApplicationCorrection(Base):
    """A change the user made to applications: replayed after any relink, never rewritten.

    Anchored on messages, not application ids, so it survives re-analysis and a relink
    that rebuilds every application: move (message -> the application of another
    message, or a new one), merge, split, rename.
    """

    __tablename__ = "application_corrections"
    __table_args__ = (Index("ix_application_corrections_account", "account_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # move, merge, split, rename
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
