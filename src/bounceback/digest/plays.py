"""The playbook's wording: every action it can suggest, in several phrasings each.

Pure data (no logic) so the words can be reviewed and extended in one place;
`bounceback.digest.playbook` chooses among them. Skill-specific plays live in
`bounceback.digest.skill_plays`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Play:
    """One action in the playbook; `{skill}` in the text is filled in."""

    title: str
    steps: str


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
