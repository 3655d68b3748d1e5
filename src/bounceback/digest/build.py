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
from urllib.parse import quote, urlsplit

import css_inline
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bounceback.digest.charts import Glance, glance
from bounceback.digest.model import (
    DiaryItem,
    DigestInput,
    GapItem,
    PostingItem,
    SilentRejection,
)
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
from bounceback.mail.message import EmailData
from bounceback.nlp.postings import salary_value, same_role
from bounceback.nlp.taxonomy import GAP_CATEGORIES

TEXT_WIDTH = 72
MAX_POSTINGS = 15
MAX_SKILLS = 8
MAX_RECURRING = 5
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_NO_REPLY = re.compile(r"no[-_.]?reply|do[-_.]?not[-_.]?reply", re.IGNORECASE)
_TEAM_WORDS = re.compile(
    r"\b(team|careers?|jobs?|talent|recruit\w*|hr|hiring|people|notifications?)\b",
    re.IGNORECASE,
)


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


@dataclass(frozen=True, slots=True)
class FeedbackRequest:
    """A ready-to-send request for feedback on a silent rejection."""

    to: str
    heading: str
    subject: str
    body: str
    mailto: str | None
    after_interview: bool
    no_reply: bool
    received: str


@dataclass(frozen=True, slots=True)
class PostingView:
    """A job posting as the alerts section shows it."""

    title: str
    url: str | None  # only http(s) links survive
    company: str | None
    location: str | None
    salary: str | None
    source: str
    matches: tuple[str, ...]
    score: int
    also_on: tuple[str, ...] = ()  # other boards that sent the same role
    note: str | None = None  # e.g. "below your salary floor"
    posted: str | None = None


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
    gap_skills = [t.skill for t in all_themes if t.skill]
    postings = rank_postings(
        data.postings,
        data.target_keywords,
        gap_skills,
        roles=data.target_roles,
        locations=data.locations,
        salary_floor=data.salary_floor,
    )
    feedback_count = max(week_glance.value("feedback"), len({_employer(g) for g in data.week_gaps}))
    top_skill = next((t.skill for t in all_themes if t.skill), None)
    skills = [t for t in all_themes if t.skill][:MAX_SKILLS]
    opening = intro(week_glance, feedback_count, len(silent))
    return {
        "preheader": opening,
        "subject": subject_line(data.week, week_glance, len(postings), feedback_count),
        "greeting": f"Hi {data.user_name}," if data.user_name else "Hi,",
        "intro": opening,
        "week": data.week,
        "period": period_label(data.period_start, data.period_end),
        "account": data.account_address,
        "glance": week_glance,
        "week_gaps": sorted(data.week_gaps, key=lambda g: (g.received_at, g.gap_id)),
        "recurring": [t for t in all_themes if t.employers >= 2][:MAX_RECURRING],
        "categories": category_counts(data.all_gaps, data.period_end),
        "skills": skills,
        "skill_summary": ", ".join(
            f"{t.skill} ({_plural(t.employers, 'employer')})" for t in skills
        ),
        "total_gaps": len(data.all_gaps),
        "total_employers": len({_employer(g) for g in data.all_gaps}),
        "actions": next_steps(
            all_themes,
            silent,
            data.week,
            feedback_this_week=bool(data.week_gaps),
            postings=len(postings),
            done=data.done_steps,
        ),
        "requests": [feedback_request(r, data.user_name) for r in silent],
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
    for gap in all_gaps:
        key = f"skill:{gap.skill.casefold()}" if gap.skill else f"category:{gap.category}"
        groups.setdefault(key, []).append(gap)
    recent_since = now - timedelta(days=RECENT_DAYS)
    result = []
    for key, gaps in groups.items():
        gaps.sort(key=lambda g: (g.received_at, g.gap_id), reverse=True)
        category = _most_common(g.category for g in gaps)
        skill = _most_common(g.skill for g in gaps if g.skill) if key.startswith("skill:") else None
        result.append(
            Theme(
                key=key,
                label=skill or CATEGORY_PHRASES.get(category, category),
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
        chosen = next((e for e in entries if _mentions(top_skill, e.text)), chosen)
    quote = short_quote(chosen.text, 160)
    use = f" It could answer a question about {top_skill}." if top_skill else ""
    return (
        f"On {day_label(chosen.written_at)} you wrote: “{quote}” Shape it as situation, task, "
        f"action and result, with one number in it, and it is ready for an interview.{use}"
    )


def _first_name(name: str | None) -> str | None:
    if not name or _TEAM_WORDS.search(name) or "@" in name:
        return None
    first = name.replace('"', "").strip().split()
    return first[0] if first and first[0].isalpha() else None


def feedback_request(rejection: SilentRejection, user_name: str | None) -> FeedbackRequest:
    """A short, polite feedback request in the user's voice, with a mailto link."""
    subject = rejection.subject.strip()
    if not re.match(r"re:", subject, re.IGNORECASE):
        subject = f"Re: {subject}"
    subject = " ".join(subject.split())  # never a header line break
    first = _first_name(rejection.sender_name)
    company = rejection.company
    greeting = f"Hi {first}," if first else (f"Hello {company} team," if company else "Hello,")
    role = f"the {rejection.role} role" if rejection.role else "the role"
    at = f" at {company}" if company else ""
    if rejection.after_interview:
        opening = (
            f"Thank you for letting me know about {role}{at}, and for the time you and "
            "the team spent interviewing me. I enjoyed learning more about the work."
        )
        ask = (
            "If you have a few minutes, I would really value any feedback on my interview: "
            "what went well, and what would have made me a stronger candidate."
        )
    else:
        opening = f"Thank you for letting me know about {role}{at}, and for considering me."
        ask = (
            "If you have a moment, I would be grateful for any brief feedback on my "
            "application, in particular anything that would have made it stronger."
        )
    closing = "It would help me a great deal with my next applications. Thank you again."
    sign = f"Best wishes,\n{user_name}" if user_name else "Best wishes,"
    body = f"{greeting}\n\n{opening}\n\n{ask} {closing}\n\n{sign}"
    address = rejection.sender_address.strip()
    mailto = None
    if re.fullmatch(r"[^@\s]+@[^@\s]+", address):
        crlf_body = body.replace("\n", "\r\n")  # RFC 6068: line breaks in a mailto body are CRLF
        mailto = (
            f"mailto:{quote(address, safe='@')}"
            f"?subject={quote(subject, safe='')}&body={quote(crlf_body, safe='')}"
        )
    who = company or rejection.sender_name or address
    heading = f"{who}: {rejection.role}" if rejection.role else who
    return FeedbackRequest(
        to=address,
        heading=heading,
        subject=subject,
        body=body,
        mailto=mailto,
        after_interview=rejection.after_interview,
        no_reply=bool(_NO_REPLY.search(address.partition("@")[0])),
        received=day_label(rejection.received_at),
    )


def _safe_url(url: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    if any(ch in url for ch in "\"'<>\\ `") or any(ord(ch) < 32 for ch in url):
        return None  # no real job link needs these; an attack would
    parts = urlsplit(url)
    return url if parts.scheme.lower() in {"http", "https"} and parts.netloc else None


def _mentions(phrase: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase.casefold())}(?!\w)", text.casefold()) is not None


def _role_match(title: str, roles: Sequence[str]) -> str | None:
    """The target role a title matches: all its words appear, in any order."""
    words = set(re.findall(r"[a-z0-9+#]+", title.casefold()))
    for role in roles:
        wanted = set(re.findall(r"[a-z0-9+#]+", role.casefold()))
        if wanted and wanted <= words:
            return role.strip()
    return None


def _location_match(location: str | None, wanted: Sequence[str]) -> str | None:
    if not location:
        return None
    return next((w.strip() for w in wanted if w.strip() and _mentions(w.strip(), location)), None)


def rank_postings(
    postings: Sequence[PostingItem],
    keywords: Sequence[str],
    skills: Sequence[str],
    *,
    roles: Sequence[str] = (),
    locations: Sequence[str] = (),
    salary_floor: int | None = None,
) -> list[PostingView]:
    """Merge the same role from several boards, then rank by the profile and the feedback.

    Target role in the title counts most, then keywords, location, a salary at or above
    the floor, and skills the feedback named (a chance to show or build them). A salary
    below the floor is shown but sinks.
    """
    ordered = sorted(
        postings,
        key=lambda p: (-p.received_at.timestamp(), p.title, p.company or "", p.source, p.url or ""),
    )
    groups: list[list[PostingItem]] = []
    for posting in ordered:
        for group in groups:
            if same_role(group[0].title, group[0].company, posting.title, posting.company):
                group.append(posting)
                break
        else:
            groups.append([posting])
    views = []
    for group in groups:
        posting = group[0]
        salary = next((p.salary for p in group if p.salary), None)
        url = next((u for u in (_safe_url(p.url) for p in group) if u), None)
        haystack = " ".join(filter(None, (posting.title, posting.company, posting.location)))
        role_hit = _role_match(posting.title, roles)
        keyword_hits = [k.strip() for k in keywords if k.strip() and _mentions(k.strip(), haystack)]
        place = _location_match(posting.location, locations)
        folded = {k.casefold() for k in keyword_hits}
        skill_hits = [
            s for s in skills if _mentions(s, posting.title) and s.casefold() not in folded
        ]
        score = 4 * bool(role_hit) + 3 * len(keyword_hits) + 2 * bool(place) + len(skill_hits)
        note = None
        yearly = salary_value(salary)
        if salary_floor and yearly is not None:
            if yearly >= salary_floor:
                score += 1
            else:
                score -= 3
                note = "below your salary floor"
        matches = [m for m in (role_hit, place) if m] + keyword_hits + skill_hits
        views.append(
            PostingView(
                title=" ".join(posting.title.split()),
                url=url,
                company=posting.company,
                location=posting.location,
                salary=salary,
                source=posting.source,
                matches=tuple(dict.fromkeys(matches)),
                score=score,
                also_on=tuple(
                    dict.fromkeys(p.source for p in group[1:] if p.source != posting.source)
                ),
                note=note,
                posted=day_label(posting.posted_at) if posting.posted_at else None,
            )
        )
    # sorted() is stable, so equal scores keep the newest-first order from above.
    return sorted(views, key=lambda v: -v.score)


def postings_note(postings: Sequence[PostingView]) -> str:
    """One line on how the ranked postings are ordered."""
    matched = sum(1 for p in postings if p.score > 0)
    if not matched:
        return "None of these mention your target roles or feedback skills; newest first."
    if matched == len(postings):
        return "All of these match your target roles or the skills in your feedback."
    return (
        f"{matched} of {len(postings)} match your target roles or the skills in your "
        "feedback; those come first."
    )


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def subject_line(week: str, stats: Glance, postings: int, feedback: int) -> str:
    """A short subject that leads with what mattered most this week."""
    offers, interviews = stats.value("offers"), stats.value("interviews")
    rejections = stats.value("rejections")
    parts = []
    if offers:
        parts.append(_plural(offers, "offer"))
    if interviews:
        parts.append(_plural(interviews, "interview"))
    if rejections:
        with_feedback = f", {min(feedback, rejections)} with feedback" if feedback else ""
        parts.append(_plural(rejections, "rejection") + with_feedback)
    elif feedback:
        parts.append(_plural(feedback, "piece") + " of feedback")
    if len(parts) < 2 and postings:
        parts.append(_plural(postings, "new role"))
    if not parts:
        acknowledged = stats.value("acknowledged")
        parts.append(
            f"{_plural(acknowledged, 'application')} acknowledged"
            if acknowledged
            else "a quiet week, and a plan for it"
        )
    lead = "Good news in your job search" if offers else "Your week in job search"
    return f"{lead}: {', '.join(parts[:3])} — {week}"


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _counted(count: int, word: str) -> str:
    """ "Three rejections", "One offer": numbers spelled out at the start of a sentence."""
    number = _NUMBER_WORDS[count] if 0 <= count < len(_NUMBER_WORDS) else str(count)
    return f"{number} {word if count == 1 else word + 's'}".capitalize()


def intro(stats: Glance, feedback: int, silent: int) -> str:
    """A first paragraph that is honest about the week and says what follows."""
    offers, interviews = stats.value("offers"), stats.value("interviews")
    rejections = stats.value("rejections")
    sentences = []
    if offers:
        sentences.append(
            f"{'An offer' if offers == 1 else _counted(offers, 'offer')} came in this week. "
            "Congratulations: take the time you need to weigh it up."
        )
    if interviews:
        sentences.append(
            f"You had {_plural(interviews, 'interview')}, which means your applications "
            "are getting noticed."
        )
    if rejections:
        also = " arrived too" if offers or interviews else " arrived this week"
        sentences.append(
            f"{_counted(rejections, 'rejection')}{also}. That is hard, and it is fine to feel "
            "it; it says nothing final about you."
        )
    if feedback:
        who = "One employer" if feedback == 1 else f"{_counted(feedback, 'employer')}"
        sentences.append(
            f"{who} told you something specific, and that is the useful part: below is "
            "what they said and what you can do about it."
        )
    elif silent and rejections:
        sentences.append(
            "None of them said why, so this email includes ready-to-send requests for feedback."
        )
    if not sentences:
        sentences.append(
            "A quiet week in your inbox. Quiet weeks happen to everyone; below are a few ways "
            "to use this one well."
        )
    return " ".join(sentences)


def day_label(moment: datetime) -> str:
    """A date like "26 Nov", independent of the locale."""
    return f"{moment.day} {_MONTHS[moment.month - 1]}"


def period_label(start: datetime, end: datetime) -> str:
    """The covered days, e.g. "23–29 Nov 2026"; a midnight end is exclusive."""
    if end.time() == datetime.min.time() and end > start:
        end = end - timedelta(days=1)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{day_label(end)} {end.year}"
    if start.year == end.year:
        return f"{day_label(start)} – {day_label(end)} {end.year}"
    return f"{day_label(start)} {start.year} – {day_label(end)} {end.year}"
