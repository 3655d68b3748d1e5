"""Mail and what was read from it: messages, analyses, feedback gaps, corrections, job postings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bounceback.storage.columns import FittedString, KeyString, SafeText
from bounceback.storage.models.base import Base, utcnow


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
