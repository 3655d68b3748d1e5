"""Changing an email: its labels, company and role, and confirming it as it stands."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from bounceback.nlp.taxonomy import LABELS
from bounceback.review.actions import Outcome, not_found, perform
from bounceback.review.location import Location
from bounceback.review.pages import Form, ReviewDep, first
from bounceback.storage import corrections
from bounceback.storage import review as store
from bounceback.storage.models import Analysis, Correction

router = APIRouter()


def _analysis(session: Session, message_id: int) -> Analysis:
    found = store.message_for_review(message_id, session=session)
    if found is None:
        raise not_found("email")
    return found[1]


def _save_facts(analysis: Analysis, form: Form, *, session: Session) -> list[Correction]:
    """Labels, company and role as the form has them; the form marks itself with facts=1."""
    if first(form, "facts") != "1":
        return []
    labels = [name for name in form.get("label", []) if name in LABELS]
    company = first(form, "company").strip()[:300] or None
    role = first(form, "role").strip()[:300] or None
    written = [
        corrections.relabel(analysis, labels, session=session),
        corrections.set_company_role(analysis, company, role, session=session),
    ]
    return [c for c in written if c is not None]


def _what(written: list[Correction]) -> str:
    kinds = {c.kind for c in written}
    if kinds == {"labels", "company_role"}:
        return "labels, company and role"
    return "labels" if kinds == {"labels"} else "company and role"


@router.post("/messages/{message_id}/facts")
async def save_facts(message_id: int, request: Request, review: ReviewDep) -> Response:
    """Save the email's labels, company and role."""

    def action(session: Session, form: Form, here: Location) -> Outcome:
        written = _save_facts(_analysis(session, message_id), form, session=session)
        said = f"Saved {_what(written)}." if written else "Nothing changed."
        return Outcome(said, written, focus="facts")

    return await perform(review, request, action)


@router.post("/messages/{message_id}/reviewed")
async def confirm(message_id: int, request: Request, review: ReviewDep) -> Response:
    """Confirm the email as it stands (saving the labels, company and role sent with it)."""

    def action(session: Session, form: Form, here: Location) -> Outcome:
        analysis = _analysis(session, message_id)
        _, after = store.queue_neighbours(here.queue_filter, message_id, session=session)
        saved = _save_facts(analysis, form, session=session)
        confirmed = corrections.mark_reviewed(analysis, session=session)
        said = "Confirmed." if confirmed else "Already confirmed."
        if saved:
            said = f"Saved {_what(saved)}; {said[0].lower()}{said[1:]}"
        go_to = replace(here, message=after).url() if after else replace(here, message=None).url()
        return Outcome(said, [*saved, *confirmed], go_to=go_to)

    return await perform(review, request, action)
