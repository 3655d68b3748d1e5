"""The digest builder with untrusted text: feedback-request links, postings, escaping."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from html.parser import HTMLParser

from bounceback.digest.build import build_digest
from bounceback.digest.model import DigestInput
from bounceback.mail.message import EmailData
from tests.support.digest_pages import (
    decode_mailto,
    gap_item,
    mailto_links,
    page_section,
    posting_item,
)


def test_feedback_requests_mailto_round_trip(digest: EmailData) -> None:
    links = mailto_links(digest.html)
    assert len(links) == 2
    address, params = decode_mailto(links[0])  # after an interview comes first
    assert address == "priya.shah@initech.example"
    assert params["subject"] == "Re: Interview outcome – Reporting Analyst & next steps"
    body = params["body"]
    assert body.startswith("Hi Priya,\r\n\r\nThank you for letting me know about the ")
    assert "Reporting Analyst role at Initech" in body
    assert "feedback on my interview" in body
    assert body.endswith("Best wishes,\r\nSam")
    assert "\n" not in body.replace("\r\n", "")
    address, params = decode_mailto(links[1])
    assert address == "careers@globex.example"
    assert params["body"].startswith("Hello Globex team,")  # not "Hi Globex,"
    assert "feedback on my application" in params["body"]
    # The same draft is readable in the plain-text part.
    assert "To: priya.shah@initech.example" in digest.text
    assert "  | Hi Priya," in digest.text


def test_reply_subject_is_not_doubled(digest_input: DigestInput) -> None:
    rejection = replace(digest_input.silent_rejections[0], subject="RE: Data Analyst")
    page = build_digest(replace(digest_input, silent_rejections=(rejection,))).html
    _, params = decode_mailto(mailto_links(page)[0])
    assert params["subject"] == "RE: Data Analyst"


def test_postings_ranked_deduplicated_and_safe(digest: EmailData) -> None:
    section = page_section(digest.html, 6)
    assert section.count("Senior Data Analyst") == 1
    assert section.index("Senior Data Analyst") < section.index("SQL Developer")
    assert section.index("SQL Developer") < section.index("Marketing Coordinator")
    kept = [url for url in ("https://j.example/7", "https://k.example/7") if url in section]
    assert len(kept) == 1
    assert re.search(rf'<a class="link"[^>]* href="{re.escape(kept[0])}"', section)
    assert "2 of 3 match your target roles or the skills in your feedback" in section
    assert "Acme · London · £55,000" in section
    assert "Why: mentions data analyst" in section
    assert "asks for SQL, which your feedback named" in section  # a skill from the feedback
    assert "javascript:" not in digest.html
    text = page_section(digest.text, 6)
    assert kept[0] in text
    assert "javascript:" not in text


def test_untrusted_text_is_escaped_in_html(digest_input: DigestInput) -> None:
    evil_gap = gap_item(
        99,
        "skill",
        "<script>alert('gap')</script> needs more SQL",
        "SQL<b>",
        '"onerror=alert(1) <img src=x>',
        "Analyst</td><td>",
        datetime(2026, 11, 27),
    )
    evil_posting = posting_item(
        '<img src=x onerror="alert(2)">',
        '"onerror=x',
        "<b>Leeds</b>",
        None,
        'https://jobs.example/"onmouseover="alert(3)',
        "Evil<script>",
    )
    evil_rejection = replace(
        digest_input.silent_rejections[0],
        company='"onerror=alert(4)',
        sender_name="<script>x</script>",
        subject='<script>alert(5)</script>"',
    )
    data = replace(
        digest_input,
        user_name="<b>Sam</b>",
        week_gaps=(evil_gap,),
        all_gaps=(*digest_input.all_gaps, evil_gap),
        postings=(evil_posting,),
        silent_rejections=(evil_rejection,),
    )
    page = build_digest(data).html
    assert "<script>" not in page
    assert "<img" not in page
    assert "</td><td>" not in page
    assert "<b>Sam</b>" not in page
    # Parse the page as a browser would: no element or attribute came from the email text.
    tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append((tag, attrs))

    Collect().feed(page)
    assert not {t for t, _ in tags} & {"script", "img", "b", "iframe"}
    assert not [name for _, attrs in tags for name, _ in attrs if name.startswith("on")]
    hrefs = [value or "" for _, attrs in tags for name, value in attrs if name == "href"]
    assert not [h for h in hrefs if h.startswith(("javascript:", "https://jobs.example/"))]
    assert "&lt;script&gt;alert('gap')&lt;/script&gt;" in page  # shown as text
    assert '"onerror=alert(1) &lt;img src=x&gt;' in page
    _, params = decode_mailto(mailto_links(page)[0])
    assert params["subject"] == 'Re: <script>alert(5)</script>"'
