"""Alerts from each board, in its plain-text and its HTML form, parse to the same postings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bounceback.nlp.mail import parse_email
from bounceback.nlp.postings import (
    parse_postings,
    posted_at,
    role_key,
    salary_value,
    same_role,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "alerts"
EXPECTED: dict[str, list[dict[str, str | None]]] = json.loads(
    (FIXTURES / "expected.json").read_text(encoding="utf-8")
)
BOARDS = sorted(stem for stem in EXPECTED if (FIXTURES / f"{stem}.eml").exists())


def _as_dicts(stem: str, form: str) -> list[dict[str, str | None]]:
    parsed = parse_email((FIXTURES / f"{stem}.eml").read_bytes())
    text, html = (parsed.text, None) if form == "text" else ("", parsed.html)
    return [
        {"title": p.title, "company": p.company, "location": p.location, "salary": p.salary,
         "url": p.url, "posted": p.posted, "source": p.source}
        for p in parse_postings(parsed.subject, parsed.from_header, text, html)
    ]  # fmt: skip


def test_every_board_has_a_fixture() -> None:
    boards = {item["source"] for items in EXPECTED.values() for item in items}
    assert {"LinkedIn", "Indeed", "Glassdoor", "Reed", "Totaljobs", "CV-Library", "Seek",
            "ZipRecruiter", "Otta", "Welcome to the Jungle", "Hays"} <= boards  # fmt: skip
    assert len(BOARDS) >= 12


@pytest.mark.parametrize("form", ["text", "html"])
@pytest.mark.parametrize("stem", BOARDS)
def test_board_alert(stem: str, form: str) -> None:
    expected = EXPECTED.get(f"{stem}-{form}", EXPECTED[stem])
    assert _as_dicts(stem, form) == expected


def test_tracking_parameters_are_gone_but_job_keys_stay() -> None:
    urls = [p["url"] or "" for stem in BOARDS for p in _as_dicts(stem, "html")]
    assert all("utm_" not in u and "trk=" not in u and "tk=" not in u for u in urls)
    assert "https://uk.indeed.com/rc/clk?jk=a1b2c3d4e5f60718" in urls
    assert any("jobListingId=1009012345" in u for u in urls)


def test_the_same_role_from_two_boards_is_one_role() -> None:
    assert same_role("Data Analyst (Hybrid)", "Brightledger Ltd", "Data Analyst", "Brightledger")
    assert same_role("Sr. Data Analyst", "Kestrel Analytics", "Senior Data Analyst",
                     "Kestrel Analytics Limited")  # fmt: skip
    assert same_role("Data Analyst - Claims", "Holloway", "Data Analyst – Claims", "Holloway")
    assert not same_role("Data Analyst", "Brightledger", "Data Engineer", "Brightledger")
    assert not same_role("Data Analyst", "Brightledger", "Data Analyst", "Northwind")
    assert role_key("Data Analyst (Remote)", "Acme Ltd.") == role_key("data analyst", "ACME")


def test_salary_value_is_yearly() -> None:
    assert salary_value("£38,000 - £42,000 a year") == 42000
    assert salary_value("£40k - £45k/annum") == 45000
    assert salary_value("$32 - $38/hr") == 38 * 1800
    assert salary_value("Competitive") is None


def test_posted_at_reads_the_boards_wording() -> None:
    received = datetime(2026, 11, 18, 7, 30, tzinfo=UTC)
    assert posted_at("Just posted", received) == received
    assert posted_at("3 days ago", received) == datetime(2026, 11, 15, 7, 30, tzinfo=UTC)
    assert posted_at("Listed 3d ago", received) == datetime(2026, 11, 15, 7, 30, tzinfo=UTC)
    assert posted_at("24h", received) is None or posted_at("24h", received) <= received
    assert posted_at("Posted 21 November", received) == datetime(2025, 11, 21, 7, 30, tzinfo=UTC)
    assert posted_at("Posted 17 November", received) == datetime(2026, 11, 17, 7, 30, tzinfo=UTC)
    assert posted_at(None, received) is None
