"""Job alerts that know your applications: ranked, marked, and each with its reason.

Pure: postings and application states in, the postings the digest shows out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bounceback.digest.model import (
    RECENT_REJECTION,
    ApplicationState,
    PostingItem,
)
from bounceback.digest.words import day_label, mentions, safe_url
from bounceback.nlp.employers import employer_similarity
from bounceback.nlp.postings import salary_value, same_role


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


def demand(skill: str | None, postings: Sequence[PostingView]) -> int:
    if not skill:
        return 0
    return sum(1 for p in postings if skill.casefold() in {m.casefold() for m in p.matches})


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
    return next((w.strip() for w in wanted if w.strip() and mentions(w.strip(), location)), None)


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
    profile = _Profile(tuple(keywords), tuple(skills), tuple(roles), tuple(locations), salary_floor)
    views = [_posting_view(group, profile) for group in _same_role_groups(postings)]
    # sorted() is stable, so equal scores keep the newest-first order of the groups.
    return sorted(views, key=lambda v: -v.score)


@dataclass(frozen=True, slots=True)
class _Profile:
    """What a posting is ranked against: the user's profile and the skills feedback named."""

    keywords: tuple[str, ...]
    skills: tuple[str, ...]
    roles: tuple[str, ...]
    locations: tuple[str, ...]
    salary_floor: int | None


def _same_role_groups(postings: Sequence[PostingItem]) -> list[list[PostingItem]]:
    """The postings newest first, the same role from several boards in one group."""
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
    return groups


def _posting_view(group: Sequence[PostingItem], profile: _Profile) -> PostingView:
    """One group of postings scored against the profile, with the reasons in words."""
    posting = group[0]
    salary = next((p.salary for p in group if p.salary), None)
    url = next((u for u in (safe_url(p.url) for p in group) if u), None)
    haystack = " ".join(filter(None, (posting.title, posting.company, posting.location)))
    role_hit = _role_match(posting.title, profile.roles)
    keyword_hits = [
        k.strip() for k in profile.keywords if k.strip() and mentions(k.strip(), haystack)
    ]
    place = _location_match(posting.location, profile.locations)
    folded = {k.casefold() for k in keyword_hits}
    skill_hits = [
        s for s in profile.skills if mentions(s, posting.title) and s.casefold() not in folded
    ]
    score = 4 * bool(role_hit) + 3 * len(keyword_hits) + 2 * bool(place) + len(skill_hits)
    salary_score, note = _salary_score(salary, profile.salary_floor)
    matches = [m for m in (role_hit, place) if m] + keyword_hits + skill_hits
    reasons = (
        ([f"your target role {role_hit}"] if role_hit else [])
        + ([f"your location {place}"] if place else [])
        + [f"mentions {k}" for k in keyword_hits]
        + [f"asks for {s}, which your feedback named" for s in skill_hits]
    )
    return PostingView(
        title=" ".join(posting.title.split()),
        url=url,
        company=posting.company,
        location=posting.location,
        salary=salary,
        source=posting.source,
        matches=tuple(dict.fromkeys(matches)),
        score=score + salary_score,
        also_on=tuple(dict.fromkeys(p.source for p in group[1:] if p.source != posting.source)),
        note=note,
        posted=day_label(posting.posted_at) if posting.posted_at else None,
        why="; ".join(reasons)
        or f"from your {posting.source} alert; nothing in your profile matches it",
    )


def _salary_score(salary: str | None, floor: int | None) -> tuple[int, str | None]:
    """+1 for a salary at or above the floor; -3 and a note below it; 0 when unknown."""
    yearly = salary_value(salary)
    if not floor or yearly is None:
        return 0, None
    if yearly >= floor:
        return 1, None
    return -3, "below your salary floor"


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
