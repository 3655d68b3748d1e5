"""The "week at a glance" numbers and the bar charts drawn from them.

Charts are plain data (heights, colours, text bars); the templates turn them into
HTML tables with inline sizes and background colours, which survive Gmail and
Outlook, and into block characters for the plain-text part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bounceback.digest.model import WeekStats

#: (field on WeekStats, label, short label, colour for this week, lighter one for earlier weeks)
METRICS: tuple[tuple[str, str, str, str, str], ...] = (
    ("acknowledged", "Applications acknowledged", "Acknowledged", "#64748b", "#cbd5e1"),
    ("interviews", "Interview emails", "Interviews", "#2563eb", "#bfdbfe"),
    ("rejections", "Rejections", "Rejections", "#ea580c", "#fed7aa"),
    ("offers", "Offers", "Offers", "#16a34a", "#bbf7d0"),
    ("feedback", "Feedback received", "Feedback", "#7c3aed", "#ddd6fe"),
)

WEEKS_SHOWN = 8
COLUMN_HEIGHT = 36  # pixels for the tallest column in a metric's chart
TEXT_BAR_WIDTH = 8


@dataclass(frozen=True, slots=True)
class Column:
    """One week in a metric's column chart."""

    week: str
    short: str  # "W48"
    value: int
    height: int  # pixels, 0 for an empty week
    colour: str
    current: bool


@dataclass(frozen=True, slots=True)
class MetricRow:
    """One metric: this week's count, how it compares, and its recent weeks."""

    key: str
    label: str
    short: str
    colour: str
    value: int
    average: float | None  # weekly average over the earlier weeks shown, None without history
    change: str
    columns: tuple[Column, ...]
    text_bar: str


@dataclass(frozen=True, slots=True)
class Glance:
    """Everything section 1 shows."""

    rows: tuple[MetricRow, ...]
    first_week: str
    last_week: str
    earlier_weeks: int

    @property
    def total(self) -> int:
        """All events counted this week."""
        return sum(row.value for row in self.rows)

    def value(self, key: str) -> int:
        """This week's count for one metric."""
        return next(row.value for row in self.rows if row.key == key)


def _short_week(week: str) -> str:
    return week.rpartition("-")[2] or week


def _fmt_average(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _change(value: int, average: float | None) -> str:
    if average is None:
        return "first week on record"
    shown = _fmt_average(average)
    if abs(value - average) < 0.05:
        return f"same as usual ({shown} a week)"
    direction = "up from" if value > average else "down from"
    return f"{direction} {shown} a week"


def text_bar(value: int, largest: int, width: int = TEXT_BAR_WIDTH) -> str:
    """A bar of block characters, at least one block for any non-zero value."""
    if value <= 0 or largest <= 0:
        return ""
    return "▇" * max(1, round(width * value / largest))


def glance(history: Sequence[WeekStats], week: str) -> Glance:
    """Compare this week's counts with up to seven earlier weeks of `history`."""
    current_at = next((i for i, w in enumerate(history) if w.week == week), None)
    if current_at is None:
        # No row for this week yet (nothing happened): it counts as an empty week.
        weeks = [*history[-(WEEKS_SHOWN - 1) :], WeekStats(week=week)]
    else:
        weeks = list(history[max(0, current_at - WEEKS_SHOWN + 1) : current_at + 1])
    this, earlier = weeks[-1], weeks[:-1]
    last = len(weeks) - 1
    largest_now = max(getattr(this, key) for key, *_ in METRICS)
    rows = []
    for key, label, short, strong, light in METRICS:
        values = [getattr(w, key) for w in weeks]
        top = max(values)
        columns = tuple(
            Column(
                week=w.week,
                short=_short_week(w.week),
                value=v,
                height=round(COLUMN_HEIGHT * v / top) if top else 0,
                colour=strong if i == last else light,
                current=i == last,
            )
            for i, (w, v) in enumerate(zip(weeks, values, strict=True))
        )
        average = sum(values[:-1]) / len(earlier) if earlier else None
        rows.append(
            MetricRow(
                key=key,
                label=label,
                short=short,
                colour=strong,
                value=values[-1],
                average=average,
                change=_change(values[-1], average),
                columns=columns,
                text_bar=text_bar(values[-1], largest_now),
            )
        )
    return Glance(
        rows=tuple(rows),
        first_week=weeks[0].week,
        last_week=this.week,
        earlier_weeks=len(earlier),
    )
