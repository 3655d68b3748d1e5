"""Changing gaps: accept, dismiss, edit (category, skill, span) and add one the model missed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from bounceback.nlp.skills import best_skill
from bounceback.nlp.taxonomy import GAP_CATEGORIES
from bounceback.review.actions import Action, Outcome, Refused, not_found, perform
from bounceback.review.location import Location
from bounceback.review.pages import Form, ReviewDep, first
from bounceback.review.view import resolve_span
from bounceback.storage import corrections
from bounceback.storage import review as store
from bounceback.storage.models import Analysis, Gap, Message

router = APIRouter()


def _gap(session: Session, gap_id: int) -> Gap:
    gap = session.get(Gap, gap_id)
    if gap is None:
        raise not_found("gap")
    return gap


def _email(session: Session, message_id: int) -> tuple[Message, Analysis]:
    found = store.message_for_review(message_id, session=session)
    if found is None:
        raise not_found("email")
    return found[0], found[1]


def _category(form: Form) -> str:
    category = first(form, "category")
    if category not in GAP_CATEGORIES:
        raise Refused(f"choose a category: {', '.join(GAP_CATEGORIES)}")
    return category


def _span(form: Form, body: str) -> tuple[int, int, str]:
    try:
        start, end = int(first(form, "start", "-1")), int(first(form, "end", "-1"))
    except ValueError:
        raise Refused("select some of the email's text first") from None
    return resolve_span(body, start, end, first(form, "text") or None)


def _body(message: Message) -> str:
    return message.analysed_text or message.body_text or ""


def _status(gap_id: int, status: str, verb: str) -> Action:
    def action(session: Session, form: Form, here: Location) -> Outcome:
        gap = _gap(session, gap_id)
        written = corrections.change_gap(gap, status=status, session=session)
        said = f"Gap {verb}." if written else f"That gap was already {verb}."
        return Outcome(said, [written], focus=f"gap-{gap_id}", advance=True)

    return action


@router.post("/gaps/{gap_id}/accept")
async def accept_gap(gap_id: int, request: Request, review: ReviewDep) -> Response:
    """Keep a gap as the model found it."""
    return await perform(review, request, _status(gap_id, "accepted", "accepted"))


@router.post("/gaps/{gap_id}/dismiss")
async def dismiss_gap(gap_id: int, request: Request, review: ReviewDep) -> Response:
    """Say a gap is not one (training learns the sentence is not feedback)."""
    return await perform(review, request, _status(gap_id, "dismissed", "dismissed"))


@router.post("/gaps/{gap_id}/edit")
async def edit_gap(gap_id: int, request: Request, review: ReviewDep) -> Response:
    """Change a gap's category, skill or span."""

    def action(session: Session, form: Form, here: Location) -> Outcome:
        gap = _gap(session, gap_id)
        message, _ = _email(session, gap.message_id)
        written = corrections.change_gap(
            gap,
            status="edited",
            category=_category(form),
            skill=first(form, "skill").strip()[:200],
            span=_span(form, _body(message)),
            session=session,
        )
        said = "Gap saved." if written else "Nothing to save: the gap was already like that."
        return Outcome(said, [written], focus=f"gap-{gap_id}", advance=True)

    return await perform(review, request, action)


@router.post("/messages/{message_id}/gaps")
async def add_gap(message_id: int, request: Request, review: ReviewDep) -> Response:
    """Add a gap the model missed, from text the reviewer chose."""

    def action(session: Session, form: Form, here: Location) -> Outcome:
        message, analysis = _email(session, message_id)
        category = _category(form)
        span = _span(form, _body(message))
        skill = first(form, "skill").strip()[:200] or best_skill(span[2], category)
        written = corrections.add_gap(
            message, analysis, category=category, span=span, skill=skill, session=session
        )
        return Outcome(f"Gap added ({category}).", [written], focus=f"gap-{written.gap_id}")

    return await perform(review, request, action)
