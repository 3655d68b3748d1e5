"""The "This week" box, honest wording, trusted next steps and alerts that know you (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bounceback.digest.alerts import PostingView, mark_postings
from bounceback.digest.build import build_digest, digest_context
from bounceback.digest.model import ApplicationState, DatedAction, DigestInput, GapItem
from bounceback.digest.this_week import week_lines

START, END = datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)


def _input(**fields: object) -> DigestInput:
    base = DigestInput(
        account_address="sam.taylor@example.com",
        week="2026-W48",
        period_start=START,
        period_end=END,
        history=(),
        week_gaps=(),
        all_gaps=(),
        silent_rejections=(),
        postings=(),
        user_name="Sam Taylor",
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _box(text: str) -> str:
    flat = _flat(text)
    return flat[flat.index("This week") : flat.index("Next steps")]


INTERVIEW = DatedAction(
    at=datetime(2026, 12, 1, 14, 30, tzinfo=UTC),
    kind="interview",
    employer="Northwind Analytics",
    role="Data Analyst",
    what="Tuesday 1 December at 14:30 on Teams",
    message_id=7,
    round="second",
    reply="Please confirm the time suits you.",
)
TAKE_HOME = DatedAction(
    at=datetime(2026, 12, 4, tzinfo=UTC),
    kind="take_home",
    employer="Contoso",
    role=None,
    what="Send it back by Friday 4 December",
    message_id=8,
    all_day=True,
)
OFFER = DatedAction(
    at=datetime(2026, 11, 27, 17, tzinfo=UTC),
    kind="offer",
    employer="Fabrikam",
    role="Insight Analyst",
    what="Let us know if you accept.",
    message_id=9,
    salary="£41,000 per year",
    condition="conditional on references",
    reply="Let us know if you accept.",
)


def test_an_empty_week_says_so_in_one_line() -> None:
    email = build_digest(_input())
    for part in (email.text, email.html):
        assert "Nothing dated this week: no interviews, deadlines or replies owed." in _flat(part)


def test_times_are_shown_in_the_users_zone_and_all_day_dates_stay_put() -> None:
    data = _input(dated=(INTERVIEW, TAKE_HOME), timezone="America/New_York")
    lines = week_lines(data)
    assert [line.when for line in lines] == ["Tue 1 Dec, 09:30", "Fri 4 Dec"]
    assert lines[0].text == (
        "Northwind Analytics: second interview (Data Analyst). "
        "Reply owed: “Please confirm the time suits you.”"
    )
    assert lines[1].text == "Contoso: take-home task due."
    box = _box(build_digest(data).text)
    assert box.index("Tue 1 Dec, 09:30") < box.index("Fri 4 Dec")


def test_the_offer_is_named_with_its_terms_and_the_answer_owed() -> None:
    (line,) = week_lines(_input(dated=(OFFER,), timezone="Europe/London"))
    assert line.when == "Answer owed since Fri 27 Nov" and line.overdue
    assert line.text.startswith(
        "Offer from Fabrikam: Insight Analyst, £41,000 per year, conditional on references."
    )
    later = replace(OFFER, at=datetime(2026, 12, 2, 12, tzinfo=UTC))
    (line,) = week_lines(_input(dated=(later,), timezone="Europe/London"))
    assert line.when == "Answer by Wed 2 Dec, 12:00" and not line.overdue


def test_lines_link_to_the_review_page_only_when_it_is_known_and_safe() -> None:
    assert [x.url for x in week_lines(_input(dated=(INTERVIEW,)))] == [None]
    linked = week_lines(_input(dated=(INTERVIEW,), review_url="http://127.0.0.1:8765/"))
    assert [x.url for x in linked] == ["http://127.0.0.1:8765/?status=all&m=7"]
    hostile = week_lines(_input(dated=(INTERVIEW,), review_url="javascript:alert(1)"))
    assert [x.url for x in hostile] == [None]
    page = build_digest(_input(dated=(INTERVIEW,), review_url="http://127.0.0.1:8765")).html
    assert 'href="http://127.0.0.1:8765/?status=all&amp;m=7"' in page


def test_invitations_are_not_called_interviews_you_had() -> None:
    from bounceback.digest.model import WeekStats

    apps = (
        ApplicationState("Northwind Analytics", "Data Analyst", "interview", END, ("interview",),
                         "final"),
        ApplicationState("Contoso", None, "assessment", END, ("acknowledged", "take_home")),
    )  # fmt: skip
    history = (WeekStats("2026-W48", interviews=2),)
    intro = digest_context(_input(history=history, applications=apps))["intro"]
    assert "Northwind Analytics invited you to a final-round interview" in intro
    assert "Contoso sent you a take-home task" in intro
    assert "You had" not in intro
    bare = digest_context(_input(history=history))["intro"]  # no applications known
    assert bare.startswith("Two emails about interviews arrived (invitations or arrangements)")


def _gap(gap_id: int, company: str, confidence: float, status: str = "auto") -> GapItem:
    return GapItem(
        gap_id=gap_id, category="skill", text="Your Power BI was not at the level we need.",
        skill="Power BI", company=company, role="Analyst",
        received_at=datetime(2026, 11, 25, tzinfo=UTC), subject=f"Re: {company}",
        confidence=confidence, status=status, message_id=gap_id,
    )  # fmt: skip


def test_no_step_from_an_unsure_point_unless_confirmed_or_repeated() -> None:
    def titles(*gaps: GapItem) -> list[str]:
        data = _input(week_gaps=gaps, all_gaps=gaps)
        return [a.why for a in digest_context(data)["actions"]]

    unsure = _gap(1, "Acme", 0.55)
    assert not any("Power BI" in why for why in titles(unsure))
    assert any("Power BI" in why for why in titles(replace(unsure, status="accepted")))
    assert any("Power BI" in why for why in titles(replace(unsure, confidence=0.9)))
    # two employers saying the same thing corroborate each other
    assert any("Power BI" in why for why in titles(unsure, _gap(2, "Initech", 0.6)))


def test_examples_is_a_topic_not_a_skill() -> None:
    gaps = (
        replace(_gap(1, "Acme", 0.95), category="evidence", skill="examples",
                text="Your examples were missing the numbers at the end."),
        replace(_gap(2, "Initech", 0.95), category="communication", skill=None,
                text="Use situation, task, action and result, with a number at the end."),
    )  # fmt: skip
    context = digest_context(_input(week_gaps=gaps, all_gaps=gaps))
    assert [t.skill for t in context["skills"]] == []
    (theme,) = context["recurring"]
    assert theme.label == "numbers and results in your examples" and theme.employers == 2


def _posting(title: str, company: str) -> PostingView:
    return PostingView(
        title=title, url=None, company=company, location="London", salary=None,
        source="LinkedIn", matches=("Data Analyst",), score=4, why="your target role",
    )  # fmt: skip


def test_alerts_drop_live_roles_and_mark_employers() -> None:
    apps = (
        ApplicationState("Fabrikam Ltd", "Insight Analyst", "offer", END),
        ApplicationState("Northwind Analytics", "Data Analyst", "interview", END),
        ApplicationState("Contoso", "BI Analyst", "rejected", datetime(2026, 11, 26, tzinfo=UTC)),
        ApplicationState("Initech", "Data Analyst", "rejected", datetime(2026, 8, 1, tzinfo=UTC)),
        ApplicationState("Globex", "Analyst", "rejected", datetime(2026, 8, 1, tzinfo=UTC)),
    )
    postings = [
        _posting("Insight Analyst", "Fabrikam"),  # the role offered: left out
        _posting("Senior Data Analyst", "Northwind Analytics"),  # in progress there
        _posting("Data Analyst", "Contoso"),  # turned down recently for another role
        _posting("Data Analyst", "Initech"),  # this very role, turned down months ago
        _posting("Data Analyst", "Globex"),  # another role, long ago: no mark
        _posting("Data Analyst", "Umbrella"),  # no history
    ]
    kept, left_out = mark_postings(postings, apps, END)
    marks = {p.company: p.mark for p in kept}
    assert "Fabrikam" not in marks
    assert left_out == ["Insight Analyst at Fabrikam Ltd (you have an offer)"]
    assert marks["Northwind Analytics"] == "You are interviewing here for Data Analyst"
    assert marks["Contoso"] == "Turned you down for BI Analyst on 26 Nov"
    assert marks["Initech"] == "Turned you down for this role on 1 Aug"
    assert marks["Globex"] is None and marks["Umbrella"] is None
    # fresh employers first, then those that turned you down
    assert [p.company for p in kept][-2:] == ["Contoso", "Initech"]


def test_follow_ups_and_feedback_requests_come_after_the_dated_items() -> None:
    follow = DatedAction(
        at=datetime(2026, 12, 2, 9, tzinfo=UTC), kind="follow_up", employer="Globex",
        role="Analyst", what="No reply from Globex since 05 Nov", message_id=3,
    )  # fmt: skip
    ask = DatedAction(
        at=datetime(2026, 11, 24, 9, tzinfo=UTC), kind="feedback_request", employer="Initech",
        role=None, what="Ask Initech for feedback on your interview", message_id=4,
    )  # fmt: skip
    lines = week_lines(_input(dated=(ask, INTERVIEW, follow), timezone="Europe/London"))
    assert [line.kind for line in lines] == ["interview", "follow_up", "feedback_request"]
    assert lines[1].when == "Due Wed 2 Dec"
    assert lines[1].text == (
        "Follow up with Globex (Analyst): nothing heard since 5 Nov; a short, friendly note is fair."
    )
    assert lines[2].text == "Ask Initech for feedback: a draft is ready below."
