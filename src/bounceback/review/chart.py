"""The gaps-over-time chart: stacked weekly bars as plain numbers for an SVG template."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bounceback.nlp.taxonomy import GAP_CATEGORIES
from bounceback.review.view import CATEGORY_COLOURS

HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 220, 34, 26, 10, 8
#: Bars never get wider than this (a few weeks of data should not look like a wall).
MAX_STEP = 72.0
MAX_WIDTH = 720


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
    first: date | None  # Monday of the first week shown


def monday(day: date) -> date:
    """The Monday of day's ISO week."""
    return day - timedelta(days=day.weekday())


def _weeks(gaps: Sequence[tuple[datetime, str]], limit: int, today: date) -> list[date]:
    """Mondays from the first week with data (at most ``limit`` weeks back) to this week."""
    end = monday(today)
    earliest = end - timedelta(weeks=limit - 1)
    dated = [monday(received.date()) for received, _ in gaps]
    start = max(min(dated, default=end), earliest)
    return [start + timedelta(weeks=n) for n in range((end - start).days // 7 + 1)]


def _label(week: date) -> str:
    iso = week.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def weekly_chart(
    gaps: Sequence[tuple[datetime, str]], *, weeks: int = 52, today: date | None = None
) -> Chart:
    """Gaps per ISO week and category, from the first week with data (at most ``weeks``)."""
    mondays = _weeks(gaps, weeks, today or date.today())
    counts: dict[date, Counter[str]] = {week: Counter() for week in mondays}
    totals: Counter[str] = Counter()
    for received, category in gaps:
        week = monday(received.date())
        if week in counts:
            counts[week][category] += 1
            totals[category] += 1
    step = min(MAX_STEP, (MAX_WIDTH - LEFT - RIGHT) / len(mondays))
    width = round(LEFT + RIGHT + step * len(mondays))
    plot = HEIGHT - BOTTOM - TOP
    tallest = max([sum(c.values()) for c in counts.values()] + [1])
    every = 1 if len(mondays) <= 8 else 4
    bars: list[Bar] = []
    ticks: list[tuple[float, str]] = []
    for index, week in enumerate(mondays):
        x = LEFT + index * step + 2
        y = float(HEIGHT - BOTTOM)
        for category in GAP_CATEGORIES:
            count = counts[week][category]
            if not count:
                continue
            size = plot * count / tallest
            y -= size
            title = f"{_label(week)}: {count} {category}"
            colour = CATEGORY_COLOURS[category]
            bars.append(
                Bar(round(x, 1), round(y, 1), round(step - 4, 1), round(size, 1), colour, title)
            )
        if index % every == 0:
            ticks.append((round(x + (step - 4) / 2, 1), week.strftime("%d %b")))
    grid_step = max(1, -(-tallest // 4))
    gridlines = [
        (round(HEIGHT - BOTTOM - plot * n / tallest, 1), n)
        for n in range(0, tallest + 1, grid_step)
    ]
    legend = [(c, totals[c], CATEGORY_COLOURS[c]) for c in GAP_CATEGORIES if totals[c]]
    first = mondays[0] if gaps else None
    return Chart(width, HEIGHT, bars, ticks, gridlines, legend, len(mondays), first)
