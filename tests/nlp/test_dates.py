"""Dates that matter in job mail: interviews, deadlines, replies owed; history is not."""

from __future__ import annotations

from datetime import UTC, datetime

from bounceback.nlp.dates import find_dates, reply_requested

SENT = datetime(2026, 11, 23, 15, 29, tzinfo=UTC)  # a Monday


def test_a_final_round_with_a_time_range_is_an_interview_in_the_users_zone() -> None:
    text = (
        "The final round is on site at our Farringdon office on Monday 30 November,\n"
        "from 09:30 to 12:00, and has three parts."
    )
    (found,) = find_dates(text, sent=SENT, zone="Europe/London", context="interview")
    assert found.kind == "interview"
    assert found.at == datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    assert not found.all_day and not found.tentative


def test_a_time_in_summer_is_read_in_british_summer_time() -> None:
    sent = datetime(2026, 6, 1, 9, tzinfo=UTC)
    (found,) = find_dates(
        "Your interview is on Tuesday 9 June at 10:00.",
        sent=sent,
        zone="Europe/London",
        context="interview",
    )
    assert found.at == datetime(2026, 6, 9, 9, 0, tzinfo=UTC)


def test_a_named_zone_wins_over_the_users_zone() -> None:
    sent = datetime(2026, 11, 5, 9, tzinfo=UTC)
    (found,) = find_dates(
        "Deadline: Wednesday 11 November 2026, 23:59 GMT",
        sent=sent,
        zone="America/New_York",
        context="assessment",
    )
    assert (found.kind, found.at) == ("assessment", datetime(2026, 11, 11, 23, 59, tzinfo=UTC))


def test_a_take_home_due_date_and_the_year_after_december() -> None:
    sent = datetime(2026, 12, 20, 9, tzinfo=UTC)
    (found,) = find_dates(
        "Please send your summary back by Monday 4 January.",
        sent=sent,
        zone="UTC",
        context="take_home",
    )
    assert found.kind == "take_home" and found.all_day
    assert found.at.date().isoformat() == "2027-01-04"


def test_thank_you_for_attending_is_not_a_future_interview() -> None:
    text = "Thank you for attending an interview on Monday 16 November at 10:00."
    assert find_dates(text, sent=SENT, zone="Europe/London", context="interview") == []
    text = "Thank you for attending on Friday 20 November. It was a pleasure."
    assert find_dates(text, sent=SENT, zone="Europe/London", context="interview") == []


def test_offered_slots_are_tentative_and_a_reply_is_owed() -> None:
    sent = datetime(2026, 10, 20, 9, tzinfo=UTC)
    text = (
        "Could you let me know which of these works for you?\n\n"
        "  - Friday 23 October, 10:00\n  - Thursday 29 October, 10:00\n"
    )
    found = find_dates(text, sent=sent, zone="Europe/London", context="interview")
    assert [f.tentative for f in found] == [True, True]
    # London leaves summer time on 25 October 2026: the same 10:00 is an hour apart in UTC
    assert found[0].at == datetime(2026, 10, 23, 9, 0, tzinfo=UTC)
    assert found[1].at == datetime(2026, 10, 29, 10, 0, tzinfo=UTC)
    assert reply_requested(text)


def test_a_start_date_in_an_offer_is_not_a_deadline() -> None:
    text = "Start date: Monday 11 January 2027, or earlier by agreement"
    (found,) = find_dates(text, sent=SENT, zone="Europe/London", context="offer")
    assert found.kind == "start_date"


def test_an_offer_deadline() -> None:
    text = "Please let us know whether you accept the offer by Friday 4 December."
    (found,) = find_dates(text, sent=SENT, zone="Europe/London", context="offer")
    assert found.kind == "offer_deadline"


def test_dates_in_rejections_and_plain_numbers_are_not_actions() -> None:
    text = "We received 240 applications for 3 roles; 12.5% were shortlisted."
    assert find_dates(text, sent=SENT, zone="UTC", context="interview") == []
