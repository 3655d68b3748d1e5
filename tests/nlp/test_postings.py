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
    "02-alert-linkedin-data-analyst": ("LinkedIn", 4),
    "07-alert-indeed-analyst": ("Indeed", 5),
    "13-agency-calderfinch-roles": ("Calder & Finch", 4),  # the generic parser, named by sender
    "18-alert-linkedin-product-analyst": ("LinkedIn", 3),
    "24-alert-indeed-data-analyst": ("Indeed", 4),
    "31-alert-linkedin-analyst-week48": ("LinkedIn", 5),
    "36-alert-indeed-week48": ("Indeed", 6),
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


def test_linkedin_fields() -> None:
    first, second, *_ = _postings("02-alert-linkedin-data-analyst")
    assert first == JobPosting(
        title="Data Analyst",
        company="Brightledger",
        location="Manchester, England, United Kingdom (Hybrid)",
        salary=None,
        url="https://www.linkedin.com/comm/jobs/view/4010023411/",
        source="LinkedIn",
    )
    assert second.salary == "£42K/yr - £48K/yr"


def test_indeed_keeps_the_job_key_and_drops_its_trackers() -> None:
    posting = _postings("07-alert-indeed-analyst")[0]
    assert (posting.title, posting.company, posting.location) == (
        "Product Analyst", "Saltmarsh Foods", "Bristol",
    )  # fmt: skip
    assert posting.salary == "£42,000 - £48,000 a year"
    assert posting.url == "https://uk.indeed.com/rc/clk/dl?jk=8a7f3c21d0e41b92"
    assert posting.posted == "Just posted"


def test_agency_mailer_fields_and_no_signature_posting() -> None:
    """An agency no parser knows: the generic one reads it, named after the sender's firm."""
    postings = _postings("13-agency-calderfinch-roles")
    assert {p.source for p in postings} == {"Calder & Finch"}
    assert postings[0].salary == "£55,000 - £62,000"
    assert postings[0].location == "London (2 days in office)"
    assert all("Maya" not in posting.title for posting in postings)


def test_same_role_on_two_boards_is_recognisable() -> None:
    linkedin = {(p.title, p.company) for p in _postings("31-alert-linkedin-analyst-week48")}
    indeed = {(p.title, p.company) for p in _postings("36-alert-indeed-week48")}
    assert linkedin & indeed == {
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
        ("LinkedIn Job Alerts <jobalerts-noreply@linkedin.com>", "LinkedIn"),
        ("alert@INDEED.com", "Indeed"),
        ("Maya Tran at Calder & Finch <maya@calderfinch.example>", None),
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
