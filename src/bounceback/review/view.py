"""Pure helpers behind the review page: queue priority, highlighted text, spans, the chart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bounceback.nlp.taxonomy import GAP_CATEGORIES, LABELS

#: One colour per gap category, shared by the highlights, the chips and the chart.
CATEGORY_COLOURS: dict[str, str] = {
    "skill": "#3b6fd8",
    "experience": "#8a4fd0",
    "communication": "#d0613b",
    "preparation": "#c99a16",
    "motivation": "#d43f7c",
    "evidence": "#1f9a8a",
    "fit": "#5f7a2a",
}


def review_priority(scores: dict[str, float], gap_confidences: Iterable[float]) -> float:
    """How sure the model was about a message, 0 (a coin toss) to 1; the queue sorts by it.

    A label score near 0.5 and a barely kept gap both mean "look at this first".
    """
    margins = [abs(float(scores.get(label, 0.0)) - 0.5) * 2 for label in LABELS]
    return round(min([*margins, *gap_confidences, 1.0]), 4)


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of the email text, highlighted when it belongs to a gap."""

    text: str
    gap_id: int | None = None
    category: str | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class SpanGap:
    """What highlighting needs to know about a gap."""

    id: int
    start: int
    end: int
    category: str
    status: str


def highlight(body: str, gaps: Sequence[SpanGap]) -> list[Piece]:
    """Split ``body`` into plain and highlighted pieces; overlaps go to the earlier gap."""
    pieces: list[Piece] = []
    position = 0
    for gap in sorted(gaps, key=lambda g: (g.start, g.end)):
        start, end = max(gap.start, position), min(gap.end, len(body))
        if start >= end:
            continue
        if start > position:
            pieces.append(Piece(body[position:start]))
        pieces.append(Piece(body[start:end], gap.id, gap.category, gap.status))
        position = end
    if position < len(body):
        pieces.append(Piece(body[position:]))
    return pieces


class SpanError(ValueError):
    """A selected span does not match the email text."""


def resolve_span(body: str, start: int, end: int, text: str | None) -> tuple[int, int, str]:
    """Check a span chosen in the browser against the body; trims surrounding whitespace.

    Browsers may count characters differently (line endings), so when ``text`` is given
    and ``body[start:end]`` differs, the occurrence of ``text`` nearest ``start`` wins.
    """
    if text is not None and "\r" not in body:
        text = text.replace("\r\n", "\n")  # form posts send line breaks as CRLF
    if text is not None and text.strip() and body[start:end] != text:
        wanted = text.strip()
        hits = []
        at = body.find(wanted)
        while at != -1:
            hits.append(at)
            at = body.find(wanted, at + 1)
        if not hits:
            raise SpanError("the selected text is not in this email's text")
        start = min(hits, key=lambda hit: abs(hit - start))
        end = start + len(wanted)
    if not 0 <= start < end <= len(body):
        raise SpanError("select some of the email's text first")
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    if start == end:
        raise SpanError("select some of the email's text first")
    return start, end, body[start:end]


@dataclass(frozen=True, slots=True)
class Bar:
    """One stacked segment of the weekly chart, in SVG units."""

    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True, slots=True)
class Chart:
    """The gaps-over-time chart, ready for the SVG template."""

    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # (x, label) under the axis
    gridlines: list[tuple[float, int]]  # (y, count)
    totals: list[tuple[str, int, str]]  # (category, count, colour) for the legend
    weeks: int


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_chart(
    gaps: Sequence[tuple[datetime, str]], *, weeks: int = 26, today: date | None = None
) -> Chart:
    """Gaps per ISO week and category over the last ``weeks`` weeks, as stacked bars."""
    end = _monday(today or date.today())
    first = end - timedelta(weeks=weeks - 1)
    counts: dict[date, Counter[str]] = {first + timedelta(weeks=n): Counter() for n in range(weeks)}
    totals: Counter[str] = Counter()
    for received, category in gaps:
        week = _monday(received.date())
        if week in counts:
            counts[week][category] += 1
            totals[category] += 1
    width, height, left, bottom, top = 720, 220, 34, 26, 10
    plot = height - bottom - top
    tallest = max([sum(c.values()) for c in counts.values()] + [1])
    step = (width - left - 8) / weeks
    bars: list[Bar] = []
    ticks: list[tuple[float, str]] = []
    for index, (week, counter) in enumerate(sorted(counts.items())):
        x = left + index * step + 2
        y = float(height - bottom)
        for category in GAP_CATEGORIES:
            if not counter[category]:
                continue
            size = plot * counter[category] / tallest
            y -= size
            iso = week.isocalendar()
            bars.append(
                Bar(
                    round(x, 1),
                    round(y, 1),
                    round(step - 4, 1),
                    round(size, 1),
                    CATEGORY_COLOURS[category],
                    f"{iso.year}-W{iso.week:02d}: {counter[category]} {category}",
                )
            )
        if index % 4 == 0:
            ticks.append((round(x + (step - 4) / 2, 1), week.strftime("%d %b")))
    grid_step = max(1, -(-tallest // 4))
    gridlines = [
        (round(height - bottom - plot * n / tallest, 1), n)
        for n in range(0, tallest + 1, grid_step)
    ]
    legend = [(c, totals[c], CATEGORY_COLOURS[c]) for c in GAP_CATEGORIES if totals[c]]
    return Chart(width, height, bars, ticks, gridlines, legend, weeks)
