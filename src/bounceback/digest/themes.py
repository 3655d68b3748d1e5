"""Feedback grouped for the digest: themes (one per skill, topic or category) and
per-category counts with their four-week trend.

Pure: gap items in, themes and counts out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bounceback.digest.model import GapItem
from bounceback.digest.playbook import RECENT_DAYS, Theme
from bounceback.digest.plays import CATEGORY_PHRASES, CATEGORY_TITLES
from bounceback.nlp.taxonomy import GAP_CATEGORIES

#: Below this the model is unsure of a feedback point: it needs the user's word (or a
#: second employer saying the same) before a next step is built on it.
TRUSTED_CONFIDENCE = 0.7
CONFIRMED = frozenset({"accepted", "edited"})

#: Feedback that names the same thing in other words: one theme, whatever the model's
#: skill label ("examples", "metrics and impact") or category said.
TOPICS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("stakeholder management", "skill", re.compile(r"\bstakeholder", re.IGNORECASE)),
    (
        "numbers and results in your examples",
        "evidence",
        re.compile(
            r"\b(?:examples?|star)\b.*\b(?:numbers?|results?|metrics?|impact)\b"
            r"|\b(?:numbers?|results?|metrics?|impact)\b.*\b(?:examples?|star)\b"
            r"|\bwith a number\b|\blacked results\b",
            re.IGNORECASE | re.DOTALL,
        ),
    ),
)
#: Skill labels that are not skills: folded into the topic above.
_NOT_SKILLS = {"examples": 1, "metrics and impact": 1, "results": 1, "impact": 1}


@dataclass(frozen=True, slots=True)
class CategoryCount:
    """How often one gap category has come up across all feedback."""

    category: str
    title: str
    mentions: int
    employers: int
    percent: int  # bar width relative to the most frequent category
    recent: int = 0  # mentions in the last four weeks
    trend: str = ""  # "rising", "steady", "easing" or "new", comparing four-week windows


def employer_key(gap: GapItem) -> str:
    """Who a gap came from, for counting distinct employers."""
    if gap.company and gap.company.strip():
        return gap.company.strip().casefold()
    # Unknown company: count each email as its own employer rather than merging them.
    return f"?{gap.subject}|{gap.received_at.isoformat()}"


def themes(all_gaps: Iterable[GapItem], week_gaps: Iterable[GapItem], now: datetime) -> list[Theme]:
    """Group feedback by skill (or category), most employers first, then most recent."""
    this_week = {g.gap_id for g in week_gaps}
    groups: dict[str, list[GapItem]] = {}
    topics: dict[str, tuple[str, str]] = {}
    for gap in all_gaps:
        topic = _topic(gap)
        if topic is not None:
            key = f"topic:{topic[0]}"
            topics[key] = topic
        elif gap.skill and gap.skill.casefold() not in _NOT_SKILLS:
            key = f"skill:{gap.skill.casefold()}"
        else:
            key = f"category:{gap.category}"
        groups.setdefault(key, []).append(gap)
    recent_since = now - timedelta(days=RECENT_DAYS)
    result = []
    for key, gaps in groups.items():
        gaps.sort(key=lambda g: (g.received_at, g.gap_id), reverse=True)
        category = _most_common(g.category for g in gaps)
        skill = _most_common(g.skill for g in gaps if g.skill) if key.startswith("skill:") else None
        label = skill or CATEGORY_PHRASES.get(category, category)
        if key in topics:
            label, category = topics[key]
            skill = label if category == "skill" else None
        result.append(
            Theme(
                key=key,
                label=label,
                category=category,
                skill=skill,
                gaps=tuple(gaps),
                employers=len({employer_key(g) for g in gaps}),
                recent_employers=len(
                    {employer_key(g) for g in gaps if g.received_at >= recent_since}
                ),
                this_week=sum(1 for g in gaps if g.gap_id in this_week),
            )
        )
    result.sort(key=lambda t: (-t.employers, -len(t.gaps), -t.latest.timestamp(), t.key))
    return result


def _topic(gap: GapItem) -> tuple[str, str] | None:
    """The named topic a gap's words belong to, whatever label the model gave it."""
    for label, category, pattern in TOPICS:
        if pattern.search(gap.text) or (gap.skill and pattern.search(gap.skill)):
            return label, category
    if gap.skill and gap.skill.casefold() in _NOT_SKILLS:
        return TOPICS[1][0], TOPICS[1][1]
    return None


def trusted_theme(theme: Theme) -> bool:
    """Sure enough to build a next step on: one point the model is sure of or the user
    confirmed, or two employers saying the same thing."""
    return theme.employers >= 2 or any(
        g.status in CONFIRMED or g.confidence >= TRUSTED_CONFIDENCE for g in theme.gaps
    )


def _most_common(values: Iterable[str]) -> str:
    counts = Counter(values)
    # Ties go to the taxonomy order, then alphabetical, so the result never depends on input order.
    order = {c: i for i, c in enumerate(GAP_CATEGORIES)}
    return min(counts, key=lambda v: (-counts[v], order.get(v, len(order)), v))


TREND_WINDOW = timedelta(weeks=4)
TREND_LABELS = {"new": "new", "rising": "▲ rising", "steady": "● steady", "easing": "▼ easing"}
TREND_COLOURS = {"new": "#b45309", "rising": "#c2410c", "steady": "#6b7280", "easing": "#15803d"}


def trend(recent: int, before: int) -> str:
    """How a count moved between the last four weeks and the four before them."""
    if recent and not before:
        return "new"
    if recent > before:
        return "rising"
    if recent < before:
        return "easing"
    return "steady" if recent else ""


def category_counts(
    all_gaps: Sequence[GapItem], now: datetime | None = None
) -> list[CategoryCount]:
    """Mentions, distinct employers and trend per gap category, most frequent first."""
    recent_from = (now - TREND_WINDOW) if now else None
    by_category: dict[str, list[GapItem]] = {}
    for gap in all_gaps:
        by_category.setdefault(gap.category, []).append(gap)
    if not by_category:
        return []
    top = max(len(g) for g in by_category.values())
    order = {c: i for i, c in enumerate(GAP_CATEGORIES)}
    counts = [
        CategoryCount(
            category=category,
            title=CATEGORY_TITLES.get(category, category.title()),
            mentions=len(gaps),
            employers=len({employer_key(g) for g in gaps}),
            percent=max(4, round(100 * len(gaps) / top)),
            recent=_in_window(gaps, recent_from, now),
            trend=trend(
                _in_window(gaps, recent_from, now),
                _in_window(gaps, recent_from - TREND_WINDOW, recent_from) if recent_from else 0,
            )
            if recent_from
            else "",
        )
        for category, gaps in by_category.items()
    ]
    counts.sort(key=lambda c: (-c.mentions, order.get(c.category, len(order)), c.category))
    return counts


def _in_window(gaps: Sequence[GapItem], start: datetime | None, end: datetime | None) -> int:
    if start is None or end is None:
        return 0
    return sum(1 for g in gaps if start <= g.received_at < end)
