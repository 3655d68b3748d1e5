"""Calendar invitations to a hiring step are interviews, with or without words around them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bounceback.nlp.analyzer import Analyzer
from bounceback.nlp.invitations import invites_to_a_hiring_step
from bounceback.nlp.records import EmailText
from bounceback.nlp.signals import Signals

BARE = (
    "Dana Holt has invited you to this event.\n\nJoin with Google Meet: "
    "meet.google.com/abc-defg-hij\n\nView all guest info\nReply for sam@fastmail.com\n"
    "Yes  No  Maybe\n"
)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.load()


@pytest.mark.parametrize(
    ("subject", "calendar", "expected"),
    [
        ("Invitation: Sam / Perch - technical interview @ Thu 10 Dec 2026 2pm - 3pm (GMT)", 0, 1),
        ("Updated invitation: Final round - Perch @ Fri 11 Dec 2026 11am (GMT)", 0, 1),
        ("Canceled event: Perch screening call @ Fri 11 Dec 2026 11am (GMT)", 0, 1),
        ("Panel with the Perch team", 1, 1),  # a calendar part, a plain subject
        ("Invitation: Interview prep with careers coach @ Tue 10am", 0, 0),  # practice
        ("Invitation: Five-a-side football @ Sun 7am", 0, 0),  # not a hiring step
        ("Technical interview tips for new grads", 0, 0),  # no calendar at all
    ],
)
def test_which_invitations_are_hiring_steps(subject: str, calendar: int, expected: int) -> None:
    email = EmailText("a", subject, "Dana Holt <dana@perch.io>", BARE)
    email = replace(email, signals=Signals(calendar=bool(calendar)))
    assert invites_to_a_hiring_step(email) is bool(expected)


def test_a_bare_calendar_invitation_to_an_interview_is_labelled(analyzer: Analyzer) -> None:
    subject = "Invitation: Sam / Perch - technical interview @ Thu 10 Dec 2026 2pm - 3pm (GMT)"
    email = EmailText("a", subject, "Dana Holt <dana@perch.io>", BARE)
    # (the rule itself is tested above: model 0.3.0 alone scored this 0.36, under its bar)
    found = analyzer.analyze_one(email)
    assert found.labels == ("interview",)
    assert found.company == "Perch"
    assert found.role is None  # "Sam / Perch" is the calendar's candidate / employer
