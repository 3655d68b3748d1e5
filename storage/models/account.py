"""Accounts: a connected mailbox, its folders and the user's search profile."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bounceback.storage.columns import SafeText
from bounceback.storage.models.base import Base, utcnow


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
