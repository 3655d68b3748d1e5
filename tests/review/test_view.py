"""Pure pieces of the review page: priority, highlighting, spans, the chart, sanitising."""

from __future__ import annotations

from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest

from bounceback.review.chart import weekly_chart
from bounceback.review.location import Location
from bounceback.review.sanitize import clean_html, frame_document
from bounceback.review.view import (
    SpanError,
    SpanGap,
    gap_state,
    highlight,
    label_certainty,
    not_sure,
    resolve_span,
    sentence_spans,
    soft_breaks,
    sure_title,
    with_soft_breaks,
)
from bounceback.storage.review import QueueFilter, review_priority
from tests.review.corpus import XSS_PAYLOADS

BODY = "Thanks for coming in.\nYour SQL was weak. Your answers ran long.\nBest, Mara\n"


def test_priority_puts_coin_tosses_and_weak_gaps_first() -> None:
    sure = {"rejection": 0.98, "feedback": 0.02}
    torn = {"rejection": 0.55, "feedback": 0.02}
    assert review_priority(torn, []) < review_priority(sure, [])
    assert review_priority(sure, [0.52]) == 0.52
    assert review_priority(sure, []) == pytest.approx(0.98)
    assert review_priority({}, []) == 1.0, "mail that was never classified is not urgent"


def test_scores_become_plain_words_with_the_figure_for_hovering() -> None:
    assert label_certainty(0.2) == pytest.approx(0.8) and label_certainty(0.9) == 0.9
    assert not_sure(0.62) and not not_sure(0.7) and not not_sure(None)
    assert sure_title(0.615) == "bounceback was 62% sure"
    assert gap_state("auto", added=False) == "to check"
    assert gap_state("edited", added=True) == "added by you"
    assert gap_state("accepted", added=True) == "added by you"
    assert gap_state("dismissed", added=True) == "dismissed"


def test_hard_wrapped_paragraphs_reflow_but_lists_and_signatures_keep_their_lines() -> None:
    body = (
        "Thanks again for spending Thursday afternoon with the team. We enjoyed\n"
        "hearing about your project.\n"
        "\n"
        "What we would like to see more of in the next round of interviews:\n"
        "- SQL window functions\n"
        "- stakeholder stories\n"
        "All the best,\n"
        "Priya\n"
    )
    soft = soft_breaks(body)
    assert soft == {body.index("\nhearing")}, "only the paragraph's own wrap is soft"
    sql = body.index("hearing")
    pieces = highlight(body, [SpanGap(1, sql, sql + 7, "skill", "auto")])
    runs = with_soft_breaks(pieces, soft)
    assert "".join(text for piece in runs for text, _ in piece) == body, "no character lost"
    assert [(text, soft) for text, soft in runs[0] if soft] == [("\n", True)]


def test_sentences_for_keyboard_choice_are_spans_of_the_body() -> None:
    spans = sentence_spans(BODY)
    texts = [BODY[start:end] for start, end in spans]
    assert "Your SQL was weak." in texts and "Your answers ran long." in texts
    assert spans == sorted(spans)


def test_location_reads_a_url_and_drops_what_it_does_not_know() -> None:
    here = Location.from_url("/?label=feedback&status=all&category=skill&page=2&m=7&x=1")
    assert here == Location("feedback", "", "all", "skill", 2, 7)
    assert here.queue_filter == QueueFilter("feedback", None, None, "skill")
    assert Location.from_url(here.url()) == here
    assert Location.parse({"label": "<b>", "status": "x", "page": "-3", "m": "a"}) == Location()
    assert Location().url() == "/" and Location(message=3).url() == "/?m=3"


def test_highlight_keeps_every_character_and_marks_gaps() -> None:
    sql = BODY.index("Your SQL was weak.")
    long = BODY.index("Your answers ran long.")
    gaps = [
        SpanGap(2, long, long + 22, "communication", "auto"),
        SpanGap(1, sql, sql + 18, "skill", "accepted"),
        SpanGap(3, sql + 5, sql + 8, "skill", "auto"),  # overlaps gap 1: not drawn twice
    ]
    pieces = highlight(BODY, gaps)
    assert "".join(p.text for p in pieces) == BODY
    marked = [(p.gap_id, p.text) for p in pieces if p.gap_id]
    assert marked == [(1, "Your SQL was weak."), (2, "Your answers ran long.")]


def test_resolve_span_checks_and_repairs_browser_offsets() -> None:
    start = BODY.index("Your SQL")
    assert resolve_span(BODY, start, start + 18, "Your SQL was weak.") == (
        start,
        start + 18,
        "Your SQL was weak.",
    )
    # Off by one (a browser counted a line break differently): the text decides.
    assert resolve_span(BODY, start + 1, start + 19, "Your SQL was weak.")[0] == start
    # Form posts turn line breaks into CRLF.
    two_lines = "coming in.\nYour SQL"
    at = BODY.index(two_lines)
    assert resolve_span(BODY, at, at + len(two_lines), "coming in.\r\nYour SQL")[2] == two_lines
    assert resolve_span(BODY, start - 1, start + 18, None) == (
        start,
        start + 18,
        "Your SQL was weak.",
    )
    with pytest.raises(SpanError):
        resolve_span(BODY, 0, 5, "not in the email")
    with pytest.raises(SpanError):
        resolve_span(BODY, 5, 5, None)
    with pytest.raises(SpanError):
        resolve_span(BODY, 0, 999, None)


def test_weekly_chart_stacks_categories_per_week() -> None:
    points = [
        (datetime(2026, 11, 17, tzinfo=UTC), "skill"),
        (datetime(2026, 11, 18, tzinfo=UTC), "skill"),
        (datetime(2026, 11, 19, tzinfo=UTC), "fit"),
        (datetime(2026, 11, 24, tzinfo=UTC), "skill"),
        (datetime(2025, 1, 1, tzinfo=UTC), "skill"),  # outside the window
    ]
    chart = weekly_chart(points, weeks=4, today=date(2026, 11, 27))
    assert [(c, n) for c, n, _ in chart.totals] == [("skill", 3), ("fit", 1)]
    assert len(chart.bars) == 3
    tallest = max(b.height for b in chart.bars if "2026-W47: 2 skill" in b.title)
    assert tallest == pytest.approx(
        2 * max(b.height for b in chart.bars if "W48" in b.title), abs=0.2
    )
    assert weekly_chart([], weeks=4).bars == []


def test_weekly_chart_starts_at_the_first_week_with_data() -> None:
    points = [
        (datetime(2026, 10, 28, tzinfo=UTC), "skill"),  # ISO week 44
        (datetime(2026, 11, 18, tzinfo=UTC), "fit"),  # week 47
    ]
    chart = weekly_chart(points, weeks=52, today=date(2026, 11, 27))
    assert chart.weeks == 5 and chart.first == date(2026, 10, 26)
    assert [label for _, label in chart.ticks] == [
        "26 Oct",
        "02 Nov",
        "09 Nov",
        "16 Nov",
        "23 Nov",
    ]
    assert chart.width < 720, "five weeks are not stretched across the whole width"
    assert max(bar.width for bar in chart.bars) <= 72
    assert {bar.title for bar in chart.bars} == {"2026-W44: 1 skill", "2026-W47: 1 fit"}


class _Elements(HTMLParser):
    """Every (tag, attributes) in a fragment, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {name: value or "" for name, value in attrs}))


ACTIVE_TAGS = {
    "script",
    "svg",
    "math",
    "style",
    "link",
    "meta",
    "base",
    "iframe",
    "object",
    "embed",
    "form",
    "input",
    "button",
    "animate",
    "use",
    "frame",
    "template",
}
URL_ATTRIBUTES = {
    "src",
    "href",
    "srcset",
    "background",
    "action",
    "formaction",
    "data",
    "poster",
    "xlink:href",
    "cite",
    "srcdoc",
}


@pytest.mark.parametrize("name", sorted(XSS_PAYLOADS))
def test_sanitiser_leaves_nothing_active_or_remote(name: str) -> None:
    parser = _Elements()
    parser.feed(clean_html(XSS_PAYLOADS[name]))
    for tag, attributes in parser.found:
        assert tag not in ACTIVE_TAGS, (name, tag)
        assert not [a for a in attributes if a.startswith("on")], (name, tag, attributes)
        assert not set(attributes) & URL_ATTRIBUTES, (name, tag, attributes)
        style = attributes.get("style", "").lower()
        assert "url(" not in style and "\\" not in style, (name, style)


def test_sanitiser_keeps_ordinary_formatting() -> None:
    html = (
        '<table width="600"><tr><td style="color:#333;padding:8px;background:url(x)">Hi</td>'
        '</tr></table><p style="font-weight:bold;position:fixed">We were impressed</p>'
        '<a href="https://example.com/jobs">See roles</a>'
    )
    cleaned = clean_html(html)
    assert "<td>Hi</td>" in cleaned, "a style naming a URL is dropped whole"
    assert '<p style="font-weight:bold">We were impressed</p>' in cleaned
    assert "See roles" in cleaned and "example.com" not in cleaned
    document = frame_document(html)
    assert document.startswith("<!doctype html>") and "default-src 'none'" in document
