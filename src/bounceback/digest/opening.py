"""The digest's subject line and opening paragraph: who offered, who invited, how many."""

from __future__ import annotations

from collections.abc import Sequence

from bounceback.digest.charts import Glance
from bounceback.digest.model import (
    ApplicationState,
    DatedAction,
)
from bounceback.digest.this_week import round_name
from bounceback.digest.words import moment_label


def plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def subject_line(
    week: str,
    stats: Glance,
    postings: int,
    feedback: int,
    dated: Sequence[DatedAction] = (),
    zone: str = "UTC",
) -> str:
    """A short subject that leads with what mattered most this week."""
    offers, interviews = stats.value("offers"), stats.value("interviews")
    rejections = stats.value("rejections")
    parts = []
    offer = next((d for d in dated if d.kind == "offer" and d.employer), None)
    interview = next((d for d in dated if d.kind == "interview" and d.employer), None)
    if offer is not None:
        parts.append(f"an offer from {offer.employer}")
    elif offers:
        parts.append(plural(offers, "offer"))
    if interview is not None:
        when = moment_label(interview.at, zone, interview.all_day).split(",")[0]
        name = round_name(interview).replace("final-round interview", "final round")
        parts.append(f"{interview.employer} {name} {when}")
    elif interviews:
        parts.append(plural(interviews, "interview email"))
    if rejections:
        named = offer is not None and interview is not None  # the subject is long enough
        with_feedback = (
            f", {min(feedback, rejections)} with feedback" if feedback and not named else ""
        )
        parts.append(plural(rejections, "rejection") + with_feedback)
    elif feedback:
        parts.append(plural(feedback, "piece") + " of feedback")
    if len(parts) < 2 and postings:
        parts.append(plural(postings, "new role"))
    if not parts:
        acknowledged = stats.value("acknowledged")
        parts.append(
            f"{plural(acknowledged, 'application')} acknowledged"
            if acknowledged
            else "a quiet week, and a plan for it"
        )
    lead = "Good news in your job search" if offers or offer else "Your week in job search"
    return f"{lead}: {', '.join(parts[:3])} — {week}"


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _counted(count: int, word: str) -> str:
    """ "Three rejections", "One offer": numbers spelled out at the start of a sentence."""
    number = _NUMBER_WORDS[count] if 0 <= count < len(_NUMBER_WORDS) else str(count)
    return f"{number} {word if count == 1 else word + 's'}".capitalize()


_INVITED = {
    "take_home": "sent you a take-home task",
    "assessment": "invited you to an assessment",
}


def _invitation(app: ApplicationState) -> str | None:
    for kind in reversed(app.week_events):
        if kind == "interview":
            name = {"final": "a final-round interview", "second": "a second interview"}
            return f"{app.employer} invited you to {name.get(app.round or '', 'an interview')}"
        if kind in _INVITED:
            return f"{app.employer} {_INVITED[kind]}"
    return None


def intro(stats: Glance, feedback: int, silent: int, apps: Sequence[ApplicationState] = ()) -> str:
    """A first paragraph that is honest about the week: who wrote, and what it means."""
    offers, interviews = stats.value("offers"), stats.value("interviews")
    rejections = stats.value("rejections")
    sentences = []
    offered = [a for a in apps if "offer" in a.week_events]
    invited = [line for a in apps if a not in offered and (line := _invitation(a)) is not None]
    for app in offered:
        role = f" the {app.role} role" if app.role else " a job"
        sentences.append(f"{app.employer} offered you{role}. Congratulations!")
    if offers and not offered:
        sentences.append(
            f"{'An offer' if offers == 1 else _counted(offers, 'offer')} came in this week. "
            "Congratulations: take the time you need to weigh it up."
        )
    if invited:
        sentences.append("; ".join(invited[:3]) + ".")
    elif interviews:
        sentences.append(
            f"{_counted(interviews, 'email')} about interviews arrived (invitations or "
            "arrangements), which means your applications are getting noticed."
        )
    if rejections:
        also = " came too" if offers or interviews or invited else " came this week"
        sentences.append(
            f"{_counted(rejections, 'rejection')}{also}. That is hard, and it says nothing "
            "final about you."
        )
    if feedback:
        who = "One employer" if feedback == 1 else f"{_counted(feedback, 'employer')}"
        sentences.append(f"{who} told you why, and that is the useful part.")
    elif silent and rejections:
        sentences.append("None of them said why, so there are feedback requests ready below.")
    if not sentences:
        sentences.append(
            "A quiet week in your inbox. Quiet weeks happen to everyone; below are a few ways "
            "to use this one well."
        )
    return " ".join(sentences)
