"""A keyword-rule baseline, scored exactly like the spaCy analyser.

This is what job-email trackers and Gmail filter scripts do: regular expressions over the
subject and body ("unfortunately", "regret to inform", "move forward with other
candidates", "invite you to interview", "pleased to offer", "job alert"...), a job-context
check so that paper rejections and declined meetings stay "other", gap sentences found
by cue phrases ("lacked", "more experience", "could improve"...) and categorised by
keyword lists, the company taken from the sender's display name or domain, and the role
from common subject lines. It is meant to be a fair, reasonably tuned reference point,
not a strawman: the rules were written against the taxonomy in DESIGN.md, not against
the dev split, and it uses the same segmenter as the analyser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from email.utils import parseaddr
from itertools import islice

from bounceback.nlp.records import Analysis, EmailText, Gap
from bounceback.nlp.segment import segment
from bounceback.nlp.skills import best_skill
from bounceback.nlp.taxonomy import GAP_CATEGORIES, LABELS

__all__ = ["KeywordBaseline", "gap_category", "label_scores"]


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_JOB_CONTEXT = _rx(
    r"\bapplica(?:tion|nt)s?\b",
    r"\bcandida(?:te|cy)s?\b",
    r"\b(?:role|position|vacancy|vacancies|job|post|opening)s?\b",
    r"\binterview",
    r"\brecruit",
    r"\bhiring\b",
    r"\bapplied\b",
    r"\bshortlist",
)
_REJECTION = _rx(
    r"\bregret to (?:inform|advise|let you know)",
    r"\b(?:not|won'?t|will not|unable to) (?:be )?(?:moving|move|taking|take|progressing|progress"
    r"|proceeding|proceed)(?: forward| further)?",
    r"\b(?:move|moving|proceed|proceeding|go|going|progress|progressing) (?:forward |ahead )?"
    r"with (?:other|another|a different) (?:candidate|applicant)",
    r"\b(?:not|n't) (?:been )?successful\b|\bunsuccessful\b",
    r"\bregret(?:tably)? (?:that|to say)\b|\bregrettably\b",
    r"\b(?:continue|go|gone|proceed) with (?:another|someone else|a different)",
    r"\b(?:decided|chosen|chose) (?:against|not to (?:progress|proceed|take|offer|move))",
    r"\b(?:offered|given) the (?:position|role|job) to (?:someone|another)",
    r"\bwon'?t be (?:offering|progressing|taking you)|\bnot (?:be )?moving ahead",
    r"\bnot (?:been )?(?:shortlisted|selected)\b",
    r"\b(?:position|role|vacancy) (?:has )?(?:now )?(?:been )?(?:filled|closed|withdrawn)",
    r"\b(?:decided|chosen|opted) (?:not to|to pursue other|to go with)",
    r"\boffered (?:the (?:role|position) )?to another",
    r"\b(?:hiring|recruitment) (?:is |has been )?(?:paused|on hold|frozen)",
    r"\bno longer (?:considering|progressing|being considered)",
    r"\bother candidates (?:whose|who)",
    r"\bnot (?:be )?(?:offering|able to offer) you\b",
)
_SOFT_REJECTION = _rx(r"\bunfortunately\b", r"\bsadly\b", r"\bon this occasion\b")
_FEEDBACK_WORD = _rx(r"\bfeedback\b", r"\bareas? (?:for|of) (?:improvement|development)")
_NO_FEEDBACK = _rx(
    r"\b(?:unable|not able|cannot|can't|won't be able) to (?:provide|give|offer) "
    r"(?:individual |personal |specific |detailed )?feedback",
    r"\bfeedback (?:survey|form) about (?:our|your experience)",
    r"\bhow (?:did we do|was your experience)",
)
_INTERVIEW = _rx(
    r"\binvit(?:e|ing|ation) (?:you )?(?:to|for) (?:an? |the |your )?(?:\w+ )?"
    r"(?:interview|call|chat|assessment|meeting|screen|test|trial|round|conversation)",
    r"\binterview (?:invitation|invite|request|confirmation|slot|schedule)",
    r"\b(?:schedule|book|arrange|reschedule|set up|confirm) (?:an? |your |the )?(?:\w+ )?"
    r"(?:interview|call|screen|slot|time|assessment)",
    r"\b(?:phone|video|telephone|technical|final|second|first) (?:interview|screen|round)",
    r"\bassessment (?:centre|center|day)\b",
    r"\btrial shift\b",
    r"\b(?:online|coding|technical|psychometric) (?:assessment|test|challenge|exercise)",
    r"\b(?:hackerrank|codility|hirevue|calendly|testgorilla)\b",
    r"\byour availability\b",
    r"\bnext (?:round|stage)\b|\bsecond stage\b",
    r"\bmeet (?:with )?you\b|\bworking interview\b|\bjump on a (?:quick )?call",
    r"\b(?:are|would) you (?:be )?(?:free|available)\b|\bwhich of the (?:times|slots|dates)",
)
_RECEIVED = _rx(
    r"\b(?:we have |we've )?received your application",
    r"\bthank(?:s| you) for (?:applying|your application|submitting)",
    r"\bapplication (?:has been |was )?(?:received|submitted)",
    r"\b(?:is|are) (?:currently )?(?:under|being) review",
    r"\bwill (?:review|be reviewing) your application",
    r"\backnowledge receipt|\breceipt of your application|\bapplication (?:was|has been) sent",
    r"\b(?:now )?in review\b|\bpassed (?:it|your cv|your application) (?:on )?to",
)
_OFFER = _rx(
    r"\b(?:pleased|delighted|happy|thrilled|excited) to (?:offer|extend|make)",
    r"\boffer (?:letter|of employment|pack)",
    r"\bjob offer\b",
    r"\b(?:verbal|formal|conditional|revised|written) offer\b",
    r"\baccept(?:ing)? (?:the|this|our|your) offer",
    r"\bextend(?:ed|ing)? (?:an|the) offer",
    r"\boffer of appointment|\b(?:like|love) you to join\b|\bwelcome aboard",
    r"\bthe offer (?:we sent|is open|details)|\b(?:have|has) offered (?:you )?[£$€]",
)
_ALERT = _rx(
    r"\bjob alerts?\b",
    r"\b(?:new |recommended |top |latest )jobs?\b",
    r"\bjobs? (?:for you|matching|that match|you may (?:like|be interested))",
    r"\broles? (?:you may|that might|that could) (?:like|interest|suit)",
    r"\b(?:similar|recommended) (?:jobs|roles)\b",
    r"\bapply now\b",
    r"\bview (?:all )?jobs?\b",
    r"\bopen to (?:a |new )?(?:new )?(?:opportunit|role|conversation)",
    r"\bcame across your (?:profile|cv)",
    r"\b(?:jobs|roles) you might like|\b(?:could|would|might) suit you|\byou'd suit\b",
    r"\bwe're hiring\b|\bfancy hearing more|\bopen to learning more",
)

# Gap cues: phrasing that says something was missing or should improve.
_GAP_CUE = _rx(
    r"\black(?:ed|ing|s)?\b",
    r"\blimited\b",
    r"\bmore (?:experience|exposure|examples|detail|depth|confident|concise|structured)",
    r"\bcould (?:have )?(?:improve|be improved|been|strengthen|work on|benefit)",
    r"\bwould have (?:liked|helped|preferred|been (?:good|nice|better|helpful))",
    r"\bmight have helped\b",
    r"\b(?:needs?|needed) (?:to|more|some|a bit|further)\b",
    r"\bnot (?:quite |yet |fully |really |as )?(?:enough|strong|clear|sufficient|convinc|sure|"
    r"aware|familiar|confident|comfortable|at the level|the level)",
    r"\b(?:weak|weaker|below|struggled|unclear|insufficient|unfamiliar)\b",
    r"\b(?:didn't|did not|wasn't|was not|hadn't|had not|couldn't|could not|weren't)\b",
    r"\btoo (?:long|brief|short|junior|senior|quiet|vague|general|high|formal|fast)\b",
    r"\b(?:concern|concerned|gap|gaps) (?:about|was|were|in|with)\b",
    r"\b(?:work on|brush up|develop(?:ing)? your|would benefit|recommend (?:that )?you)",
    r"\b(?:successful|preferred|other|selected) (?:candidate|applicant)s? (?:had|has|was|were|"
    r"brought|showed|could)",
    r"\b(?:above|over|higher than) (?:our|the|their) (?:budget|band|range)",
    r"\b(?:unable|not able) to (?:sponsor|offer (?:sponsorship|relocation))",
    r"\b(?:we'd|we would|they'd|they would) have liked|\bwanted to see\b|\bshow more\b",
    r"\b(?:we|they|the client|the team) (?:need|needs|needed|wanted|want|were looking for|"
    r"was looking for|prefer|preferred) (?:someone|a candidate|somebody)",
    r"\b(?:don't|doesn't|do not|does not|haven't|have not|aren't|isn't|weren't able)\b",
    r"\b(?:overqualified|incomplete|vague|rushed|lukewarm|lighter|light on|less|fewer|"
    r"errors?|mistakes?|hesitant|unsure|uncertain|unprepared|rather than)\b",
    r"\b(?:went|gone) with (?:someone|somebody|a candidate)|\balready (?:had|has|knows)\b",
    r"\b(?:would|will) need\b|\bnone of\b|\bonly (?:student|academic|basic|theoretical)",
    r"\b(?:more|most|mainly|mostly) (?:interested|suited|in|on|with|about)\b",
)
# A sentence that is only praise or boilerplate is never a gap.
_NOT_GAP = _rx(
    r"^(?:thank|thanks|many thanks|kind regards|best|regards|good luck|wishing)\b",
    r"\b(?:unable|not able) to (?:provide|give) (?:individual |detailed )?feedback",
    r"\bnothing (?:specific|wrong)\b",
    r"\bdid nothing wrong\b",
)
# Keyword lists per category, most specific first (ties go to the earlier category).
_CATEGORY_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "fit",
        _rx(
            r"\bsalary|\bbudget\b|\bband\b|\bpackage\b|\bctc\b|\bday rate|\bhourly rate",
            r"\bvisa\b|\bsponsor|\bwork rights|\bright to work|\bclearance\b",
            r"\brelocat|\bcommut|\blocation\b|\bbased in\b|\bdistance\b|\bremote\b|\bhybrid\b",
            r"\bnotice period|\bstart date|\bstart (?:sooner|immediately)|\bavailab",
            r"\bshifts?\b|\bweekends?\b|\broster|\brota\b|\bpart-time|\bhours\b",
            r"\bculture|\bvalues\b|\bfit\b|\boverqualified|\bteam dynamic",
            r"\bdriving licen[cs]e",
        ),
    ),
    (
        "preparation",
        _rx(
            r"\bresearch|\bprepar|\bwebsite\b|\bjob description|\bread up\b|\bpre-read",
            r"\b(?:knew|know|knowledge of|aware of|unaware) (?:about |of )?(?:our|the) "
            r"(?:company|organisation|organization|firm|business|products?|services|clients?"
            r"|values|strategy|mission)",
            r"\bquestions? (?:prepared|ready|at the end|for the panel)",
            r"\bcompetitors\b|\bannual report|\bthe brief\b|\b(?:we|you) (?:asked for|sent)",
            r"\bwhat you knew\b|\b(?:our|the) (?:department|customers|menu|app|site)\b",
        ),
    ),
    (
        "motivation",
        _rx(
            r"\bmotivat|\benthusias|\bpassion|\bexcite|\bkeen\b|\bcommit|\bdrive\b|\bhunger",
            r"\binterest(?:ed)? in\b|\bwhy (?:you|this|us|our)\b|\bwant(?:ed)? (?:the|this|a) "
            r"(?:role|job|career)",
            r"\bstepping stone|\bmove on\b|\blong-term\b",
        ),
    ),
    (
        "evidence",
        _rx(
            r"\bexamples?\b|\bmetrics?\b|\bnumbers\b|\bquantif|\bmeasurable|\bfigures\b",
            r"\bresults?\b|\boutcomes?\b|\bimpact\b|\bachievements?\b|\btrack record",
            r"\bportfolio|\bstar\b|\bevidence|\bsamples?\b|\bcase stud|\bgithub\b",
        ),
    ),
    (
        "communication",
        _rx(
            r"\bconcise|\bclear(?:ly|er)?\b|\bstructur|\bramble|\brambling|\blong-winded",
            r"\bpresent(?:ation|ing|ed)?\b|\bconfiden|\beye contact|\bbody language",
            r"\bspeak|\bspoke|\bexplain|\barticulat|\blisten|\bnervous|\btone\b|\bjargon",
            r"\bwritten\b|\bspelling|\bgrammar|\bcommunicat|\bfollow\b|\btangent",
        ),
    ),
    (
        "experience",
        _rx(
            r"\bexperience|\byears?\b|\bexposure|\bbackground\b|\bsenior|\bjunior",
            r"\bmanag(?:ed|ing|ement)\b|\bleadership|\bled\b|\bworked (?:in|with|on)",
        ),
    ),
    (
        "skill",
        _rx(
            r"\bskills?\b|\bknowledge\b|\btechnical|\bcoding|\btest\b|\bproficien|\bfluen",
            r"\bfamiliar|\bunderstanding|\bsql\b|\bpython\b|\bexcel\b|\bjava\b|\bsoftware",
        ),
    ),
)
_SKILL_WORDS = _rx(r"\bsql\b|\bexcel\b|\bpython\b|\bjava(?:script)?\b|\baws\b|\bkubernetes")

_DISPLAY_NOISE = _rx(
    r"\b(?:careers?|jobs?|recruit(?:ment|ing|er)?s?|talent(?: acquisition)?|hiring|hr|"
    r"people(?: team)?|team|no-?reply|notifications?|applications?|resourcing|via \w+)\b"
)
_NOT_EMPLOYER_DOMAINS = frozenset(
    [
        "gmail",
        "googlemail",
        "outlook",
        "hotmail",
        "live",
        "yahoo",
        "icloud",
        "me",
        "aol",
        "proton",
        "protonmail",
        "fastmail",
        "greenhouse",
        "lever",
        "workday",
        "myworkday",
        "icims",
        "smartrecruiters",
        "successfactors",
        "taleo",
        "jobvite",
        "linkedin",
        "indeed",
        "workable",
        "teamtailor",
        "ashbyhq",
        "bamboohr",
        "recruitee",
        "personio",
        "example",
    ]
)
_PERSON = re.compile(r"^[A-Z][a-z]+ [A-Z][a-z'-]+$")
_ROLE_SUBJECT = (
    re.compile(
        r"(?:application|applying|applied) (?:for|to) (?:the )?(?P<role>[^|:,(]+?)"
        r"(?: role| position| vacancy| at | with | -|$)",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?:interview|offer|update)\b[^:]*?(?: for|:| -) (?:the |your )?(?P<role>[^|:,(]+?)"
        r"(?: role| position| at | with |$)",
        re.IGNORECASE,
    ),
)
_ROLE_BODY = re.compile(r"\bfor the (?P<role>(?:[A-Z][\w&/+-]*\s?){1,6}) (?:role|position)\b")


def _score(strong: bool, weak: bool = False) -> float:
    return 0.9 if strong else 0.6 if weak else 0.05


def label_scores(email: EmailText) -> dict[str, float]:
    """Rule scores for the six labels: 0.9 strong cue, 0.6 weak cue, 0.05 none (>= 0.5 wins)."""
    text = f"{email.subject}\n{email.body[:4000]}"
    job = bool(_JOB_CONTEXT.search(text))
    invite = bool(_INTERVIEW.search(text))
    rejected = job and bool(_REJECTION.search(text))
    soft = job and not invite and bool(_SOFT_REJECTION.search(text))
    scores = {
        "rejection": _score(rejected, soft),
        "feedback": 0.05,
        "interview": _score(job and invite and not rejected),
        "application_received": _score(
            job and bool(_RECEIVED.search(text)) and not (rejected or invite)
        ),
        "offer": _score(bool(_OFFER.search(text)) and not rejected),
        "job_alert": _score(bool(_ALERT.search(text))),
    }
    if job and _FEEDBACK_WORD.search(text) and not _NO_FEEDBACK.search(text):
        scores["feedback"] = 0.6
    return scores


def is_gap_sentence(sentence: str) -> bool:
    """True if a cue phrase says something was missing or should improve."""
    return bool(_GAP_CUE.search(sentence)) and not _NOT_GAP.search(sentence)


def gap_category(sentence: str) -> tuple[str, float]:
    """(category or ``none``, confidence) for one sentence: cue first, then keyword counts."""
    if not is_gap_sentence(sentence):
        return "none", 0.6
    best, best_hits = "skill", 0
    for category, words in _CATEGORY_WORDS:
        hits = len(words.findall(sentence))
        if category == "skill":
            hits += len(_SKILL_WORDS.findall(sentence))
        if hits > best_hits:
            best, best_hits = category, hits
    return best, 0.8 if best_hits >= 2 else 0.6


def company_and_role(email: EmailText) -> tuple[str | None, str | None]:
    """Company from the display name (minus 'Careers', 'Talent Team'...) or domain; role
    from the subject ("Application for X", "Interview: X") or "for the X role"."""
    name, address = parseaddr(email.sender)
    company = re.sub(r"\s{2,}", " ", _DISPLAY_NOISE.sub(" ", name)).strip(" -|,.&\"'") or None
    if company and _PERSON.match(company) and company == name.strip():
        company = None
    if company is None and "@" in address:
        parts = address.rpartition("@")[2].lower().split(".")
        core = next((p for p in parts[:-1] if p not in {"mail", "email", "jobs", "careers"}), "")
        if core and core not in _NOT_EMPLOYER_DOMAINS and len(parts) >= 2:
            company = core.upper() if len(core) <= 3 else core.replace("-", " ").title()
    role = None
    for pattern in _ROLE_SUBJECT:
        match = pattern.search(email.subject)
        if match:
            role = match.group("role").strip() or None
            break
    if role is None:
        match = _ROLE_BODY.search(email.body[:3000])
        role = match.group("role").strip() if match else None
    return company, role


class KeywordBaseline:
    """The rule baseline behind the same interface as :class:`Analyzer` for evaluation."""

    review_below = 0.7

    def analyze(self, emails: Iterable[EmailText], *, batch_size: int = 256) -> Iterator[Analysis]:
        """Analyses in input order (``batch_size`` only mirrors the analyser's signature)."""
        iterator = iter(emails)
        while batch := list(islice(iterator, batch_size)):
            yield from (self.analyze_one(email) for email in batch)

    def analyze_one(self, email: EmailText) -> Analysis:
        """Labels, company, role and gaps of one email by rules."""
        scores = label_scores(email)
        gaps: list[Gap] = []
        if scores["rejection"] >= 0.5 or scores["feedback"] >= 0.5:
            for seg in segment(email.body):
                if len(seg.text.split()) < 3:
                    continue
                category, confidence = gap_category(seg.text)
                if category in GAP_CATEGORIES:
                    skill = best_skill(seg.text, category)
                    gaps.append(Gap(category, seg.text, seg.start, seg.end, skill, confidence))
        if gaps:
            scores["feedback"] = 0.9
        labels = tuple(label for label in LABELS if scores[label] >= 0.5)
        # Like the analyser: no employer or role for "other" mail or a multi-company alert.
        company, role = (
            company_and_role(email) if labels and labels != ("job_alert",) else (None, None)
        )
        return Analysis(
            id=email.id,
            labels=labels,
            scores=scores,
            company=company,
            role=role,
            gaps=tuple(gaps),
        )

    def gap_categories(self, sentences: Iterable[str]) -> Iterator[tuple[str, float]]:
        """(category or ``none``, confidence) per isolated sentence."""
        return (gap_category(sentence) for sentence in sentences)

    def gap_needs_review(self, confidence: float) -> bool:
        """True for the single-keyword guesses (confidence 0.6)."""
        return confidence < self.review_below
