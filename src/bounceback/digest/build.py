"""The weekly digest builder: one week's records in, a rendered email out.

Pure and deterministic: no database, network or clock. It turns a `DigestInput`
into view data (themes, next steps, feedback requests, ranked postings) and
renders it with Jinja2 into an HTML part (autoescaped) and a plain-text part.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import css_inline
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bounceback.digest.alerts import (
    demand,
    mark_postings,
    postings_note,
    rank_postings,
)
from bounceback.digest.charts import glance
from bounceback.digest.model import (
    DiaryItem,
    DigestInput,
    GapItem,
)
from bounceback.digest.opening import intro, plural, subject_line
from bounceback.digest.playbook import (
    CATEGORY_PHRASES,
    CATEGORY_TITLES,
    RECENT_DAYS,
    Theme,
    diary_prompt,
    next_steps,
    short_quote,
    theme_sentence,
)
from bounceback.digest.requests import feedback_request
from bounceback.digest.this_week import preheader, review_link, week_lines
from bounceback.digest.words import day_label, mentions, period_label, safe_url
from bounceback.mail.message import EmailData
from bounceback.nlp.taxonomy import GAP_CATEGORIES

TEXT_WIDTH = 72
MAX_POSTINGS = 6
MAX_CATEGORIES = 4
MAX_SKILLS = 8
MAX_RECURRING = 4
MAX_QUOTES = 4  # this week's feedback quotes shown in full; the rest are counted
MAX_STEPS = 4  # next steps shown: short by default
#: Below this the model is unsure of a feedback point: it needs the user's word (or a
#: second employer saying the same) before a next step is built on it.
TRUSTED_CONFIDENCE = 0.7
CONFIRMED = frozenset({"accepted", "edited"})
#: Colours the templates use; a test checks each text pair meets WCAG AA (4.5:1).
PALETTE = {
    "ink": "#1f2937",
    "muted": "#4b5563",
    "accent": "#0f766e",
    "page": "#f3f4f6",
    "card": "#ffffff",
    "box": "#ecfeff",
    "dark_ink": "#e5e7eb",
    "dark_muted": "#a8b1bd",
    "dark_card": "#111827",
    "dark_page": "#0b1220",
    "dark_link": "#5eead4",
    "dark_box": "#0f2a2e",
    "dark_mark": "#fcd34d",
    "dark_mark_bg": "#3b2a0a",
    "mark": "#92400e",
    "mark_bg": "#fef3c7",
    "good": "#047857",
}
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


def build_digest(data: DigestInput) -> EmailData:
    """Render the weekly digest email for one account and one ISO week."""
    context = digest_context(data)
    env = _environment()
    html = _inliner().inline(env.get_template("digest.html.j2").render(context))
    text = env.get_template("digest.txt.j2").render(context)
    steps = tuple((action.key, action.title) for action in context["actions"])
    return EmailData(subject=context["subject"], html=html, text=text, steps=steps)


@functools.cache
def _inliner() -> css_inline.CSSInliner:
    # The <style> block stays as well: the dark-mode and mobile media queries live there.
    return css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)


def digest_context(data: DigestInput) -> dict[str, Any]:
    """Everything the templates show, computed from the input alone."""
    week_glance = glance(data.history, data.week)
    all_themes = themes(data.all_gaps, data.week_gaps, data.period_end)
    trusted = [t for t in all_themes if trusted_theme(t)]
    silent = sorted(
        data.silent_rejections,
        key=lambda r: (not r.after_interview, -r.received_at.timestamp(), r.sender_address),
    )
    gap_skills = [t.skill for t in all_themes if t.skill]
    ranked = rank_postings(
        data.postings,
        data.target_keywords,
        gap_skills,
        roles=data.target_roles,
        locations=data.locations,
        salary_floor=data.salary_floor,
    )
    postings, left_out = mark_postings(ranked, data.applications, data.period_end)
    feedback_count = max(week_glance.value("feedback"), len({_employer(g) for g in data.week_gaps}))
    top_skill = next((t.skill for t in all_themes if t.skill), None)
    skills = [t for t in all_themes if t.skill][:MAX_SKILLS]
    opening = intro(week_glance, feedback_count, len(silent), data.applications)
    lines = week_lines(data)
    requests = [feedback_request(r, data.user_name) for r in silent]
    actions = next_steps(
        trusted,
        () if requests else silent,  # the drafts and the box already ask for feedback
        data.week,
        feedback_this_week=bool(data.week_gaps),
        postings=len(postings),
        done=data.done_steps,
    )[:MAX_STEPS]
    week_gaps = sorted(data.week_gaps, key=lambda g: (g.received_at, g.gap_id))
    first = (data.user_name or "").split()[0] if (data.user_name or "").split() else ""
    return {
        "preheader": preheader(lines, opening),
        "subject": subject_line(
            data.week, week_glance, len(postings), feedback_count, data.dated, data.timezone
        ),
        "greeting": f"Hi {first}," if first else "Hi,",
        "this_week": lines,
        "review_url": safe_url(data.review_url),
        "link": functools.partial(review_link, data.review_url),
        "palette": PALETTE,
        "reply_address": data.reply_address,
        "left_out": left_out,
        "demand": {a.key: demand(a.skill, postings) for a in actions},
        "intro": opening,
        "week": data.week,
        "period": period_label(data.period_start, data.period_end),
        "account": data.account_address,
        "glance": week_glance,
        "week_gaps": week_gaps[:MAX_QUOTES],
        "more_gaps": max(0, len(week_gaps) - MAX_QUOTES),
        "week_gap_count": len(week_gaps),
        "recurring": [t for t in all_themes if t.employers >= 2][:MAX_RECURRING],
        "more_recurring": max(0, sum(1 for t in all_themes if t.employers >= 2) - MAX_RECURRING),
        "categories": category_counts(data.all_gaps, data.period_end)[:MAX_CATEGORIES],
        "more_categories": max(0, len(category_counts(data.all_gaps)) - MAX_CATEGORIES),
        "skills": skills,
        "skill_summary": ", ".join(
            f"{t.skill} ({plural(t.employers, 'employer')})" for t in skills
        ),
        "total_gaps": len(data.all_gaps),
        "total_employers": len({_employer(g) for g in data.all_gaps}),
        "actions": actions,
        "requests": requests,
        "postings": postings[:MAX_POSTINGS],
        "more_postings": max(0, len(postings) - MAX_POSTINGS),
        "postings_note": postings_note(postings),
        "diary_prompt": diary_prompt(data.week, top_skill),
        "diary_recall": diary_recall(data.diary, top_skill),
        "has_profile": bool(data.target_roles or data.target_keywords or data.locations),
        "category_titles": CATEGORY_TITLES,
        "trend_labels": TREND_LABELS,
        "trend_colours": TREND_COLOURS,
        "theme_sentence": theme_sentence,
        "day": day_label,
    }


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("bounceback.digest", "templates"),
        autoescape=select_autoescape(
            enabled_extensions=("html", "html.j2"),
            disabled_extensions=("txt.j2",),
            default=True,
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["wrap"] = wrap
    return env


def wrap(text: str, width: int = TEXT_WIDTH, indent: str = "", first: str | None = None) -> str:
    """Wrap text for the plain-text part, with an optional hanging indent."""
    return textwrap.fill(
        " ".join(str(text).split()),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _employer(gap: GapItem) -> str:
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
                employers=len({_employer(g) for g in gaps}),
                recent_employers=len({_employer(g) for g in gaps if g.received_at >= recent_since}),
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
            employers=len({_employer(g) for g in gaps}),
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


def diary_recall(entries: Sequence[DiaryItem], top_skill: str | None) -> str | None:
    """A line that brings back something the user wrote, as raw material for a STAR answer."""
    if not entries:
        return None
    chosen = entries[0]
    if top_skill:
        chosen = next((e for e in entries if mentions(top_skill, e.text)), chosen)
    quote = short_quote(chosen.text, 160)
    use = f" It could answer a question about {top_skill}." if top_skill else ""
    return (
        f"On {day_label(chosen.written_at)} you wrote: “{quote}” Shape it as situation, task, "
        f"action and result, with one number in it, and it is ready for an interview.{use}"
    )
