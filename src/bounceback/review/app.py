"""The review app: the guard in front of every request, then one router per view.

A view is a module in :mod:`bounceback.review.routes` with its own ``router``; add it to
``ROUTERS``. Reads and writes go through :mod:`bounceback.storage`; a GET never writes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from bounceback.review.applications import applications_router
from bounceback.review.pages import Review
from bounceback.review.routes import email, gaps, queue, static, trends
from bounceback.review.security import COOKIE, SECURITY_HEADERS, Guard

ROUTERS: tuple[APIRouter, ...] = (
    static.router,
    queue.router,
    gaps.router,
    email.router,
    trends.router,
)
Next = Callable[[Request], Awaitable[Response]]


def create_app(sessions: sessionmaker[Session], guard: Guard) -> FastAPI:
    """The review app for one database, answering only to ``guard``'s host and token."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    review = Review(sessions, guard)
    app.state.review = review

    @app.middleware("http")
    async def guard_requests(request: Request, call_next: Next) -> Response:
        response = await check(review, request, call_next)
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        return response

    @app.exception_handler(HTTPException)
    async def plain_errors(request: Request, exc: HTTPException) -> Response:
        return PlainTextResponse(str(exc.detail), exc.status_code)

    for router in ROUTERS:
        app.include_router(router)
    app.include_router(applications_router(sessions, guard))
    return app


async def check(review: Review, request: Request, call_next: Next) -> Response:
    """Let a request through only from our host, with our cookie, and posts only from us."""
    guard = review.guard
    if not guard.host_ok(request.headers.get("host")):
        return PlainTextResponse("unknown host: use the address bounceback printed", 421)
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site == "cross-site":
        if request.method == "GET" and request.headers.get("sec-fetch-mode") == "navigate":
            # A link followed from another site (a digest read in webmail): nothing of the
            # user's data, one link that continues as a same-origin navigation.
            query = f"?{request.url.query}" if request.url.query else ""
            target = "/" + request.url.path.lstrip("/") + query  # never "//elsewhere"
            return review.render("continue.html.j2", title="Continue · bounceback", target=target)
        return PlainTextResponse("cross-site requests are refused", 403)
    if request.url.path.startswith("/static/"):
        return await call_next(request)
    token = request.query_params.get("token")
    if token is not None:
        if not guard.token_ok(token):
            return review.render("denied.html.j2", 403, title="Access needed · bounceback")
        redirect = RedirectResponse(request.url.path, status_code=303)
        redirect.set_cookie(COOKIE, guard.session_value, httponly=True, samesite="strict", path="/")
        return redirect
    if not guard.cookie_ok(request.cookies.get(COOKIE)):
        return review.render("denied.html.j2", 403, title="Access needed · bounceback")
    if request.method not in ("GET", "HEAD"):
        if fetch_site not in (None, "same-origin", "none"):
            return PlainTextResponse("only this page may change data", 403)
        origin = request.headers.get("origin")
        # With Referrer-Policy no-referrer, Chromium sends "Origin: null" on our own
        # form posts; Sec-Fetch-Site still says whether the post came from our page.
        if origin == "null" and fetch_site == "same-origin":
            origin = None
        if not guard.origin_ok(origin):
            return PlainTextResponse("only this page may change data", 403)
    return await call_next(request)
