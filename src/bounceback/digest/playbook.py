"""The next-steps playbook: concrete actions per gap category and common skill.

Feedback is grouped into themes (one per skill, or per category when no skill
was named); the most frequent, then most recent, themes get an action each.
Every category and skill has several wordings, picked by ISO week, so the
digest does not repeat itself word for word from one week to the next.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bounceback.digest.model import GapItem, SilentRejection
from bounceback.digest.plays import (
    ASK_FEEDBACK_PLAYS,
    ASK_HABIT_PLAYS,
    CATEGORY_PLAYS,
    DIARY_PLAYS,
    DIARY_PROMPTS,
    SKILL_DIARY_PROMPTS,
    UNNAMED_SKILL_PLAYS,
    WIDEN_SEARCH_PLAYS,
    WIDEN_SEARCH_REASONS,
    Play,
)
from bounceback.digest.skill_plays import SKILL_ALIASES, SKILL_PLAYS


@dataclass(frozen=True, slots=True)
class Theme:
    """Feedback that points the same way: one skill, or one category without a skill."""

    key: str  # "skill:sql" or "category:preparation"
    label: str  # "SQL", or a phrase for the category
    category: str
    skill: str | None
    gaps: tuple[GapItem, ...]  # newest first
    employers: int
    recent_employers: int  # employers who raised it in the last 30 days
    this_week: int  # gaps received this week

    @property
    def latest(self) -> datetime:
        """When this theme was last raised."""
        return self.gaps[0].received_at

    @property
    def badge(self) -> str | None:
        """A note for themes raised this week: new, or raised again."""
        if not self.this_week:
            return None
        return "new this week" if self.this_week == len(self.gaps) else "raised again this week"


@dataclass(frozen=True, slots=True)
class Evidence:
    """What motivates an action: who said it and a short quote (or a plain fact)."""

    source: str
    quote: str | None = None
    message_id: int | None = None  # the email it comes from, for a review-page link


@dataclass(frozen=True, slots=True)
class Action:
    """One prioritised next step."""

    title: str
    steps: str
    why: str
    evidence: tuple[Evidence, ...]
    key: str = ""  # which playbook entry: a step marked done never comes back
    skill: str | None = None  # the skill the step builds, to count postings that ask for it


#: How each category reads inside a sentence ("3 employers raised ...").


RECENT_DAYS = 30
MAX_ACTIONS = 5
MIN_ACTIONS = 3


def week_number(week: str) -> int:
    """The week number in an ISO week label like "2026-W48" (a stable hash otherwise)."""
    _, _, number = week.partition("-W")
    return int(number) if number.isdigit() else zlib.crc32(week.encode())


def pick(variants: Sequence[Play], week: str, key: str) -> Play:
    """Choose a wording deterministically: the same week and key always give the same play."""
    return variants[(week_number(week) + zlib.crc32(key.encode())) % len(variants)]


def pick_open(
    variants: Sequence[Play], week: str, key: str, done: frozenset[str]
) -> tuple[Play, str] | None:
    """Like `pick`, but skipping plays the user marked done; None when all of them are."""
    start = (week_number(week) + zlib.crc32(key.encode())) % len(variants)
    for offset in range(len(variants)):
        index = (start + offset) % len(variants)
        play_key = f"{key}#{index}"
        if play_key not in done:
            return variants[index], play_key
    return None


def diary_prompt(week: str, top_skill: str | None) -> str:
    """The learning-diary question for a week, about the top skill in odd weeks."""
    number = week_number(week)
    if top_skill and number % 2:
        return SKILL_DIARY_PROMPTS[number // 2 % len(SKILL_DIARY_PROMPTS)].format(skill=top_skill)
    return DIARY_PROMPTS[number % len(DIARY_PROMPTS)]


def short_quote(text: str, limit: int = 100) -> str:
    """The text on one line, cut at a word boundary to at most `limit` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


#: A theme sentence names at most this many employers.
_NAMED = 4


def _names(names: Sequence[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def theme_sentence(theme: Theme) -> str:
    """A line like "Saltmarsh Foods and Tillerman Bank both raised SQL"."""
    names = list(dict.fromkeys(g.company.strip() for g in theme.gaps if g.company))
    unnamed = theme.employers - len(names)
    if unnamed > 0:
        names.append("1 more employer" if unnamed == 1 else f"{unnamed} more employers")
    if theme.employers == 1:
        return f"{names[0] if names else 'One employer'} raised {theme.label}"
    if theme.employers == 2:
        return f"{_names(names)} both raised {theme.label}"
    # Every employer is named up to four: "and 1 more" would hide a name to save none.
    shown = names
    if len(names) > _NAMED:
        shown = [*names[: _NAMED - 1], f"{len(names) - _NAMED + 1} more"]
    return f"{theme.employers} employers raised {theme.label}: {_names(shown)}"


def _theme_action(theme: Theme, week: str, done: frozenset[str] = frozenset()) -> Action | None:
    skill_key = SKILL_ALIASES.get(theme.skill.casefold()) if theme.skill else None
    if skill_key:
        variants = SKILL_PLAYS[skill_key]
    elif theme.category == "skill" and not theme.skill:
        variants = UNNAMED_SKILL_PLAYS
    else:
        variants = CATEGORY_PLAYS.get(theme.category, CATEGORY_PLAYS["skill"])
    chosen = pick_open(variants, week, theme.key, done)
    if chosen is None:
        return None  # every play for this theme is done: it has earned a rest
    play, key = chosen
    skill = theme.skill or "the skill"
    # one source per employer (the newest of its points), each linked to its email
    firsts: dict[str, GapItem] = {}
    for gap in theme.gaps:
        firsts.setdefault((gap.company or gap.subject).casefold(), gap)
    evidence = tuple(
        Evidence(source=_gap_source(gap), quote=short_quote(gap.text), message_id=gap.message_id)
        for gap in firsts.values()
    )
    return Action(
        title=play.title.format(skill=skill),
        steps=play.steps.format(skill=skill),
        why=theme_sentence(theme) + ".",
        evidence=evidence,
        key=key,
        skill=theme.skill,
    )


def _gap_source(gap: GapItem) -> str:
    company = gap.company or "An employer"
    return f"{company}, {gap.role}" if gap.role else company


def _silent_source(rejection: SilentRejection) -> str:
    company = rejection.company or rejection.sender_name or rejection.sender_address
    stage = "after an interview" if rejection.after_interview else "after applying"
    role = f" ({rejection.role})" if rejection.role else ""
    return f"{company}{role}: declined {stage}, no feedback"


def next_steps(
    themes: Sequence[Theme],
    silent: Sequence[SilentRejection],
    week: str,
    *,
    feedback_this_week: bool,
    postings: int,
    done: frozenset[str] = frozenset(),
) -> list[Action]:
    """3–5 actions: top themes first, then asking for feedback and widening the search.

    `done` holds the keys of steps the user marked done in earlier digests; those plays
    are not suggested again (another play for the same theme may be).
    """
    # A week without feedback keeps the two strongest older themes in view and spends the
    # rest on getting feedback and on finding more openings.
    room = (MAX_ACTIONS - (1 if silent else 0)) if feedback_this_week else 2
    actions = _theme_actions(themes, week, done, room)
    feedback_action = _feedback_action(silent, week, done, feedback_this_week=feedback_this_week)
    if feedback_action is not None:
        actions.append(feedback_action)
    widen = [i for i in _rotation(week, len(WIDEN_SEARCH_PLAYS)) if f"widen#{i}" not in done]
    if not feedback_this_week:
        room = MAX_ACTIONS - len(actions)
        actions.extend(_widen_action(i, postings) for i in widen[:room])
        widen = widen[room:]
    if len(actions) < MAX_ACTIONS:
        actions.append(_diary_action(week))
    shown = {a.key for a in actions}
    for index in widen:
        if len(actions) >= MIN_ACTIONS:
            break
        if f"widen#{index}" not in shown:
            actions.append(_widen_action(index, postings))
    return actions[:MAX_ACTIONS]


def _theme_actions(
    themes: Sequence[Theme], week: str, done: frozenset[str], room: int
) -> list[Action]:
    """An action for each theme in order, skipping themes whose plays are all done."""
    actions: list[Action] = []
    for theme in themes:
        if len(actions) >= room:
            break
        action = _theme_action(theme, week, done)
        if action is not None:
            actions.append(action)
    return actions


def _feedback_action(
    silent: Sequence[SilentRejection],
    week: str,
    done: frozenset[str],
    *,
    feedback_this_week: bool,
) -> Action | None:
    """Ask about rejections that came without feedback, or build the habit in a quiet week."""
    if silent:
        play = pick(ASK_FEEDBACK_PLAYS, week, "ask")
        count = len(silent)
        return Action(
            title=play.title,
            steps=play.steps,
            why=f"{count} rejection{'s' if count != 1 else ''} came without any feedback.",
            evidence=tuple(Evidence(source=_silent_source(r)) for r in silent[:3]),
            key=f"ask@{week}",  # new rejections each week: never retired for good
        )
    if feedback_this_week:
        return None
    habit = pick_open(ASK_HABIT_PLAYS, week, "habit", done)
    if habit is None:
        return None
    play, key = habit
    return Action(play.title, play.steps, "No feedback arrived this week.", (), key)


def _diary_action(week: str) -> Action:
    play = pick(DIARY_PLAYS, week, "diary")
    return Action(
        play.title,
        play.steps,
        "Written examples make the next competency question easier.",
        (),
        f"diary@{week}",
    )


def _rotation(week: str, size: int) -> list[int]:
    start = week_number(week) % size
    return [(start + i) % size for i in range(size)]


def _widen_action(index: int, postings: int) -> Action:
    play = WIDEN_SEARCH_PLAYS[index]
    why = WIDEN_SEARCH_REASONS[index]
    if not why:
        why = (
            "No job alerts reached your inbox this week."
            if postings == 0
            else f"{postings} new role{'s' if postings != 1 else ''} came by alert this week; "
            "a few more alerts widen the net."
        )
    return Action(play.title, play.steps, why, (), f"widen#{index}")
