"""The user's changes to applications: move an email, merge, split, rename the employer.

Each change is applied at once and stored as an :class:`ApplicationCorrection`
anchored on messages (an application is named by its first email), never on
application ids: a relink after re-analysis rebuilds every application and then
:func:`replay` applies the corrections again, in order. Moved emails are pinned, so the
linker never moves them back. ``*, session``; never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bounceback.errors import BouncebackError
from bounceback.storage.applications import refresh_applications
from bounceback.storage.models import (
    Application,
    ApplicationCorrection,
    ApplicationDate,
    ApplicationEvent,
    ApplicationRef,
    MessageLink,
)


class CorrectionError(BouncebackError):
    """A change to applications that cannot be made as asked."""


def anchor(app_id: int, *, session: Session) -> int | None:
    """The application's first email (the id a correction names it by)."""
    return session.scalar(
        select(ApplicationEvent.message_id)
        .where(ApplicationEvent.application_id == app_id, ApplicationEvent.message_id.is_not(None))
        .order_by(ApplicationEvent.occurred_at, ApplicationEvent.id)
        .limit(1)
    )


def application_of(message_id: int, *, session: Session) -> int | None:
    """The application a message is linked to."""
    return session.scalar(
        select(MessageLink.application_id).where(MessageLink.message_id == message_id)
    )


def _app(app_id: int, account_id: int, *, session: Session) -> Application:
    app = session.get(Application, app_id)
    if app is None or app.account_id != account_id:
        raise CorrectionError(f"there is no application {app_id}: reload the page")
    return app


def _copy(app: Application, *, session: Session) -> int:
    fields = {c: getattr(app, c) for c in ("employer", "employer_key", "role", "channel", "via")}
    new = Application(
        account_id=app.account_id,
        first_contact=app.first_contact,
        last_contact=app.last_contact,
        employer_fixed=app.employer_fixed,
        **fields,
    )
    session.add(new)
    session.flush()
    return new.id


def _move(message_ids: Sequence[int], target: int, *, session: Session) -> None:
    ids = list(message_ids)
    session.execute(
        update(MessageLink)
        .where(MessageLink.message_id.in_(ids))
        .values(application_id=target, method="user", pinned=True, score=None)
    )
    for table in (ApplicationEvent, ApplicationDate):
        session.execute(
            update(table).where(table.message_id.in_(ids)).values(application_id=target)
        )


def _record(account_id: int, kind: str, detail: dict[str, Any], *, session: Session) -> None:
    session.add(ApplicationCorrection(account_id=account_id, kind=kind, detail=detail))


def move_message(
    account_id: int,
    message_id: int,
    target: int | None,
    *,
    session: Session,
    record: bool = True,
) -> int:
    """Move one email to another application (None: to a new one); returns where it went."""
    source = application_of(message_id, session=session)
    if source is None:
        raise CorrectionError("this email belongs to no application yet")
    old = _app(source, account_id, session=session)
    to = (
        _copy(old, session=session)
        if target is None
        else _app(target, account_id, session=session).id
    )
    to_anchor = None if target is None else anchor(to, session=session)
    _move([message_id], to, session=session)
    refresh_applications([source, to], session=session)
    if record:
        _record(account_id, "move", {"message": message_id, "to": to_anchor}, session=session)
    return to


def merge(account_id: int, keep: int, other: int, *, session: Session, record: bool = True) -> int:
    """Fold application ``other`` into ``keep`` (emails, dates and ids); returns ``keep``."""
    if keep == other:
        raise CorrectionError("choose two different applications to merge")
    kept = _app(keep, account_id, session=session)
    _app(other, account_id, session=session)
    anchors = [anchor(keep, session=session), anchor(other, session=session)]
    messages = list(
        session.scalars(select(MessageLink.message_id).where(MessageLink.application_id == other))
    )
    _move(messages, kept.id, session=session)
    session.execute(
        update(ApplicationRef)
        .where(ApplicationRef.application_id == other)
        .values(application_id=keep)
    )
    refresh_applications([keep, other], session=session)
    if record:
        _record(account_id, "merge", {"keep": anchors[0], "other": anchors[1]}, session=session)
    return keep


def split(
    account_id: int,
    app_id: int,
    message_ids: Sequence[int],
    *,
    session: Session,
    record: bool = True,
) -> int:
    """Move some of an application's emails into a new application; returns its id."""
    app = _app(app_id, account_id, session=session)
    own = set(
        session.scalars(select(MessageLink.message_id).where(MessageLink.application_id == app_id))
    )
    chosen = [m for m in message_ids if m in own]
    if not chosen:
        raise CorrectionError("tick the emails that belong to another application")
    if len(chosen) == len(own):
        raise CorrectionError("leave at least one email where it is: that would move them all")
    new = _copy(app, session=session)
    _move(chosen, new, session=session)
    refresh_applications([app_id, new], session=session)
    if record:
        _record(account_id, "split", {"messages": sorted(chosen)}, session=session)
    return new


def rename(
    account_id: int, app_id: int, employer: str, key: str, *, session: Session, record: bool = True
) -> None:
    """Give the application's employer a new name, for all its mail and mail to come."""
    app = _app(app_id, account_id, session=session)
    old_key = app.employer_key
    app.employer, app.employer_key, app.employer_fixed = employer, key, True
    if old_key and old_key != key:
        alias = f"alias:{old_key}"[:300]
        exists = session.scalar(
            select(ApplicationRef.id).where(
                ApplicationRef.account_id == account_id, ApplicationRef.ref == alias
            )
        )
        if exists is None:
            session.add(ApplicationRef(account_id=account_id, application_id=app_id, ref=alias))
    session.flush()
    if record:
        detail = {"anchor": anchor(app_id, session=session), "employer": employer, "key": key}
        _record(account_id, "rename", detail, session=session)


def replay(account_id: int, *, session: Session) -> int:
    """Apply the account's corrections again, oldest first (after a relink); returns how many."""
    applied = 0
    corrections = session.scalars(
        select(ApplicationCorrection)
        .where(ApplicationCorrection.account_id == account_id)
        .order_by(ApplicationCorrection.id)
    )
    for correction in list(corrections):
        try:
            applied += _apply(account_id, correction.kind, correction.detail or {}, session=session)
        except CorrectionError:
            continue  # its emails are gone (forgotten mail): nothing left to correct
    return applied


def _apply(account_id: int, kind: str, detail: dict[str, Any], *, session: Session) -> int:
    def app_of(message_id: Any) -> int | None:
        return application_of(int(message_id), session=session) if message_id else None

    if kind == "move":
        target = app_of(detail.get("to"))
        if detail.get("to") and target is None:
            return 0
        if target is not None and target == app_of(detail["message"]):
            return 0
        move_message(account_id, int(detail["message"]), target, session=session, record=False)
    elif kind == "merge":
        keep, other = app_of(detail.get("keep")), app_of(detail.get("other"))
        if keep is None or other is None or keep == other:
            return 0
        merge(account_id, keep, other, session=session, record=False)
    elif kind == "split":
        messages = [int(m) for m in detail.get("messages", [])]
        source = app_of(messages[0]) if messages else None
        if source is None:
            return 0
        split(account_id, source, messages, session=session, record=False)
    elif kind == "rename":
        target = app_of(detail.get("anchor"))
        if target is None:
            return 0
        rename(account_id, target, detail["employer"], detail["key"], session=session, record=False)
    return 1
