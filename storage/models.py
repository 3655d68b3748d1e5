"""SQLAlchemy 2 models: accounts, mail, analyses, gaps, postings, digests, applications."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from bounceback.storage.columns import FittedString, KeyString, SafeText

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (read by SQLAlchemy at class creation)
        dict[str, Any]: JSON,
        list[Any]: JSON,
        datetime: UTCDateTime,
    }


class Account(Base):
    """A connected mailbox. The secret itself is never stored: only where to find it."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(320), unique=True)
    username: Mapped[str] = mapped_column(String(320))
    imap_host: Mapped[str] = mapped_column(String(255))
    imap_port: Mapped[int] = mapped_column(Integer)
    imap_security: Mapped[str] = mapped_column(String(16))
    smtp_host: Mapped[str | None] = mapped_column(String(255))
    smtp_port: Mapped[int | None] = mapped_column(Integer)
    smtp_security: Mapped[str | None] = mapped_column(String(16))
    smtp_auth: Mapped[bool] = mapped_column(default=True)
    # e.g. "env:BOUNCEBACK_PASSWORD" or "keyring:bounceback/alex@example.com"
    secret_ref: Mapped[str] = mapped_column(String(400))
    digest_to: Mapped[str] = mapped_column(String(320))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    digest_weekday: Mapped[int] = mapped_column(Integer, default=0)  # Monday
    digest_time: Mapped[str] = mapped_column(String(5), default="08:00")
    # Scheduled digests are skipped while paused ("pause" / "resume" by mail, or profile);
    # when the latest switch was asked for, so an older request read late changes nothing.
    digest_paused: Mapped[bool] = mapped_column(default=False, server_default=false())
    digest_switched_at: Mapped[datetime | None] = mapped_column()
    allow_insecure_loopback: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_poll_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(SafeText)
    # The poll lease (issue 7): at most one poller per account. Every acquisition bumps the
    # token, and each commit of synced rows checks it, so a poller that lost its lease
    # (paused, partitioned, expired) can never write over its successor.
    poll_lease_holder: Mapped[str | None] = mapped_column(String(200))
    poll_lease_token: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    poll_lease_expires_at: Mapped[datetime | None] = mapped_column()
    # Where the holder runs (issue 16): a lease whose process is gone from this machine is
    # taken over at once instead of after its expiry.
    poll_lease_host: Mapped[str | None] = mapped_column(String(255))
    poll_lease_pid: Mapped[int | None] = mapped_column(Integer)

    folders: Mapped[list[Folder]] = relationship(
        back_populates="account", cascade="all, delete-orphan", passive_deletes=True
    )


class Folder(Base):
    """One IMAP folder of an account and the sync cursor for it."""

    __tablename__ = "folders"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(500))
    # IMAP UIDs and UIDVALIDITY are unsigned 32-bit: BIGINT, as INTEGER is signed.
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    last_synced_at: Mapped[datetime | None] = mapped_column()
    # Sync hardening (issue 3): polls in a row that found a new UIDVALIDITY; a server that
    # changes it every session would make bounceback re-read the folder forever.
    uidvalidity_changes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    account: Mapped[Account] = relationship(back_populates="folders")


class Message(Base):
    """A fetched email: raw bytes kept, with what parsing made of them."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("folder_id", "uidvalidity", "uid"),
        Index("ix_messages_account_header_id", "account_id", "header_message_id"),
        Index("ix_messages_account_received", "account_id", "received_at"),
        Index("ix_messages_account_content_hash", "account_id", "content_hash"),
        Index("ix_messages_account_gmail_msgid", "account_id", "gmail_msgid"),
        # The analysis step looks for mail the sync stored unparsed ("pending").
        Index("ix_messages_account_parse_status", "account_id", "parse_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    folder_id: Mapped[int] = mapped_column(ForeignKey("folders.id", ondelete="CASCADE"))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    # Mail-derived values (issue 16): keys beyond their column are stored as a hash, text
    # is cut with a marker, so no sender can make a message impossible to store.
    header_message_id: Mapped[str | None] = mapped_column(KeyString(998))
    in_reply_to: Mapped[str | None] = mapped_column(KeyString(998))
    subject: Mapped[str] = mapped_column(SafeText, default="")
    from_header: Mapped[str] = mapped_column(SafeText, default="")
    sender_name: Mapped[str | None] = mapped_column(FittedString(500))
    sender_address: Mapped[str | None] = mapped_column(FittedString(320))
    received_at: Mapped[datetime] = mapped_column()
    size: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    body_text: Mapped[str] = mapped_column(SafeText, default="")
    analysed_text: Mapped[str] = mapped_column(SafeText, default="")
    html: Mapped[str | None] = mapped_column(SafeText)
    parse_status: Mapped[str] = mapped_column(String(16))
    defects: Mapped[list[Any]] = mapped_column(default=list)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "full"; "oversize" (over the size limit: headers only); "quarantined" (failed three
    # times: stored without its body, never fetched again).
    fetch_status: Mapped[str] = mapped_column(String(16), default="full", server_default="full")
    # Gmail's X-GM-MSGID (issue 3): one id for a message under all its labels (folders),
    # so it is stored once however many labels it carries; None on other servers.
    gmail_msgid: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Set when storing or analysing this message failed (issue 16): one line naming the
    # failure, never the content. A quarantined message is not parsed or analysed again,
    # so it cannot hold up the rest of the mailbox.
    quarantine_reason: Mapped[str | None] = mapped_column(SafeText)
    quarantined_at: Mapped[datetime | None] = mapped_column()

    analysis: Mapped[Analysis | None] = relationship(
        back_populates="message", cascade="all, delete-orphan", passive_deletes=True
    )
    gaps: Mapped[list[Gap]] = relationship(
        back_populates="message", cascade="all, delete-orphan", passive_deletes=True
    )


class Analysis(Base):
    """What the language model said about one message."""

    __tablename__ = "analyses"
    __table_args__ = (Index("ix_analyses_review_queue", "review_status", "review_priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), unique=True
    )
    model_version: Mapped[str] = mapped_column(String(100))
    labels: Mapped[list[Any]] = mapped_column(default=list)
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    company: Mapped[str | None] = mapped_column(FittedString(300))
    role: Mapped[str | None] = mapped_column(FittedString(300))
    analysed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Review page (issue 6): "auto" until the user has looked at the message; the queue
    # is ordered by review_priority (low confidence first) and filtered on label_key
    # (" rejection feedback ", "" for other mail). Both are set when the analysis is stored.
    review_status: Mapped[str] = mapped_column(String(16), default="auto", server_default="auto")
    reviewed_at: Mapped[datetime | None] = mapped_column()
    review_priority: Mapped[float | None] = mapped_column(Float)
    label_key: Mapped[str | None] = mapped_column(String(200))

    message: Mapped[Message] = relationship(back_populates="analysis")


class Gap(Base):
    """A feedback gap: what an employer said was missing, with its evidence."""

    __tablename__ = "gaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(SafeText)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    skill: Mapped[str | None] = mapped_column(FittedString(200))
    confidence: Mapped[float] = mapped_column(Float)
    company: Mapped[str | None] = mapped_column(FittedString(300))
    role: Mapped[str | None] = mapped_column(FittedString(300))
    status: Mapped[str] = mapped_column(String(16), default="auto")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[Message] = relationship(back_populates="gaps")


class Correction(Base):
    """One change the user made on the review page: kept for retraining, never rewritten."""

    __tablename__ = "corrections"
    __table_args__ = (Index("ix_corrections_message_created", "message_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    gap_id: Mapped[int | None] = mapped_column(ForeignKey("gaps.id", ondelete="SET NULL"))
    # gap_accept, gap_edit, gap_dismiss, gap_add, labels, company_role, confirm
    kind: Mapped[str] = mapped_column(String(32))
    old: Mapped[dict[str, Any]] = mapped_column(default=dict)
    new: Mapped[dict[str, Any]] = mapped_column(default=dict)
    model_version: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The review page's id for the user action that wrote this row (on one row per action):
    # a repeated post of the same action (a double key press, a retry) writes nothing.
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)


class JobPosting(Base):
    """A role parsed from a job-alert email, de-duplicated per account."""

    __tablename__ = "job_postings"
    __table_args__ = (UniqueConstraint("account_id", "dedupe_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    dedupe_key: Mapped[str] = mapped_column(KeyString(500))
    title: Mapped[str] = mapped_column(FittedString(500))
    company: Mapped[str | None] = mapped_column(FittedString(300))
    location: Mapped[str | None] = mapped_column(FittedString(300))
    salary: Mapped[str | None] = mapped_column(FittedString(200))
    url: Mapped[str | None] = mapped_column(SafeText)
    source: Mapped[str] = mapped_column(FittedString(100))
    received_at: Mapped[datetime] = mapped_column()
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id", ondelete="SET NULL"))
    posted_at: Mapped[datetime | None] = mapped_column()  # when the alert said it was posted


class Digest(Base):
    """The outbox: one digest per account per ISO week, rendered once, sent at most once."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("account_id", "iso_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    iso_week: Mapped[str] = mapped_column(String(10))
    header_message_id: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(Text)
    to_address: Mapped[str] = mapped_column(String(320))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    # The run sending it right now: a conditional UPDATE sets these, so two runs never both send.
    claim_token: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column()


class DigestStep(Base):
    """One numbered next step shown in a digest; "done N" in a reply marks it done."""

    __tablename__ = "digest_steps"
    __table_args__ = (UniqueConstraint("digest_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(300))  # which playbook action, e.g. "skill:sql#1"
    title: Mapped[str] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column()


class Profile(Base):
    """What the user is looking for (`bounceback profile`): used to rank job alerts."""

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str | None] = mapped_column(String(200))
    target_roles: Mapped[list[Any]] = mapped_column(default=list)
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    locations: Mapped[list[Any]] = mapped_column(default=list)
    salary_floor: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Days without a reply after which an application is "no reply yet" (issue 12).
    quiet_days: Mapped[int] = mapped_column(Integer, default=21, server_default="21")


class DiaryEntry(Base):
    """A learning-diary entry: the user's own words from a reply to a digest."""

    __tablename__ = "diary_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), unique=True
    )
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(SafeText)
    created_at: Mapped[datetime] = mapped_column()


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
