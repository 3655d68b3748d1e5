"""What every route of the review page shares: the database, the guard, templates, forms.

A route gets a :class:`Review` through FastAPI's dependency injection (``ReviewDep``), so
a new view is a new router module that renders its own templates with :meth:`Review.render`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session, sessionmaker

from bounceback.review.security import CSRF_FIELD, CSRF_HEADER, MAX_FORM_BYTES, Guard, parse_form
from bounceback.review.view import CATEGORY_COLOURS

Form = dict[str, list[str]]
#: The header our script sends to get JSON (fragments to swap in) instead of a page.
FETCH_HEADER = "x-bounceback-fetch"
#: A cookie saying the one-line instruction was dismissed.
INTRO_COOKIE = "bounceback_intro"


@cache
def templates() -> Environment:
    """The page templates, loaded once."""
    return Environment(
        loader=PackageLoader("bounceback.review", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def request_id() -> str:
    """A fresh id for one form as rendered: posting it twice stores one action."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True, slots=True)
class Review:
    """One review app: its database and the guard that knows its token."""

    sessions: sessionmaker[Session]
    guard: Guard

    def render_text(self, name: str, **context: Any) -> str:
        """A template rendered with what every page needs (CSRF token, colours, ids)."""
        template = templates().get_template(name)
        return template.render(
            csrf=self.guard.csrf_token,
            csrf_field=CSRF_FIELD,
            colours=CATEGORY_COLOURS,
            request_id=request_id,
            **context,
        )

    def render(self, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        """A whole page."""
        return HTMLResponse(self.render_text(name, **context), status_code=status_code)

    async def read_form(self, request: Request) -> Form:
        """The posted form, after checking its type, size and CSRF token."""
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            raise HTTPException(415, "send the form as application/x-www-form-urlencoded")
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, "form too large")
        form = parse_form(body)
        if not self.guard.csrf_ok(first(form, CSRF_FIELD) or request.headers.get(CSRF_HEADER)):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page")
        return form


def review_of(request: Request) -> Review:
    """The app's :class:`Review` (a FastAPI dependency)."""
    review: Review = request.app.state.review
    return review


ReviewDep = Annotated[Review, Depends(review_of)]


def first(form: Form, name: str, default: str = "") -> str:
    """The first value of a form field."""
    values = form.get(name)
    return values[0] if values else default


def wants_fragments(request: Request) -> bool:
    """True when our script asked (it then swaps parts of the page instead of reloading)."""
    return request.headers.get(FETCH_HEADER) == "1"


def intro_dismissed(request: Request) -> bool:
    """True once the reviewer has dismissed the one-line instruction."""
    return request.cookies.get(INTRO_COOKIE) == "seen"
