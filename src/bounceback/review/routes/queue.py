"""The queue page: the emails to review and the open one; a GET never writes."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from bounceback.review.actions import fragments, safe_here
from bounceback.review.location import Location
from bounceback.review.pages import INTRO_COOKIE, ReviewDep, first, intro_dismissed, wants_fragments
from bounceback.review.screen import page_context, page_title

router = APIRouter()


@router.get("/")
async def queue_page(request: Request, review: ReviewDep) -> Response:
    """The queue with the chosen (or first) email; our script asks for JSON fragments."""
    location = Location.parse(dict(request.query_params))
    if wants_fragments(request):
        return JSONResponse(await run_in_threadpool(fragments, review, location))

    def read() -> Response:
        with review.sessions.begin() as session:
            context = page_context(location, session=session)
            if context["missing"]:
                raise HTTPException(404, "no such email: it may have been deleted")
            return review.render(
                "queue.html.j2",
                title=page_title(context),
                error=request.query_params.get("error", "")[:300],
                intro=not intro_dismissed(request),
                **context,
            )

    return await run_in_threadpool(read)


@router.post("/intro")
async def dismiss_intro(request: Request, review: ReviewDep) -> Response:
    """Hide the one-line instruction from now on (a cookie in this browser)."""
    form = await review.read_form(request)
    if wants_fragments(request):
        response: Response = JSONResponse({"ok": True, "said": "Instruction hidden."})
    else:
        response = RedirectResponse(safe_here(first(form, "here", "/")), 303)
    response.set_cookie(
        INTRO_COOKIE, "seen", max_age=400 * 86400, httponly=True, samesite="strict", path="/"
    )
    return response
