"""The review page's applications view: the list, one timeline, and the user's fixes.

A router of its own, registered by :func:`bounceback.review.app.create_app`; the app's
middleware already checks the host, the install token and the fetch site for every
request here, and each form post is checked for the CSRF token below. Moves, merges,
splits and renames go through :mod:`bounceback.storage.application_corrections`, which
stores each one as a correction that a relink replays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from bounceback.nlp.employers import employer_key
from bounceback.review.pages import Form, Review, first
from bounceback.review.security import Guard
from bounceback.storage import accounts
from bounceback.storage import application_corrections as fixes
from bounceback.storage import applications as store
from bounceback.storage.models import utcnow

KIND_NAMES = {
    "acknowledged": "acknowledged",
    "applied": "applied",
    "assessment": "assessment",
    "take_home": "take-home",
    "interview": "interview",
    "offer": "offer",
    "rejection": "rejection",
    "withdrawal": "withdrawn",
    "feedback_received": "feedback",
    "feedback_requested": "feedback asked for",
    "message": "message",
    "reply": "reply owed",
    "offer_deadline": "offer deadline",
    "follow_up": "follow up",
    "feedback_request": "ask for feedback",
    "start_date": "start date",
}


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.strip().isdigit()]


def _account_of(session: Session, app_id: int) -> int:
    account_id = store.application_account(app_id, session=session)
    if account_id is None:
        raise HTTPException(404, "no such application")
    return account_id


def _merge(session: Session, form: Form) -> str:
    chosen = _ints(form.get("app", []))
    if len(chosen) != 2:
        raise fixes.CorrectionError("tick exactly two applications to merge")
    keep, other = chosen
    fixes.merge(_account_of(session, keep), keep, other, session=session)
    return f"/applications/{keep}"


def _split(app_id: int, session: Session, form: Form) -> str:
    account_id = _account_of(session, app_id)
    new = fixes.split(account_id, app_id, _ints(form.get("message", [])), session=session)
    return f"/applications/{new}"


def _rename(app_id: int, session: Session, form: Form) -> str:
    name = " ".join(first(form, "employer").split())[:300]
    if not name:
        raise fixes.CorrectionError("type the employer's name")
    account_id = _account_of(session, app_id)
    fixes.rename(account_id, app_id, name, employer_key(name), session=session)
    return f"/applications/{app_id}"


def _move(app_id: int, session: Session, form: Form) -> str:
    account_id = _account_of(session, app_id)
    message_id = int(first(form, "message") or 0)
    target = first(form, "to")
    to = None if target == "new" else int(target) if target.isdigit() else -1
    if to == -1:
        raise fixes.CorrectionError("choose where the email belongs")
    landed = fixes.move_message(account_id, message_id, to, session=session)
    return f"/applications/{landed}"


@dataclass(frozen=True, slots=True)
class _Pages:
    """The handlers of the applications pages over one review app's database."""

    review: Review

    def render(self, name: str, **context: Any) -> HTMLResponse:
        return self.review.render(name, kinds=KIND_NAMES, active="applications", **context)

    async def change(
        self, request: Request, action: Callable[[Session, Form], str], back: str
    ) -> RedirectResponse:
        """Apply one fix in its own transaction; a refused fix goes back with its reason."""
        form = await self.review.read_form(request)

        def work() -> str:
            with self.review.sessions.begin() as session:
                return action(session, form)

        try:
            target = await run_in_threadpool(work)
        except fixes.CorrectionError as exc:
            target = f"{back}?{urlencode({'error': str(exc)})}"
        return RedirectResponse(target, 303)

    def application_list(self, error: str = "") -> HTMLResponse:
        now = utcnow()
        groups = []
        with self.review.sessions.begin() as session:
            for account in accounts.list_accounts(session=session):
                views = store.list_applications(account.id, now=now, session=session)
                groups.append((account, ZoneInfo(account.timezone or "UTC"), views))
        return self.render("applications.html.j2", groups=groups, now=now, error=error)

    def application_page(self, app_id: int, error: str = "") -> HTMLResponse:
        now = utcnow()
        with self.review.sessions.begin() as session:
            account_id = _account_of(session, app_id)
            account = accounts.account_by_id(account_id, session=session)
            (view,) = store.list_applications(
                account_id, now=now, session=session, app_ids=[app_id]
            )
            mail = store.application_mail(app_id, session=session)
            choices = [
                c for c in store.application_choices(account_id, session=session) if c[0] != app_id
            ]
        zone = ZoneInfo(account.timezone or "UTC")
        return self.render(
            "application.html.j2", app=view, mail=mail, choices=choices, zone=zone, now=now,
            error=error,
        )  # fmt: skip

    async def merge(self, request: Request) -> RedirectResponse:
        return await self.change(request, _merge, "/applications")

    async def split(self, app_id: int, request: Request) -> RedirectResponse:
        return await self.change(request, partial(_split, app_id), f"/applications/{app_id}")

    async def rename(self, app_id: int, request: Request) -> RedirectResponse:
        return await self.change(request, partial(_rename, app_id), f"/applications/{app_id}")

    async def move(self, app_id: int, request: Request) -> RedirectResponse:
        return await self.change(request, partial(_move, app_id), f"/applications/{app_id}")


def applications_router(sessions: sessionmaker[Session], guard: Guard) -> APIRouter:
    """The /applications pages for one database."""
    pages = _Pages(Review(sessions, guard))
    router = APIRouter()
    for path, page in (
        ("/applications", pages.application_list),
        ("/applications/{app_id}", pages.application_page),
    ):
        router.add_api_route(path, page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/applications/merge", pages.merge, methods=["POST"])
    for name in ("split", "rename", "move"):
        router.add_api_route(
            f"/applications/{{app_id}}/{name}", getattr(pages, name), methods=["POST"]
        )
    return router
