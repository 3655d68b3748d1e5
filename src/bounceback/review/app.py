"""The review page: a small FastAPI app, server-rendered with Jinja2.

Reads and writes go through :mod:`bounceback.storage.review`; every change the user makes
is stored as a correction in the same transaction as the change itself.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from bounceback.nlp.skills import best_skill
from bounceback.nlp.taxonomy import GAP_CATEGORIES, LABELS
from bounceback.review.applications import applications_router
from bounceback.review.sanitize import frame_document
from bounceback.review.security import (
    COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    MAX_FORM_BYTES,
    SECURITY_HEADERS,
    Guard,
    parse_form,
)
from bounceback.review.view import (
    CATEGORY_COLOURS,
    SpanError,
    SpanGap,
    highlight,
    resolve_span,
    review_priority,
    weekly_chart,
)
from bounceback.storage import review as store
from bounceback.storage.models import Analysis, Gap

log = logging.getLogger(__name__)

PAGE_SIZE = 50
MAX_HTML_CHARS = 400_000  # beyond this the original is cut (newsletters with inline images)
STATUSES = ("auto", "reviewed", "all")
Form = dict[str, list[str]]


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("bounceback.review", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _static(name: str) -> bytes:
    return (files("bounceback.review") / "static" / name).read_bytes()


def index_pending(sessions: sessionmaker[Session], *, batch: int = 1000) -> int:
    """Give every analysis not yet in the review queue its priority; returns how many."""
    done = 0
    while True:
        with sessions.begin() as session:
            pending = store.unscored_analyses(batch, session=session)
            for analysis, confidences in pending:
                priority = review_priority(analysis.scores or {}, confidences)
                store.index_for_review(analysis, priority, session=session)
        done += len(pending)
        if len(pending) < batch:
            return done


def _first(form: Form, name: str, default: str = "") -> str:
    values = form.get(name)
    return values[0] if values else default


def _safe_next(target: str) -> str:
    """Only our own relative URLs are followed after a form post."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _with_error(target: str, error: str) -> str:
    glue = "&" if "?" in target else "?"
    return f"{target}{glue}{urlencode({'error': error})}"


def create_app(sessions: sessionmaker[Session], guard: Guard) -> FastAPI:
    """The review app for one database, answering only to ``guard``'s host and token."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    def render(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        html = (
            _templates()
            .get_template(name)
            .render(
                csrf=guard.csrf_token, csrf_field=CSRF_FIELD, colours=CATEGORY_COLOURS, **context
            )
        )
        return HTMLResponse(html, status_code=status_code)

    @app.middleware("http")
    async def guard_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await _check(request, call_next)
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        return response

    async def _check(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if not guard.host_ok(request.headers.get("host")):
            return PlainTextResponse("unknown host: use the address bounceback printed", 421)
        fetch_site = request.headers.get("sec-fetch-site")
        if fetch_site == "cross-site":
            return PlainTextResponse("cross-site requests are refused", 403)
        if request.url.path.startswith("/static/"):
            return await call_next(request)
        token = request.query_params.get("token")
        if token is not None:
            if not guard.token_ok(token):
                return render("denied.html.j2", 403)
            redirect = RedirectResponse(request.url.path, status_code=303)
            redirect.set_cookie(
                COOKIE, guard.session_value, httponly=True, samesite="strict", path="/"
            )
            return redirect
        if not guard.cookie_ok(request.cookies.get(COOKIE)):
            return render("denied.html.j2", 403)
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

    async def read_form(request: Request) -> Form:
        """The posted form, after checking its CSRF token."""
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            raise HTTPException(415, "send the form as application/x-www-form-urlencoded")
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, "form too large")
        form = parse_form(body)
        if not guard.csrf_ok(_first(form, CSRF_FIELD) or request.headers.get(CSRF_HEADER)):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page")
        return form

    @app.exception_handler(HTTPException)
    async def plain_errors(request: Request, exc: HTTPException) -> Response:
        return PlainTextResponse(str(exc.detail), exc.status_code)

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        types = {"review.js": "text/javascript", "review.css": "text/css"}
        if name not in types:
            raise HTTPException(404, "not found")
        return Response(_static(name), media_type=types[name])

    @app.get("/", response_class=HTMLResponse)
    def queue_page(
        label: str = "",
        company: str = "",
        status: str = "auto",
        page: int = 1,
        m: int | None = None,
        error: str = "",
    ) -> HTMLResponse:
        index_pending(sessions)
        status = status if status in STATUSES else "auto"
        label = label if label in (*LABELS, "other") else ""
        page = max(page, 1)
        view = store.QueueFilter(
            label or None, company or None, None if status == "all" else status
        )
        params = {"label": label, "company": company, "status": status}
        with sessions.begin() as session:
            rows, total = store.review_queue(
                view, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, session=session
            )
            companies = store.review_companies(session=session)
            selected = m if m is not None else (rows[0].message_id if rows else None)
            detail = _detail(session, view, selected) if selected is not None else None
        pages = max(1, -(-total // PAGE_SIZE))

        def url(**changes: Any) -> str:
            merged = {**params, "page": page, **changes}
            query = {k: v for k, v in merged.items() if v not in ("", None)}
            return "/?" + urlencode(query)

        return render(
            "queue.html.j2",
            rows=rows,
            total=total,
            page=page,
            pages=pages,
            params=params,
            companies=companies,
            labels=LABELS,
            categories=GAP_CATEGORIES,
            statuses=STATUSES,
            detail=detail,
            url=url,
            error=error,
            here=url(m=selected) if selected is not None else url(),
        )

    def _detail(session: Session, view: store.QueueFilter, message_id: int) -> dict[str, Any]:
        found = store.message_for_review(message_id, session=session)
        if found is None:
            raise HTTPException(404, "no such message")
        message, analysis, gaps = found
        body = message.analysed_text or message.body_text or ""
        spans = [SpanGap(g.id, g.start, g.end, g.category, g.status) for g in gaps]
        before, after = store.queue_neighbours(view, message_id, session=session)
        return {
            "message": message,
            "analysis": analysis,
            "gaps": gaps,
            "pieces": highlight(body, spans),
            "frame": frame_document(message.html[:MAX_HTML_CHARS]) if message.html else None,
            "frame_cut": bool(message.html and len(message.html) > MAX_HTML_CHARS),
            "previous": before,
            "next": after,
        }

    @app.get("/trends", response_class=HTMLResponse)
    def trends(weeks: int = 26) -> HTMLResponse:
        weeks = min(max(weeks, 4), 104)
        with sessions.begin() as session:
            points = store.gap_weeks(session=session)
        chart = weekly_chart([(when, category) for when, category, _ in points], weeks=weeks)
        skills = Counter(skill for _, _, skill in points if skill).most_common(10)
        return render("trends.html.j2", chart=chart, skills=skills, total=len(points))

    async def change(
        request: Request, action: Callable[[Session, Form], str | None]
    ) -> RedirectResponse:
        form = await read_form(request)
        target = _safe_next(_first(form, "next", "/"))

        def work() -> str | None:
            with sessions.begin() as session:
                return action(session, form)

        try:
            error = await run_in_threadpool(work)
        except SpanError as exc:
            error = str(exc)
        return RedirectResponse(_with_error(target, error) if error else target, 303)

    def _gap(session: Session, gap_id: int) -> Gap:
        gap = session.get(Gap, gap_id)
        if gap is None:
            raise HTTPException(404, "no such gap")
        return gap

    def _analysis(session: Session, message_id: int) -> tuple[Any, Analysis]:
        found = store.message_for_review(message_id, session=session)
        if found is None:
            raise HTTPException(404, "no such message")
        return found[0], found[1]

    def _category(form: Form) -> str:
        category = _first(form, "category")
        if category not in GAP_CATEGORIES:
            raise SpanError(f"choose a category: {', '.join(GAP_CATEGORIES)}")
        return category

    def _span(form: Form, body: str) -> tuple[int, int, str]:
        try:
            start, end = int(_first(form, "start", "-1")), int(_first(form, "end", "-1"))
        except ValueError:
            raise SpanError("select some of the email's text first") from None
        return resolve_span(body, start, end, _first(form, "text") or None)

    @app.post("/gaps/{gap_id}/accept")
    async def accept_gap(gap_id: int, request: Request) -> RedirectResponse:
        def action(session: Session, form: Form) -> None:
            store.change_gap(_gap(session, gap_id), status="accepted", session=session)

        return await change(request, action)

    @app.post("/gaps/{gap_id}/dismiss")
    async def dismiss_gap(gap_id: int, request: Request) -> RedirectResponse:
        def action(session: Session, form: Form) -> None:
            store.change_gap(_gap(session, gap_id), status="dismissed", session=session)

        return await change(request, action)

    @app.post("/gaps/{gap_id}/edit")
    async def edit_gap(gap_id: int, request: Request) -> RedirectResponse:
        def action(session: Session, form: Form) -> None:
            gap = _gap(session, gap_id)
            message, _ = _analysis(session, gap.message_id)
            span = _span(form, message.analysed_text or message.body_text or "")
            store.change_gap(
                gap,
                status="edited",
                category=_category(form),
                skill=_first(form, "skill").strip()[:200],
                span=span,
                session=session,
            )

        return await change(request, action)

    @app.post("/messages/{message_id}/gaps")
    async def add_gap(message_id: int, request: Request) -> RedirectResponse:
        def action(session: Session, form: Form) -> None:
            message, analysis = _analysis(session, message_id)
            category = _category(form)
            span = _span(form, message.analysed_text or message.body_text or "")
            skill = _first(form, "skill").strip()[:200] or best_skill(span[2], category)
            store.add_gap(
                message, analysis, category=category, span=span, skill=skill, session=session
            )

        return await change(request, action)

    @app.post("/messages/{message_id}/labels")
    async def relabel(message_id: int, request: Request) -> RedirectResponse:
        def action(session: Session, form: Form) -> None:
            _, analysis = _analysis(session, message_id)
            labels = [name for name in form.get("label", []) if name in LABELS]
            store.relabel(analysis, labels, session=session)

        return await change(request, action)

    @app.post("/messages/{message_id}/company")
    async def company_role(message_id: int, request: Request) -> RedirectResponse:
        def action(session: Session, form: Form) -> None:
            _, analysis = _analysis(session, message_id)
            company = _first(form, "company").strip()[:300] or None
            role = _first(form, "role").strip()[:300] or None
            store.set_company_role(analysis, company, role, session=session)

        return await change(request, action)

    @app.post("/messages/{message_id}/reviewed")
    async def reviewed(message_id: int, request: Request) -> RedirectResponse:
        def action(session: Session, form: Form) -> None:
            _, analysis = _analysis(session, message_id)
            store.mark_reviewed(analysis, session=session)

        return await change(request, action)

    app.include_router(applications_router(sessions, guard))
    return app
