"""How a change is made: one transaction, stored once per request id, answered two ways.

Every form on the page posts here through a route. Our script posts with a header and gets
JSON: what to announce, the re-rendered parts of the page, where focus goes. Without the
script the browser gets a redirect back to the page (Post/Redirect/Get). Either way a
failed change says why and changes nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from bounceback.review.location import Location
from bounceback.review.pages import Form, Review, first, wants_fragments
from bounceback.review.screen import page_context, page_title
from bounceback.review.view import SpanError
from bounceback.storage import corrections
from bounceback.storage.models import Correction

log = logging.getLogger(__name__)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class Refused(ValueError):
    """A change the page cannot make as asked; the message tells the reviewer what to do."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an action did: what to announce, its corrections, where to go next."""

    said: str
    written: Sequence[Correction | None] = ()
    focus: str | None = None  # element id our script focuses after the swap
    advance: bool = False  # move focus on to the next gap after ``focus``
    go_to: str | None = None  # a page URL to open next (confirm moves on)


Action = Callable[[Session, Form, Location], Outcome]


def safe_here(target: str) -> str:
    """Only our own relative URLs are followed after a form post."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _with_error(target: str, error: str) -> str:
    glue = "&" if "?" in target else "?"
    return f"{target}{glue}{urlencode({'error': error})}"


def _run(review: Review, action: Action, form: Form, here: Location) -> Outcome:
    request_id = first(form, "rid")
    if request_id and not _REQUEST_ID.match(request_id):
        raise Refused("this form is damaged: reload the page")
    try:
        with review.sessions.begin() as session:
            if request_id and corrections.request_seen(request_id, session=session):
                return Outcome("Already saved.")
            outcome = action(session, form, here)
            if request_id:
                corrections.claim_request(outcome.written, request_id)
    except IntegrityError:
        # The same request id committed meanwhile (a double press raced us): nothing to do.
        log.info("a repeated request was stored once")
        return Outcome("Already saved.")
    return outcome


def fragments(review: Review, location: Location) -> dict[str, object]:
    """The queue and the open email re-rendered, with the title and URL to show."""
    with review.sessions.begin() as session:
        context = page_context(location, session=session)
        return {
            "title": page_title(context),
            "url": context["here"],
            "fragments": {
                "queue": review.render_text("_queue.html.j2", **context),
                "detail": review.render_text("_detail.html.j2", **context),
            },
        }


async def perform(review: Review, request: Request, action: Action) -> Response:
    """Read the form, run ``action`` once, and answer the script or the plain form."""
    form = await review.read_form(request)
    here_url = safe_here(first(form, "here", "/"))
    here = Location.from_url(here_url)
    try:
        outcome = await run_in_threadpool(_run, review, action, form, here)
    except (Refused, SpanError) as exc:
        if wants_fragments(request):
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=422)
        return RedirectResponse(_with_error(here_url, str(exc)), 303)
    if not wants_fragments(request):
        anchor = f"#{outcome.focus}" if outcome.focus else ""
        return RedirectResponse((outcome.go_to or here_url) + anchor, 303)
    answer: dict[str, object] = {"ok": True, "said": outcome.said}
    if outcome.go_to is not None:
        answer["go_to"] = outcome.go_to
    else:
        answer.update(await run_in_threadpool(fragments, review, here))
        answer.update(focus=outcome.focus, advance=outcome.advance)
    return JSONResponse(answer)


def not_found(what: str) -> HTTPException:
    """A 404 for a gap or email that is gone (deleted by ``forget``, for one)."""
    return HTTPException(404, f"no such {what}: it may have been deleted; reload the page")
