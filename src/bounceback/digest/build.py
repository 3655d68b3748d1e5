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
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import css_inline
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bounceback.digest.charts import Glance, glance
from bounceback.digest.model import (
    ApplicationState,
    DatedAction,
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
from bounceback.nlp.employers import employer_similarity
from bounceback.nlp.postings import salary_value, same_role
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
RECENT_REJECTION = timedelta(days=30)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
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
    mark: str | None = None  # what you have with this employer already
    why: str = ""  # why the posting is shown


@dataclass(frozen=True, slots=True)
class WeekLine:
    """One line of the "This week" box."""

    when: str  # "Mon 30 Nov, 09:30", "owed since Fri 27 Nov"
    text: str
    url: str | None  # the email on the review page, when its address is known
    kind: str
    overdue: bool = False


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
        "review_url": _safe_url(data.review_url),
        "link": functools.partial(review_link, data.review_url),
        "palette": PALETTE,
        "reply_address": data.reply_address,
        "left_out": left_out,
        "demand": {a.key: _demand(a.skill, postings) for a in actions},
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
            f"{t.skill} ({_plural(t.employers, 'employer')})" for t in skills
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


def _demand(skill: str | None, postings: Sequence[PostingView]) -> int:
    if not skill:
        return 0
    return sum(1 for p in postings if skill.casefold() in {m.casefold() for m in p.matches})


def review_link(base: str | None, message_id: int | None) -> str | None:
    """The email on the review page, when the page's address is known."""
    safe = _safe_url(base)
    if not safe or message_id is None:
        return None
    return f"{safe.rstrip('/')}/?status=all&m={int(message_id)}"


def _moment(at: datetime, zone: str, all_day: bool) -> str:
    local = at if all_day else at.astimezone(ZoneInfo(zone))
    day = f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}"
    return day if all_day else f"{day}, {local:%H:%M}"


def _round_name(item: DatedAction) -> str:
    if item.kind == "assessment":
        return "assessment"
    if item.kind == "take_home":
        return "take-home task"
    return {"final": "final-round interview", "second": "second interview"}.get(
        item.round or "", "interview"
    )


def week_lines(data: DigestInput) -> list[WeekLine]:
    """The "This week" box: one line per dated action, soonest (or most overdue) first."""
    lines = []
    for item in data.dated:
        who = item.employer or "An employer"
        role = f" ({item.role})" if item.role else ""
        overdue = item.at < data.period_end
        when = _moment(item.at, data.timezone, item.all_day)
        url = review_link(data.review_url, item.message_id)
        if item.kind == "offer":
            terms = ", ".join(filter(None, (item.salary, item.condition)))
            text = f"Offer from {who}: {item.role or 'the role'}" + (f", {terms}" if terms else "")
            text += ". No deadline in the letter; they are waiting for your answer."
            when = f"Answer owed since {when.split(',')[0]}" if overdue else f"Answer by {when}"
        elif item.kind in ("interview", "assessment", "take_home"):
            verb = "due" if item.kind != "interview" else ""
            text = f"{who}: {_round_name(item)}{role}{' ' + verb if verb else ''}."
            if item.reply:
                text += f" Reply owed: “{short_quote(item.reply, 90)}”"
        elif item.kind == "reply":
            text = f"Reply to {who}{role}: “{short_quote(item.what, 90)}”"
            when = f"Owed since {when.split(',')[0]}" if overdue else f"By {when}"
        elif item.kind == "follow_up":
            since = item.what.rpartition(" since ")[2] if " since " in item.what else ""
            quiet = f"nothing heard since {since.lstrip('0')}" if since else "quiet for a while"
            text = f"Follow up with {who}{role}: {quiet}; a short, friendly note is fair."
            when = f"Due {when.split(',')[0]}"
        elif item.kind == "feedback_request":
            text = f"Ask {who} for feedback{role}: a draft is ready below."
            when = "This week"
        else:
            text = f"{who}{role}: {short_quote(item.what, 90)}"
        lines.append(WeekLine(when=when, text=text, url=url, kind=item.kind, overdue=overdue))
    # dated things first, in time order; the feedback requests (no date of their own) last
    order = {id(line): i for i, line in enumerate(lines)}
    return sorted(lines, key=lambda line: (line.kind == "feedback_request", order[id(line)]))


def preheader(lines: Sequence[WeekLine], opening: str) -> str:
    """The inbox preview: the first things to do, else the opening."""
    if not lines:
        return opening
    return "This week: " + " ".join(f"{line.when}: {line.text}" for line in lines[:2])


_LIVE = frozenset({"applied", "assessment", "interview", "offer"})
_STAGE_WORDS = {
    "applied": "you applied",
    "assessment": "you have an assessment",
    "interview": "you are interviewing",
    "offer": "you have an offer",
}


def mark_postings(
    postings: Sequence[PostingView], apps: Sequence[ApplicationState], now: datetime
) -> tuple[list[PostingView], list[str]]:
    """Drop roles already applied for or offered; mark employers you have history with."""
    kept, left_out = [], []
    for posting in postings:
        known = [a for a in apps if employer_similarity(posting.company, a.employer) >= 90]
        same = [a for a in known if a.role and same_role(posting.title, None, a.role, None)]
        if any(a.stage in _LIVE for a in same):
            app = next(a for a in same if a.stage in _LIVE)
            left_out.append(f"{posting.title} at {app.employer} ({_STAGE_WORDS[app.stage]})")
            continue
        mark = None
        live = [a for a in known if a.stage in _LIVE]
        # the same role turned down is worth knowing however long ago; another role, if recent
        turned_down = [a for a in same if a.stage == "rejected"] + [
            a for a in known if a.stage == "rejected" and now - a.last_contact <= RECENT_REJECTION
        ]
        if live:
            app = live[0]
            stage = _STAGE_WORDS[app.stage]
            mark = f"{stage[0].upper()}{stage[1:]} here for {app.role or 'another role'}"
        elif turned_down:
            app = turned_down[0]
            what = "this role" if app in same else (app.role or "a role")
            mark = f"Turned you down for {what} on {day_label(app.last_contact)}"
        kept.append(replace(posting, mark=mark))
    # a fresh employer before one that just turned you down (stable: ranking kept otherwise)
    kept.sort(key=lambda p: bool(p.mark and p.mark.startswith("Turned")))
    return kept, left_out


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
        reasons = (
            ([f"your target role {role_hit}"] if role_hit else [])
            + ([f"your location {place}"] if place else [])
            + [f"mentions {k}" for k in keyword_hits]
            + [f"asks for {s}, which your feedback named" for s in skill_hits]
        )
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
                why="; ".join(reasons)
                or f"from your {posting.source} alert; nothing in your profile matches it",
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


def subject_line(
    week: str,
    stats: Glance,
    postings: int,
    feedback: int,
    dated: Sequence[DatedAction] = (),
    zone: str = "UTC",
) -> str:
    """A short subject that leads with what mattered most this week."""
    offers, interviews = stats.value("offers"), stats.value("interviews")
    rejections = stats.value("rejections")
    parts = []
    offer = next((d for d in dated if d.kind == "offer" and d.employer), None)
    interview = next((d for d in dated if d.kind == "interview" and d.employer), None)
    if offer is not None:
        parts.append(f"an offer from {offer.employer}")
    elif offers:
        parts.append(_plural(offers, "offer"))
    if interview is not None:
        when = _moment(interview.at, zone, interview.all_day).split(",")[0]
        name = _round_name(interview).replace("final-round interview", "final round")
        parts.append(f"{interview.employer} {name} {when}")
    elif interviews:
        parts.append(_plural(interviews, "interview email"))
    if rejections:
        named = offer is not None and interview is not None  # the subject is long enough
        with_feedback = (
            f", {min(feedback, rejections)} with feedback" if feedback and not named else ""
        )
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
    lead = "Good news in your job search" if offers or offer else "Your week in job search"
    return f"{lead}: {', '.join(parts[:3])} — {week}"


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _counted(count: int, word: str) -> str:
    """ "Three rejections", "One offer": numbers spelled out at the start of a sentence."""
    number = _NUMBER_WORDS[count] if 0 <= count < len(_NUMBER_WORDS) else str(count)
    return f"{number} {word if count == 1 else word + 's'}".capitalize()


_INVITED = {
    "take_home": "sent you a take-home task",
    "assessment": "invited you to an assessment",
}


def _invitation(app: ApplicationState) -> str | None:
    for kind in reversed(app.week_events):
        if kind == "interview":
            name = {"final": "a final-round interview", "second": "a second interview"}
            return f"{app.employer} invited you to {name.get(app.round or '', 'an interview')}"
        if kind in _INVITED:
            return f"{app.employer} {_INVITED[kind]}"
    return None


def intro(stats: Glance, feedback: int, silent: int, apps: Sequence[ApplicationState] = ()) -> str:
    """A first paragraph that is honest about the week: who wrote, and what it means."""
    offers, interviews = stats.value("offers"), stats.value("interviews")
    rejections = stats.value("rejections")
    sentences = []
    offered = [a for a in apps if "offer" in a.week_events]
    invited = [line for a in apps if a not in offered and (line := _invitation(a)) is not None]
    for app in offered:
        role = f" the {app.role} role" if app.role else " a job"
        sentences.append(f"{app.employer} offered you{role}. Congratulations!")
    if offers and not offered:
        sentences.append(
            f"{'An offer' if offers == 1 else _counted(offers, 'offer')} came in this week. "
            "Congratulations: take the time you need to weigh it up."
        )
    if invited:
        sentences.append("; ".join(invited[:3]) + ".")
    elif interviews:
        sentences.append(
            f"{_counted(interviews, 'email')} about interviews arrived (invitations or "
            "arrangements), which means your applications are getting noticed."
        )
    if rejections:
        also = " came too" if offers or interviews or invited else " came this week"
        sentences.append(
            f"{_counted(rejections, 'rejection')}{also}. That is hard, and it says nothing "
            "final about you."
        )
    if feedback:
        who = "One employer" if feedback == 1 else f"{_counted(feedback, 'employer')}"
        sentences.append(f"{who} told you why, and that is the useful part.")
    elif silent and rejections:
        sentences.append("None of them said why, so there are feedback requests ready below.")
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
