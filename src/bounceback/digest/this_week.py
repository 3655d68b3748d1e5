"""The "This week" box: one dated line per action from the applications timeline.

Pure: the digest input in, lines (with review-page links when its address is known) out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bounceback.digest.model import (
    DatedAction,
    DigestInput,
)
from bounceback.digest.playbook import (
    short_quote,
)
from bounceback.digest.words import moment_label, safe_url


@dataclass(frozen=True, slots=True)
class WeekLine:
    """One line of the "This week" box."""

    when: str  # "Mon 30 Nov, 09:30", "owed since Fri 27 Nov"
    text: str
    url: str | None  # the email on the review page, when its address is known
    kind: str
    overdue: bool = False


def review_link(base: str | None, message_id: int | None) -> str | None:
    """The email on the review page, when the page's address is known."""
    safe = safe_url(base)
    if not safe or message_id is None:
        return None
    return f"{safe.rstrip('/')}/?status=all&m={int(message_id)}"


def round_name(item: DatedAction) -> str:
    if item.kind == "assessment":
        return "assessment"
    if item.kind == "take_home":
        return "take-home task"
    return {"final": "final-round interview", "second": "second interview"}.get(
        item.round or "", "interview"
    )


def week_lines(data: DigestInput) -> list[WeekLine]:
    """The "This week" box: one line per dated action, soonest (or most overdue) first."""
    lines = []
    for item in data.dated:
        who = item.employer or "An employer"
        role = f" ({item.role})" if item.role else ""
        overdue = item.at < data.period_end
        when = moment_label(item.at, data.timezone, item.all_day)
        url = review_link(data.review_url, item.message_id)
        if item.kind == "offer":
            terms = ", ".join(filter(None, (item.salary, item.condition)))
            text = f"Offer from {who}: {item.role or 'the role'}" + (f", {terms}" if terms else "")
            text += ". No deadline in the letter; they are waiting for your answer."
            when = f"Answer owed since {when.split(',')[0]}" if overdue else f"Answer by {when}"
        elif item.kind in ("interview", "assessment", "take_home"):
            verb = "due" if item.kind != "interview" else ""
            text = f"{who}: {round_name(item)}{role}{' ' + verb if verb else ''}."
            if item.reply:
                text += f" Reply owed: “{short_quote(item.reply, 90)}”"
        elif item.kind == "reply":
            text = f"Reply to {who}{role}: “{short_quote(item.what, 90)}”"
            when = f"Owed since {when.split(',')[0]}" if overdue else f"By {when}"
        elif item.kind == "follow_up":
            since = item.what.rpartition(" since ")[2] if " since " in item.what else ""
            quiet = f"nothing heard since {since.lstrip('0')}" if since else "quiet for a while"
            text = f"Follow up with {who}{role}: {quiet}; a short, friendly note is fair."
            when = f"Due {when.split(',')[0]}"
        elif item.kind == "feedback_request":
            text = f"Ask {who} for feedback{role}: a draft is ready below."
            when = "This week"
        else:
            text = f"{who}{role}: {short_quote(item.what, 90)}"
        lines.append(WeekLine(when=when, text=text, url=url, kind=item.kind, overdue=overdue))
    # dated things first, in time order; the feedback requests (no date of their own) last
    order = {id(line): i for i, line in enumerate(lines)}
    return sorted(lines, key=lambda line: (line.kind == "feedback_request", order[id(line)]))


def preheader(lines: Sequence[WeekLine], opening: str) -> str:
    """The inbox preview: the first things to do, else the opening."""
    if not lines:
        return opening
    return "This week: " + " ".join(f"{line.when}: {line.text}" for line in lines[:2])
