"""A calendar invitation to a hiring step: an interview, whatever the text around it says.

Scheduling tools and calendars send an invitation with a `text/calendar` part and almost
no words ("Dana Holt has invited you to this event. Join with Google Meet…"); the label
model, trained mostly on letters, scores that low. When the message is a calendar
invitation (its calendar part, or a calendar's own subject line "Invitation: … @ Thu 10
Dec 2026 2pm") and the event's title names a hiring step, it is an interview: invited,
updated, moved or cancelled alike (DESIGN.md counts scheduling and rescheduling). Pure regex.
"""

from __future__ import annotations

import re
from typing import Final

from bounceback.nlp.records import EmailText

__all__ = ["invites_to_a_hiring_step"]

# "Invitation: …", "Updated invitation: …", "Canceled event: …" followed by " @ <when>"
_CALENDAR_SUBJECT: Final = re.compile(
    r"^(?:(?:updated |new )?invitation|invitation updated|cancell?ed (?:event|invitation)|"
    r"(?:event )?(?:rescheduled|moved)|accepted|declined)\s*:\s*(?P<event>.+?)\s@\s",
    re.IGNORECASE,
)
# The event's title names a hiring step (not "roles" or "talent": a careers fair is not one).
_HIRING_STEP: Final = re.compile(
    r"\b(?:interview\w*|screen(?:ing)?(?: call)?|assessment(?: centre| center)?|onsite|on-site|"
    r"panel|trial shift|technical|take-home|case study|psychometric|aptitude|final round|"
    r"round \d|(?:first|second|third|final) (?:round|stage))\b",
    re.IGNORECASE,
)


# Getting ready for one is not one: "Interview prep with careers coach", "Mock interview".
_PRACTICE: Final = re.compile(
    r"\b(?:prep|preparation|practice|practise|mock|coach\w*|workshop|webinar|training|tips)\b",
    re.IGNORECASE,
)


def invites_to_a_hiring_step(email: EmailText) -> bool:
    """True if ``email`` is a calendar invitation whose event is a hiring step."""
    shaped = _CALENDAR_SUBJECT.match(email.subject.strip())
    if shaped is None and not email.signals.calendar:
        return False
    event = shaped.group("event") if shaped else email.subject
    return _HIRING_STEP.search(event) is not None and not _PRACTICE.search(event)
