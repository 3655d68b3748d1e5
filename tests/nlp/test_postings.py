"""`parse_postings` on the bundled alert samples and on generic lists."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from bounceback.nlp.mail import parse_email
from bounceback.nlp.postings import (
    BOARD_PARSERS,
    clean_url,
    parse_postings,
    register_board,
    source_for,
)
from bounceback.nlp.records import JobPosting

SAMPLES = Path(__file__).parents[2] / "src" / "bounceback" / "demo" / "samples"
TRACKING = {"utm_source", "utm_medium", "utm_campaign", "trk", "refId", "trackingId", "tk"}

ALERTS = {
    "02-alert-jobharbour-data-analyst": ("JobHarbour", 4),
    "07-alert-seekdeck-analyst": ("SeekDeck", 5),
    "13-agency-calderfinch-roles": ("Calder & Finch", 4),
    "18-alert-jobharbour-product-analyst": ("JobHarbour", 3),
    "24-alert-seekdeck-data-analyst": ("SeekDeck", 4),
    "31-alert-jobharbour-analyst-week48": ("JobHarbour", 5),
    "36-alert-seekdeck-week48": ("SeekDeck", 6),
}


def _postings(stem: str) -> list[JobPosting]:
    parsed = parse_email((SAMPLES / f"{stem}.eml").read_bytes())
    return parse_postings(parsed.subject, parsed.from_header, parsed.text, parsed.html)


@pytest.mark.parametrize("stem", sorted(ALERTS))
def test_sample_alert_postings(stem: str) -> None:
    source, count = ALERTS[stem]
    postings = _postings(stem)
    assert len(postings) == count
    for posting in postings:
        assert posting.source == source
        assert posting.title and posting.company and posting.location
        assert posting.url is not None and posting.url.startswith("https://")
        assert not TRACKING & set(parse_qs(urlsplit(posting.url).query))


def test_jobharbour_fields() -> None:
    first, second, *_ = _postings("02-alert-jobharbour-data-analyst")
    assert first == JobPosting(
        title="Data Analyst",
        company="Brightledger",
        location="Manchester, England, United Kingdom (Hybrid)",
        salary=None,
        url="https://www.jobharbour.example/comm/jobs/view/4410023/",
        source="JobHarbour",
    )
    assert second.salary == "£42,000 - £48,000"


def test_seekdeck_keeps_the_job_key() -> None:
    posting = _postings("07-alert-seekdeck-analyst")[0]
    assert (posting.title, posting.company, posting.location) == (
        "Product Analyst", "Saltmarsh Foods", "Bristol",
    )  # fmt: skip
    assert posting.salary == "£42,000 - £48,000 a year"
    assert posting.url == "https://uk.seekdeck.example/rc/clk?jk=8a7f3c21d0"


def test_agency_mailer_fields_and_no_signature_posting() -> None:
    postings = _postings("13-agency-calderfinch-roles")
    assert postings[0].salary == "£55,000 - £62,000"
    assert postings[0].location == "London (2 days in office)"
    assert all("Maya" not in posting.title for posting in postings)


def test_same_role_on_two_boards_is_recognisable() -> None:
    harbour = {(p.title, p.company) for p in _postings("31-alert-jobharbour-analyst-week48")}
    seek = {(p.title, p.company) for p in _postings("36-alert-seekdeck-week48")}
    assert harbour & seek == {
        ("Senior Data Analyst", "Kestrel Analytics"),
        ("Commercial Analyst", "Ridgeback Retail"),
    }


def test_non_alert_from_a_board_sender_has_no_postings() -> None:
    assert _postings("19-hardneg-profile-views") == []
    assert _postings("28-forwarded-rejection-fernway") == []


def test_generic_fallback_for_unknown_sender() -> None:
    text = (
        "This week's picks:\n\n"
        "- Data Analyst — Brightwater Labs — Leeds\n"
        "  https://jobs.example.org/123?utm_source=x&id=9\n"
        "- BI Developer – Nimbus Co – Remote – £50k\n"
        "https://jobs.example.org/456?trk=abc\n"
        "Unsubscribe https://x.example/unsub\n"
    )
    postings = parse_postings("picks", "Jobs Weekly <news@jobsweekly.example>", text, None)
    assert [(p.title, p.company, p.location, p.salary, p.url) for p in postings] == [
        ("Data Analyst", "Brightwater Labs", "Leeds", None, "https://jobs.example.org/123?id=9"),
        ("BI Developer", "Nimbus Co", "Remote", "£50k", "https://jobs.example.org/456"),
    ]
    assert {p.source for p in postings} == {"Jobs Weekly"}


def test_generic_fallback_reads_html_when_there_is_no_text() -> None:
    html = "<ul><li>Data Analyst | Fenwick Retail | Nottingham <a href='https://f.example/j/1?utm_medium=e'>https://f.example/j/1?utm_medium=e</a></li></ul>"
    postings = parse_postings("jobs", "careers@fenwick.example", "", html)
    assert [(p.title, p.company, p.url) for p in postings] == [
        ("Data Analyst", "Fenwick Retail", "https://f.example/j/1")
    ]


@pytest.mark.parametrize(
    ("sender", "source"),
    [
        ("JobHarbour Job Alerts <jobalerts-noreply@jobharbour.example>", "JobHarbour"),
        ("alert@SEEKDECK.example", "SeekDeck"),
        ("jobalerts-noreply@linkedin.com", "LinkedIn"),
        ("Indeed <alert@match.indeed.com>", "Indeed"),
        ("someone@example.com", None),
        ("no address at all", None),
    ],
)
def test_source_for(sender: str, source: str | None) -> None:
    assert source_for(sender) == source


def test_clean_url_keeps_meaningful_params() -> None:
    url = "https://x.example/view?jk=1&utm_source=a&refId=b&trackingId=c&trk=d&page=2#frag"
    assert clean_url(url) == "https://x.example/view?jk=1&page=2"


def test_register_board_adds_a_parser() -> None:
    @register_board("Test Board")
    def _parser(text: str, html: str | None) -> list[JobPosting]:
        return []

    try:
        assert BOARD_PARSERS["Test Board"] is _parser
    finally:
        del BOARD_PARSERS["Test Board"]
