"""The weekly digest builder: one week's records in, a rendered email out.

Pure and deterministic: no database, network or clock. It turns a `DigestInput`
into view data (themes, next steps, feedback requests, ranked postings) and
renders it with Jinja2 into an HTML part (autoescaped) and a plain-text part.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Sequence
from typing import Any

import css_inline
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bounceback.digest.alerts import (
    PostingView,
    demand,
    mark_postings,
    postings_note,
    rank_postings,
)
from bounceback.digest.charts import glance
from bounceback.digest.model import (
    DiaryItem,
    DigestInput,
)
from bounceback.digest.opening import intro, plural, subject_line
from bounceback.digest.playbook import (
    Theme,
    diary_prompt,
    next_steps,
    short_quote,
    theme_sentence,
)
from bounceback.digest.plays import CATEGORY_TITLES
from bounceback.digest.requests import feedback_request
from bounceback.digest.themes import (
    TREND_COLOURS,
    TREND_LABELS,
    category_counts,
    employer_key,
    themes,
    trusted_theme,
)
from bounceback.digest.this_week import preheader, review_link, week_lines
from bounceback.digest.words import day_label, mentions, period_label, safe_url
from bounceback.mail.message import EmailData

TEXT_WIDTH = 72
MAX_POSTINGS = 6
MAX_CATEGORIES = 4
MAX_SKILLS = 8
MAX_RECURRING = 4
MAX_QUOTES = 4  # this week's feedback quotes shown in full; the rest are counted
MAX_STEPS = 4  # next steps shown: short by default
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
    silent = sorted(
        data.silent_rejections,
        key=lambda r: (not r.after_interview, -r.received_at.timestamp(), r.sender_address),
    )
    postings, left_out = _ranked_postings(data, all_themes)
    feedback_count = max(
        week_glance.value("feedback"), len({employer_key(g) for g in data.week_gaps})
    )
    opening = intro(week_glance, feedback_count, len(silent), data.applications)
    lines = week_lines(data)
    requests = [feedback_request(r, data.user_name) for r in silent]
    actions = next_steps(
        [t for t in all_themes if trusted_theme(t)],
        () if requests else silent,  # the drafts and the box already ask for feedback
        data.week,
        feedback_this_week=bool(data.week_gaps),
        postings=len(postings),
        done=data.done_steps,
    )[:MAX_STEPS]
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
        **_feedback_context(data, all_themes),
        "actions": actions,
        "requests": requests,
        "postings": postings[:MAX_POSTINGS],
        "more_postings": max(0, len(postings) - MAX_POSTINGS),
        "postings_note": postings_note(postings),
        **_diary_context(data, all_themes),
        "category_titles": CATEGORY_TITLES,
        "trend_labels": TREND_LABELS,
        "trend_colours": TREND_COLOURS,
        "theme_sentence": theme_sentence,
        "day": day_label,
    }


def _ranked_postings(
    data: DigestInput, all_themes: Sequence[Theme]
) -> tuple[list[PostingView], list[str]]:
    """The week's postings ranked against the profile and the gaps, then marked up."""
    ranked = rank_postings(
        data.postings,
        data.target_keywords,
        [t.skill for t in all_themes if t.skill],
        roles=data.target_roles,
        locations=data.locations,
        salary_floor=data.salary_floor,
    )
    return mark_postings(ranked, data.applications, data.period_end)


def _feedback_context(data: DigestInput, all_themes: Sequence[Theme]) -> dict[str, Any]:
    """The feedback sections: this week's quotes, recurring themes, categories, skills."""
    week_gaps = sorted(data.week_gaps, key=lambda g: (g.received_at, g.gap_id))
    recurring = [t for t in all_themes if t.employers >= 2]
    skills = [t for t in all_themes if t.skill][:MAX_SKILLS]
    return {
        "week_gaps": week_gaps[:MAX_QUOTES],
        "more_gaps": max(0, len(week_gaps) - MAX_QUOTES),
        "week_gap_count": len(week_gaps),
        "recurring": recurring[:MAX_RECURRING],
        "more_recurring": max(0, len(recurring) - MAX_RECURRING),
        "categories": category_counts(data.all_gaps, data.period_end)[:MAX_CATEGORIES],
        "more_categories": max(0, len(category_counts(data.all_gaps)) - MAX_CATEGORIES),
        "skills": skills,
        "skill_summary": ", ".join(
            f"{t.skill} ({plural(t.employers, 'employer')})" for t in skills
        ),
        "total_gaps": len(data.all_gaps),
        "total_employers": len({employer_key(g) for g in data.all_gaps}),
    }


def _diary_context(data: DigestInput, all_themes: Sequence[Theme]) -> dict[str, Any]:
    """The learning-diary box: this week's question and an earlier answer to recall."""
    top_skill = next((t.skill for t in all_themes if t.skill), None)
    return {
        "diary_prompt": diary_prompt(data.week, top_skill),
        "diary_recall": diary_recall(data.diary, top_skill),
        "has_profile": bool(data.target_roles or data.target_keywords or data.locations),
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
