"""A posting's list of requirements in a job alert or pitch is no feedback on the reader."""

from __future__ import annotations

from bounceback.nlp.analyzer import Analyzer
from bounceback.nlp.records import EmailText

_PITCH = (
    "Hi Tom,\n\nGot a nights Warehouse Supervisor job in Doncaster that could suit you.\n\n"
    "They need:\n- Supervisory experience for a team of 20+ pickers\n"
    "- WMS experience (SAP or similar) - training given on their system\n"
    "- Counterbalance licence\n- Calm under pressure with drivers and agency staff\n\n"
    "£34k, Sunday to Thursday. Want me to put you forward?\n\nLee\nDepot People"
)


def test_the_requirements_of_a_pitch_are_no_gaps(analyzer: Analyzer) -> None:
    result = analyzer.analyze_one(
        EmailText(
            id="pitch",
            subject="Warehouse Supervisor - nights - Doncaster",
            sender="Lee Hart <lee.hart@depotpeople.co.uk>",
            body=_PITCH,
        )
    )
    assert "job_alert" in result.labels
    assert result.gaps == ()
    assert "feedback" not in result.labels


def test_a_rejection_that_lists_what_was_missing_keeps_its_gaps(analyzer: Analyzer) -> None:
    body = (
        "Hi Sam,\n\nThank you for interviewing for the Team Lead role. Unfortunately we have "
        "decided not to move forward with your application. The panel felt you haven't "
        "led a team of this size before, and your answers on rota planning were quite "
        "general.\n\nBest,\nDana"
    )
    result = analyzer.analyze_one(
        EmailText(id="r", subject="Team Lead", sender="Dana <dana@brightdesk.io>", body=body)
    )
    assert "rejection" in result.labels
    assert result.gaps


_SENT = (
    "Your application was sent to Harrow Vale Foods\n\nStock Controller\nHarrow Vale Foods · "
    "Hull, England\n\nApplied on 2 December 2026\n\nView application\n\nMore jobs for you\n\n"
    "- Inventory Analyst · Brough Logistics · Hull\n- Warehouse Supervisor · Keel Freight · "
    "Goole\n- Stores Coordinator · Humber Marine · Grimsby\n\nSee all jobs"
)


def test_a_confirmation_with_suggestions_under_it_is_no_alert(analyzer: Analyzer) -> None:
    result = analyzer.analyze_one(
        EmailText(
            id="sent",
            subject="Sam, your application was sent to Harrow Vale Foods",
            sender="LinkedIn <jobs-noreply@linkedin.com>",
            body=_SENT,
        )
    )
    assert result.labels == ("application_received",)


def test_a_confirmation_whose_subject_offers_jobs_keeps_the_alert(analyzer: Analyzer) -> None:
    result = analyzer.analyze_one(
        EmailText(
            id="sent",
            subject="Application sent to Harrow Vale Foods - and 3 more jobs for you",
            sender="LinkedIn <jobs-noreply@linkedin.com>",
            body=_SENT,
        )
    )
    assert "application_received" in result.labels
    assert "job_alert" in result.labels
