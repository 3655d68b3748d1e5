"""`bounceback digest --preview`: render a digest to files without sending or storing it."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bounceback.digest.collect import Week
from bounceback.digest.render import render_week
from bounceback.errors import NotFoundError
from bounceback.storage import accounts
from bounceback.storage.models import utcnow


def save_digest_files(raw: bytes, html_path: Path) -> list[Path]:
    """Write a digest's .html, .txt and .eml side by side; returns the paths."""
    html_path.parent.mkdir(parents=True, exist_ok=True)
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    paths = [html_path.with_suffix(".eml")]
    paths[0].write_bytes(raw)
    for subtype, suffix in (("html", ".html"), ("plain", ".txt")):
        part = message.get_body(preferencelist=(subtype,))
        if part is not None:
            target = html_path.with_suffix(suffix)
            target.write_text(part.get_content(), encoding="utf-8")
            paths.append(target)
    return paths


def write_preview(
    sessions: sessionmaker[Session], path: Path, *, address: str | None, week: str | None
) -> list[Path]:
    """Render each account's digest (or one account's) to files next to path."""
    written: list[Path] = []
    with sessions.begin() as session:
        if address:
            listed = [accounts.require_account(address, session=session)]
        else:
            listed = accounts.list_accounts(session=session)
        if not listed:
            raise NotFoundError("no account is connected yet; run bounceback connect first")
        now = utcnow()
        for account in listed:
            this_week = (
                Week.parse(week, account.timezone)
                if week
                else Week.last_complete(now, account.timezone)
            )
            raw = render_week(account, this_week, session=session, now=now).raw
            target = (
                path
                if len(listed) == 1
                else path.with_name(f"{path.stem}-{account.address}{path.suffix}")
            )
            written += save_digest_files(raw, target.with_suffix(".html"))
        session.rollback()  # a preview changes nothing
    return written
