"""Playbook wording for common skills (SQL, Python, Excel, ...) and the names that map to them."""

from __future__ import annotations

from bounceback.digest.plays import Play

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
