"""Feedback requests: a short, polite draft for each rejection that gave no reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from bounceback.digest.model import (
    SilentRejection,
)
from bounceback.digest.words import day_label

_NO_REPLY = re.compile(r"no[-_.]?reply|do[-_.]?not[-_.]?reply", re.IGNORECASE)
_TEAM_WORDS = re.compile(
    r"\b(team|careers?|jobs?|talent|recruit\w*|hr|hiring|people|notifications?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class FeedbackRequest:
    """A ready-to-send request for feedback on a silent rejection."""

    to: str
    heading: str
    subject: str
    body: str
    mailto: str | None
    after_interview: bool
    no_reply: bool
    received: str


def _first_name(name: str | None) -> str | None:
    if not name or _TEAM_WORDS.search(name) or "@" in name:
        return None
    first = name.replace('"', "").strip().split()
    return first[0] if first and first[0].isalpha() else None


def feedback_request(rejection: SilentRejection, user_name: str | None) -> FeedbackRequest:
    """A short, polite feedback request in the user's voice, with a mailto link."""
    subject = rejection.subject.strip()
    if not re.match(r"re:", subject, re.IGNORECASE):
        subject = f"Re: {subject}"
    subject = " ".join(subject.split())  # never a header line break
    first = _first_name(rejection.sender_name)
    company = rejection.company
    greeting = f"Hi {first}," if first else (f"Hello {company} team," if company else "Hello,")
    role = f"the {rejection.role} role" if rejection.role else "the role"
    at = f" at {company}" if company else ""
    if rejection.after_interview:
        opening = (
            f"Thank you for letting me know about {role}{at}, and for the time you and "
            "the team spent interviewing me. I enjoyed learning more about the work."
        )
        ask = (
            "If you have a few minutes, I would really value any feedback on my interview: "
            "what went well, and what would have made me a stronger candidate."
        )
    else:
        opening = f"Thank you for letting me know about {role}{at}, and for considering me."
        ask = (
            "If you have a moment, I would be grateful for any brief feedback on my "
            "application, in particular anything that would have made it stronger."
        )
    closing = "It would help me a great deal with my next applications. Thank you again."
    sign = f"Best wishes,\n{user_name}" if user_name else "Best wishes,"
    body = f"{greeting}\n\n{opening}\n\n{ask} {closing}\n\n{sign}"
    address = rejection.sender_address.strip()
    mailto = None
    if re.fullmatch(r"[^@\s]+@[^@\s]+", address):
        crlf_body = body.replace("\n", "\r\n")  # RFC 6068: line breaks in a mailto body are CRLF
        mailto = (
            f"mailto:{quote(address, safe='@')}"
            f"?subject={quote(subject, safe='')}&body={quote(crlf_body, safe='')}"
        )
    who = company or rejection.sender_name or address
    heading = f"{who}: {rejection.role}" if rejection.role else who
    return FeedbackRequest(
        to=address,
        heading=heading,
        subject=subject,
        body=body,
        mailto=mailto,
        after_interview=rejection.after_interview,
        no_reply=bool(_NO_REPLY.search(address.partition("@")[0])),
        received=day_label(rejection.received_at),
    )
