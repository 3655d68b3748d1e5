"""Weekly digests, the next steps they suggested, and the learning diary."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bounceback.storage.columns import SafeText
from bounceback.storage.models.base import Base, utcnow


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
