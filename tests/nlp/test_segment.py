"""Segmentation keeps exact offsets and tight spans."""

from __future__ import annotations

import pytest

from bounceback.nlp.segment import segment

BODY = """Dear Sam,

Thank you for interviewing with us. Unfortunately, we will not be progressing your
application; the panel felt your SQL was not yet at the level needed, e.g. joins.

Feedback from the panel:
- Your answers lacked concrete examples with measurable results
  * It would have helped to research our product line.
1. Your presentation was clear and well paced, but the structure of your answers could be tighter.
> On Monday, Sam wrote:
> I would love some feedback.
Kind regards,
Jo
"""


def test_every_segment_is_the_exact_body_slice() -> None:
    segments = segment(BODY)
    assert segments
    for seg in segments:
        assert BODY[seg.start : seg.end] == seg.text
        assert seg.text == seg.text.strip()


def test_splits_sentences_semicolons_and_bullets_but_not_clauses() -> None:
    texts = [seg.text for seg in segment(BODY)]
    assert texts == [
        "Dear Sam,",
        "Thank you for interviewing with us.",
        "Unfortunately, we will not be progressing your\napplication",
        "the panel felt your SQL was not yet at the level needed, e.g. joins.",
        "Feedback from the panel:",
        "Your answers lacked concrete examples with measurable results",
        "It would have helped to research our product line.",
        # A whole point is one span, across commas (issue 11): no split at ", but".
        "Your presentation was clear and well paced, but the structure of your answers could"
        " be tighter.",
        "Kind regards,",
        "Jo",
    ]


def test_quoted_history_is_skipped() -> None:
    assert all("would love some feedback" not in seg.text for seg in segment(BODY))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", []),
        ("   \n\n  ", []),
        ("• Limited experience leading a team", ["Limited experience leading a team"]),
        ("a) weak SQL\nb) no portfolio", ["weak SQL", "no portfolio"]),
        ("Great! Really? Yes.", ["Great!", "Really?", "Yes."]),
        ("Mr. Smith met Dr. Jones.", ["Mr. Smith met Dr. Jones."]),
    ],
)
def test_edge_cases(body: str, expected: list[str]) -> None:
    segments = segment(body)
    assert [seg.text for seg in segments] == expected
    assert all(body[seg.start : seg.end] == seg.text for seg in segments)


def test_crlf_bodies_keep_offsets() -> None:
    body = "Hi,\r\n\r\n- Too little Kubernetes experience.\r\n- Salary above band.\r\n"
    segments = segment(body)
    assert [s.text for s in segments] == [
        "Hi,",
        "Too little Kubernetes experience.",
        "Salary above band.",
    ]
    assert all(body[s.start : s.end] == s.text for s in segments)


def test_a_semicolon_inside_a_point_joins_it_but_one_after_the_decision_splits() -> None:
    body = (
        "Your joins were slow to come; the panel expected you to get there with practice.\n\n"
        "Sadly we have decided not to offer you the post; the panel felt your Excel was weak."
    )
    assert [seg.text for seg in segment(body)] == [
        "Your joins were slow to come; the panel expected you to get there with practice.",
        "Sadly we have decided not to offer you the post",
        "the panel felt your Excel was weak.",
    ]


def test_a_colon_after_the_decision_ends_it_but_not_inside_a_point() -> None:
    body = (
        "We've decided not to progress: the dashboards lacked any commentary on what the "
        "numbers meant. Their feedback: your SQL was solid."
    )
    texts = [s.text for s in segment(body)]
    assert texts == [
        "We've decided not to progress",
        "the dashboards lacked any commentary on what the numbers meant.",
        "Their feedback: your SQL was solid.",
    ]
    assert [s.text for s in segment("Interview at 10:30 tomorrow.")] == [
        "Interview at 10:30 tomorrow."
    ]


def test_no_is_an_abbreviation_only_before_a_number() -> None:
    texts = [s.text for s in segment("It's a no. They wanted more. Flat No. 5 is ours.")]
    assert texts == ["It's a no.", "They wanted more.", "Flat No. 5 is ours."]


def test_a_greeting_on_the_first_sentences_line_is_not_part_of_it() -> None:
    body = "Hi Sam, the panel wondered whether you'd stay.\nMorning shifts, sadly, were the issue."
    assert [s.text for s in segment(body)] == [
        "the panel wondered whether you'd stay.",
        "Morning shifts, sadly, were the issue.",
    ]
    assert [s.text for s in segment("Hi Sam,")] == ["Hi Sam,"]
