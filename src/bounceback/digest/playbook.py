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


@dataclass(frozen=True, slots=True)
class Play:
    """One action in the playbook; `{skill}` in the text is filled in."""

    title: str
    steps: str


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
CATEGORY_PHRASES: dict[str, str] = {
    "skill": "a specific skill",
    "experience": "the depth or kind of your experience",
    "communication": "how you communicate",
    "preparation": "interview preparation",
    "motivation": "how much enthusiasm came across",
    "evidence": "evidence of results",
    "fit": "fit or logistics",
}

#: Short headings for the categories.
CATEGORY_TITLES: dict[str, str] = {
    "skill": "Skills",
    "experience": "Experience",
    "communication": "Communication",
    "preparation": "Preparation",
    "motivation": "Motivation",
    "evidence": "Evidence",
    "fit": "Fit",
}

CATEGORY_PLAYS: dict[str, tuple[Play, ...]] = {
    "skill": (
        Play(
            "Close the {skill} gap with a small project",
            "Pick one evening task you can finish this week that uses {skill}, put it on "
            "GitHub or in a short write-up, and add one line about it to your CV.",
        ),
        Play(
            "Practise {skill} for 20 minutes a day",
            "Choose one free course or exercise set on {skill} and do a short session each "
            "day this week. Note one thing you can now do that you couldn't on Monday.",
        ),
        Play(
            "Turn {skill} into a talking point",
            "Write down the closest thing you have already done with {skill}, then spend a "
            "few hours extending it, so next time you can say what you did and what you learnt.",
        ),
    ),
    "experience": (
        Play(
            "Reframe the experience you already have",
            "List three pieces of work that are closest to what the role needed (paid, "
            "volunteer or side projects) and rewrite your CV bullets to lead with them.",
        ),
        Play(
            "Get hands-on experience in a short, bounded way",
            "Look for a volunteer project, a short contract or an open-source issue that "
            "gives you the missing experience in weeks, not months.",
        ),
        Play(
            "Aim one step closer to your current level",
            "For the next few applications, include roles one level nearer to your "
            "experience, and ask how the team helps people grow into the next step.",
        ),
    ),
    "communication": (
        Play(
            "Rehearse answers out loud, and record them",
            "Pick three common questions, answer each in under two minutes on your phone's "
            "camera, then watch it back once for structure and once for pace.",
        ),
        Play(
            "Give every answer a shape",
            "Practise situation, task, action, result: one sentence of context, most of the "
            "time on what you did, and finish with a number or an outcome.",
        ),
        Play(
            "Run a mock interview with someone you trust",
            "Ask a friend or former colleague for 30 minutes of questions and honest "
            "comments on how clear and confident you came across.",
        ),
    ),
    "preparation": (
        Play(
            "Use a research checklist before every interview",
            "Company history, size and structure, recent news, the team you would join, the "
            "role's first 90 days, and three questions of your own to ask them.",
        ),
        Play(
            "Prepare stories before you need them",
            "Write five short STAR stories from your learning diary (a success, a failure, a "
            "conflict, a deadline, a piece of teamwork) and map each to the job description.",
        ),
        Play(
            "Prepare questions that show you did the homework",
            "For each upcoming interview, write two questions that could only be asked by "
            "someone who read their site, reports or recent news.",
        ),
    ),
    "motivation": (
        Play(
            "Say out loud why this company, and why this role",
            "Before the next interview, write three sentences linking something specific "
            "about the employer to something you want from your next job, and practise them.",
        ),
        Play(
            "Apply where you genuinely want to work",
            "Go through your open applications and drop any you would not accept; spend that "
            "time on a few employers whose work you can talk about with real interest.",
        ),
        Play(
            "Show your interest in writing too",
            "Add a short, specific paragraph to your cover note about why this team, and "
            "send a brief thank-you after each interview.",
        ),
    ),
    "evidence": (
        Play(
            "Put numbers on your achievements",
            "Go through your CV and give each bullet a result: time saved, money, volume, "
            "a percentage, a rating. Rough but honest figures beat none.",
        ),
        Play(
            "Build a small portfolio",
            "Gather two or three pieces of work you can show (a report, a dashboard, a case "
            "study with confidential details removed) into one link you can share.",
        ),
        Play(
            "Fill your learning diary with STAR examples",
            "Write down three achievements as situation, task, action and result, each with "
            "one concrete figure, so they are ready for the next competency question.",
        ),
    ),
    "fit": (
        Play(
            "Filter earlier for fit and logistics",
            "Write down your non-negotiables (location, salary range, hours, visa) and "
            "check each posting against them before you apply.",
        ),
        Play(
            "Address the practical question up front",
            "If location, availability or right to work came up, add a clear line about it "
            "to your CV or cover note so it is answered before anyone has to ask.",
        ),
        Play(
            "Find out about team culture before applying",
            "Read employee reviews, the team's own posts, or ask someone who works there "
            "how the team works; apply where your way of working is a natural match.",
        ),
    ),
}

#: For skill feedback that names no particular skill.
UNNAMED_SKILL_PLAYS: tuple[Play, ...] = (
    Play(
        "Pin down the skill they meant, then practise it",
        "Re-read the feedback and the job advert side by side, name the one skill they "
        "point to, and book three short practice sessions on it this week.",
    ),
    Play(
        "Compare your CV with the job advert, skill by skill",
        "List every skill the advert asks for, mark where your CV shows it, and pick the "
        "weakest one to work on with a short course or a small project.",
    ),
)

#: Playbook keys for common skills, and the names that map to them.
SKILL_ALIASES: dict[str, str] = {
    "sql": "sql",
    "postgresql": "sql",
    "mysql": "sql",
    "python": "python",
    "excel": "excel",
    "microsoft excel": "excel",
    "spreadsheets": "excel",
    "stakeholder management": "stakeholder management",
    "stakeholder engagement": "stakeholder management",
    "managing stakeholders": "stakeholder management",
    "presenting": "presenting",
    "presentation": "presenting",
    "presentation skills": "presenting",
    "public speaking": "presenting",
    "leadership": "leadership",
    "people management": "leadership",
    "team leadership": "leadership",
    "project management": "project management",
    "data visualisation": "data visualisation",
    "data visualization": "data visualisation",
    "tableau": "data visualisation",
    "power bi": "data visualisation",
    "negotiation": "negotiation",
    "salary": "salary",
    "salary expectations": "salary",
    "salary expectation": "salary",
    "salary band": "salary",
}

SKILL_PLAYS: dict[str, tuple[Play, ...]] = {
    "salary": (
        Play(
            "Check the band before you name a figure",
            "Before the next screening call, look up the advertised band or two similar roles "
            "nearby, and ask what the band is before you give a number of your own.",
        ),
        Play(
            "Prepare a salary answer with a range",
            "Write down a range you would accept, grounded in three comparable postings, and a "
            "one-line answer that leaves room to talk about the whole package.",
        ),
    ),
    "sql": (
        Play(
            "Sharpen your SQL on a real dataset",
            "Load a public dataset into SQLite or PostgreSQL and answer five business "
            "questions with joins, GROUP BY and a window function; save the queries.",
        ),
        Play(
            "Do a short SQL exercise every day",
            "Work through one problem a day on a free SQL practice site, focusing on joins, "
            "aggregates and window functions, which interviews test most.",
        ),
    ),
    "python": (
        Play(
            "Automate one real task in Python",
            "Pick something you do by hand (renaming files, cleaning a spreadsheet, "
            "checking a website) and write a small script for it; publish it with a README.",
        ),
        Play(
            "Practise Python on small problems",
            "Solve one short problem a day, then reread your solution and tidy it: clear "
            "names, a function or two, a test. Interviewers look at readability.",
        ),
    ),
    "excel": (
        Play(
            "Build one spreadsheet that shows off Excel",
            "Use XLOOKUP, a pivot table and a chart to turn a messy public dataset into a "
            "one-page summary you could walk an interviewer through.",
        ),
        Play(
            "Learn the Excel features roles ask for",
            "Spend an hour each on pivot tables, lookups and conditional formulas, then "
            "redo a past piece of work with them.",
        ),
    ),
    "stakeholder management": (
        Play(
            "Prepare a stakeholder story",
            "Write a STAR example about balancing people who wanted different things: who "
            "they were, how you kept them informed, and what you agreed in the end.",
        ),
        Play(
            "Map the stakeholders in your past projects",
            "For two recent projects, list who had a say, what each cared about and how "
            "you handled disagreement, so you can describe it concretely.",
        ),
    ),
    "presenting": (
        Play(
            "Rehearse a five-minute presentation",
            "Present one of your projects to a friend or your phone's camera: one "
            "message, three points, a clear ending. Repeat until it fits in five minutes.",
        ),
        Play(
            "Find a low-stakes place to present",
            "Offer a short talk at a meetup, a community group or a former team's lunch; "
            "each time in front of people makes the next interview easier.",
        ),
    ),
    "leadership": (
        Play(
            "Collect your leadership moments",
            "Leadership is not only a job title: write down times you mentored someone, "
            "led a piece of work or made a call others followed, with the outcome.",
        ),
        Play(
            "Take the lead on something small",
            "Volunteer to run a project, a community event or an open-source effort for a "
            "few weeks, so you have a recent, concrete example to talk about.",
        ),
    ),
    "project management": (
        Play(
            "Write up one project end to end",
            "Describe a project you ran: scope, plan, risks, what slipped and how you "
            "recovered, and the result. This is the story interviews ask for.",
        ),
        Play(
            "Learn a planning method by using it",
            "Plan your own job search for the next month as a small project with "
            "milestones and a weekly review; it doubles as an example.",
        ),
    ),
    "data visualisation": (
        Play(
            "Publish one dashboard",
            "Turn a public dataset into a small dashboard in the tool the roles ask for, "
            "with a title that states the finding, and share the link on your CV.",
        ),
        Play(
            "Redesign a chart you have made before",
            "Take an old report chart and rebuild it with one message, fewer colours and "
            "labelled values; keep the before and after for your portfolio.",
        ),
    ),
    "negotiation": (
        Play(
            "Rehearse the salary conversation",
            "Research the range for the role, decide your walk-away number, and say your "
            "answer out loud until it sounds calm and matter-of-fact.",
        ),
        Play(
            "Prepare a negotiation example",
            "Write a STAR story about reaching an agreement when both sides wanted "
            "something different, with what you gave, what you gained and the result.",
        ),
    ),
}

ASK_FEEDBACK_PLAYS: tuple[Play, ...] = (
    Play(
        "Ask for feedback on the rejections that gave none",
        "Send the short requests drafted below. Many employers answer a polite, specific "
        "question, and one honest answer is worth more than ten guesses.",
    ),
    Play(
        "Follow up for feedback while it is still fresh",
        "The drafts below take a minute each to send; a week after the decision, "
        "interviewers still remember you and can say what tipped the balance.",
    ),
)

ASK_HABIT_PLAYS: tuple[Play, ...] = (
    Play(
        "Make asking for feedback a habit",
        "Whenever a rejection arrives, reply within a few days with one specific question, "
        "such as what would have made your application stronger. Keep a note of the answers.",
    ),
    Play(
        "Ask the agencies and interviewers you spoke to",
        "If a recruiter or interviewer was involved in any recent application, ask them "
        "how you came across and what the hiring team valued most.",
    ),
)

WIDEN_SEARCH_PLAYS: tuple[Play, ...] = (
    Play(
        "Introduce yourself to two recruitment agencies",
        "Find agencies that specialise in your field in your area, send a short note "
        "with your CV and the roles you want, and ask what they have coming up.",
    ),
    Play(
        "Refresh your CV on the job boards",
        "Update your CV and headline on two job boards you haven't used lately, so "
        "recruiters searching this week can find you.",
    ),
    Play(
        "Set up email job alerts",
        "Create alerts on two or three boards for your target titles and location, so "
        "new roles come to you and land in next week's digest.",
    ),
    Play(
        "Reach out to three people in your network",
        "Message former colleagues or contacts in companies you like: say what you are "
        "looking for and ask who they would talk to.",
    ),
)

#: Why each way of widening the search is worth doing, in the same order.
WIDEN_SEARCH_REASONS: tuple[str, ...] = (
    "Agencies often hear about roles before they are advertised.",
    "An updated CV is more likely to come up when recruiters search.",
    "",  # filled in from this week's job alerts
    "Plenty of roles are filled through someone who knows someone.",
)

DIARY_PLAYS: tuple[Play, ...] = (
    Play(
        "Add one entry to your learning diary",
        "Write down one thing you achieved or learnt this week, as a STAR example, so "
        "it is ready for your next interview.",
    ),
    Play(
        "Turn this week into a STAR example",
        "Pick one moment from this week's applications or interviews and write it up as "
        "situation, task, action and result while you still remember the details.",
    ),
)

DIARY_PROMPTS: tuple[str, ...] = (
    "What is one thing you did better in an application or interview this week than a "
    "month ago? Write down what changed and why.",
    "Think of a problem you solved at work or on a project. What was the situation, what "
    "did you do, and what happened as a result?",
    "Which question this week (from an interviewer, a form or yourself) was hardest to "
    "answer? Draft the answer you would like to give next time.",
    "Write about a time you received criticism. What did you change afterwards, and what "
    "did it lead to?",
    "What did you learn this week, about a skill, an industry or the kind of job you "
    "want? One paragraph is enough.",
    "Describe a result you are proud of with one number attached to it: time, money, "
    "people, or quality.",
    "Recall a time you worked with someone difficult. What did you do to keep the work "
    "moving, and what would you do again?",
    "Which employer this week did you most want to work for, and why? Note what that "
    "tells you about where to apply next.",
)

SKILL_DIARY_PROMPTS: tuple[str, ...] = (
    "Feedback mentioned {skill}. Write down the last time you used it: what was the "
    "situation, what did you do, and what was the result?",
    "Think about {skill}: what can you already do, and what is the one thing you would "
    "learn next? Write both down, with an example for the first.",
)

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
    actions: list[Action] = []
    for theme in themes:
        if len(actions) >= room:
            break
        action = _theme_action(theme, week, done)
        if action is not None:
            actions.append(action)
    if silent:
        play = pick(ASK_FEEDBACK_PLAYS, week, "ask")
        count = len(silent)
        actions.append(
            Action(
                title=play.title,
                steps=play.steps,
                why=f"{count} rejection{'s' if count != 1 else ''} came without any feedback.",
                evidence=tuple(Evidence(source=_silent_source(r)) for r in silent[:3]),
                key=f"ask@{week}",  # new rejections each week: never retired for good
            )
        )
    elif not feedback_this_week:
        habit = pick_open(ASK_HABIT_PLAYS, week, "habit", done)
        if habit is not None:
            play, key = habit
            actions.append(
                Action(play.title, play.steps, "No feedback arrived this week.", (), key)
            )
    widen = [i for i in _rotation(week, len(WIDEN_SEARCH_PLAYS)) if f"widen#{i}" not in done]
    if not feedback_this_week:
        room = MAX_ACTIONS - len(actions)
        actions.extend(_widen_action(i, postings) for i in widen[:room])
        widen = widen[room:]
    if len(actions) < MAX_ACTIONS:
        play = pick(DIARY_PLAYS, week, "diary")
        actions.append(
            Action(
                play.title,
                play.steps,
                "Written examples make the next competency question easier.",
                (),
                f"diary@{week}",
            )
        )
    shown = {a.key for a in actions}
    for index in widen:
        if len(actions) >= MIN_ACTIONS:
            break
        if f"widen#{index}" not in shown:
            actions.append(_widen_action(index, postings))
    return actions[:MAX_ACTIONS]


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
