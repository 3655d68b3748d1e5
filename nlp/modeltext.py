"""What the two models read, at training and at run time, and the rules around them.

:func:`label_text` and :func:`gap_text` build the texts the label and gap pipelines were
trained on; :func:`gap_focus` picks the clause of a sentence the gap model reads;
:func:`job_context` says when mail is plainly not about a job search; and
:func:`bounded_email` caps and collapses every text before spaCy sees it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from email.utils import parseaddr
from functools import lru_cache

from bounceback.nlp.entities.common import _word_list
from bounceback.nlp.gapcues import category_cues
from bounceback.nlp.polarity import praise_only
from bounceback.nlp.pursuits import pursues_no_job
from bounceback.nlp.reading import MAX_NAME, MAX_SUBJECT, bounded, reading_text
from bounceback.nlp.records import EmailText
from bounceback.nlp.skills import find_skills

__all__ = [
    "bounded_email",
    "gap_focus",
    "gap_text",
    "job_context",
    "label_text",
]

# The label model reads this much of the body: the decision is nearly always near the top.
_MAX_BODY_CHARS = 4000
_QUOTE_LINE = re.compile(r"^[ \t]*>.*$\n?", re.MULTILINE)
_ADDRESS_PUNCT = re.compile(r"[<>@._+\-\"]+")
_SLUG = re.compile(r"\W+")
# Body length buckets (in words) for the length token of label_text.
_LENGTH_BUCKETS = (
    (8, "lengthtiny"),
    (20, "lengthshort"),
    (60, "lengthmedium"),
    (10**9, "lengthlong"),
)


def label_text(email: EmailText) -> str:
    """The text the label model reads, at training and at run time: subject, sender, body."""
    sender_words = _sender_words(email.sender)
    # Line breaks are layout, not words: the same text wrapped, or sent as HTML, must score
    # the same, so the body is read as one run of words.
    body = " ".join(_QUOTE_LINE.sub("", email.body[:_MAX_BODY_CHARS]).split())
    # A bag of words sums evidence, so a five-word note scores near its bias for every
    # label; a length token gives the model a learned bias per length instead.
    words = body.count(" ") + 1 if body else 0
    length = next(name for limit, name in _LENGTH_BUCKETS if words < limit)
    # Lower-cased: bag-of-words features are case-sensitive and the corpus is small.
    return f"{email.subject.strip()}\n{sender_words}\n{body}".lower() + f"\n{length}"


@lru_cache(maxsize=8192)
def _sender_words(sender: str) -> str:
    """The sender as words (a mailbox has few distinct senders, so this is cached)."""
    name, address = parseaddr(sender)
    # The top-level domain says nothing about the mail, and reserved ones (.test,
    # .example) would teach the model words like "test" from addresses.
    address = address.rpartition(".")[0] if "@" in address and "." in address else address
    return _ADDRESS_PUNCT.sub(" ", f"{name} {address}").strip()


def gap_text(sentence: str) -> str:
    """The text the gap model reads, at training and at run time.

    Lower-cased (the bag-of-words features are case-sensitive and the corpus is small),
    plus one marker token per lexicon hit: ``skillmarker`` for a hard skill and
    ``topic_<name>`` for a soft topic, so an unseen tool name still looks like a skill;
    and one cue token per category cue (:func:`~bounceback.nlp.gapcues.category_cues`).
    Line breaks are layout: a sentence wrapped by an HTML-to-text step reads as one run of
    words (a newline is a token of its own to spaCy and moved one gap below its bar).
    """
    markers = {
        "skillmarker" if match.hard else "topic_" + _SLUG.sub("_", match.skill.lower())
        for match in find_skills(sentence)
    }
    markers.update(category_cues(sentence))
    return " ".join([*sentence.lower().split(), *sorted(markers)])


# Words that put a mail in a job search. A short note with none of them anywhere — subject,
# sender or body — is everyday mail ("Free for lunch on Friday?"), whatever a bag of words
# trained on terse calendar invitations makes of it.
_JOB_CONTEXT = re.compile(
    r"\b(?:applica(?:tion|nt)s?|applied|apply|applying|candida(?:te|cy|tes)|roles?|positions?|"
    r"vacanc(?:y|ies)|jobs?|posts?|openings?|interview\w*|recruit\w*|hiring|hire|"
    r"shortlist\w*|offer letter|cv|r[eé]sum[eé]|careers?|talent|assessment|screening|"
    r"hr|onboarding|contract|salary|start date|team|manager|panel|employment|opportunit\w+)\b",
    re.IGNORECASE,
)
_SHORT_NOTE_WORDS = 25


# Decisions and "interviews" from outside a job search: rentals, houses, loans, study,
# papers, passports, podcasts and research. Only read when no hiring word is near them.
_OTHER_DOMAIN = re.compile(
    r"\b(?:rent(?:al|ing)?|tenan(?:t|cy|ts)|landlord|lettings?|propert(?:y|ies)|vendors?|"
    r"mortgage|loan|podcast|episode|listeners|radio|customer interview|"
    # not a hiring step's "case study", nor "bring your portfolio on paper"
    r"user research|research study|(?<!case )study|degree|universit(?:y|ies)|"
    r"passport|visa|case status|switch|membership|manuscript|journal|(?<!on )paper|"
    r"school place|(?:talk|session|conference) proposals?|call for (?:papers|proposals|speakers)|"
    r"cfp|abstract submission|hackathon|ballot|funding (?:application|round|bid)|"
    r"credit card|overdraft|credit (?:check|score|limit)|matched with a mentor|"
    r"mentoring (?:programme|program|scheme)|promotion (?:case|committee|panel|cycle|round)|"
    # mail about the reader's child: a place, a squad, a school
    r"dear parents?(?:/carers?)?|your (?:child|son|daughter)(?:'s)?|"
    # a grant applied for ("grant application", "the Small Projects grant"), never a person
    # called Grant ("helen.grant@") or a verb ("we cannot grant sponsorship")
    r"(?-i:grants?) (?:application|round|scheme|fund)|(?-i:[A-Z][a-z]+ grant))\b",
    re.IGNORECASE,
)
# A word each of those alternatives needs: most mail has none of them, and a set test on its
# words is far cheaper than the pattern (tests check they always agree).
_OTHER_DOMAIN_WORDS = frozenset(
    (
        "rent", "rental", "renting", "tenant", "tenancy", "tenants", "landlord", "letting",
        "lettings", "property", "properties", "vendor", "vendors", "mortgage", "loan", "podcast",
        "episode", "listeners", "radio", "customer", "user", "research", "study", "degree",
        "university", "universities", "passport", "visa", "status", "switch", "membership",
        "manuscript", "journal", "paper", "school", "proposal", "proposals", "papers", "speakers",
        "cfp", "abstract", "hackathon", "ballot", "funding", "credit", "overdraft", "mentor",
        "mentoring", "promotion", "parent", "parents", "child", "son", "daughter", "grant",
        "grants",
    )
)  # fmt: skip
_LOWER_WORD = re.compile(r"[a-z]+")


def _other_domain(head: str) -> bool:
    """True if ``head`` is about a rental, a house, a loan, study, a paper... (_OTHER_DOMAIN)."""
    if _OTHER_DOMAIN_WORDS.isdisjoint(_LOWER_WORD.findall(head.lower())):
        return False
    return bool(_OTHER_DOMAIN.search(head))


_HIRING = re.compile(
    r"\b(?:roles?|positions?|vacanc(?:y|ies)|jobs?|candidate|cv|r[eé]sum[eé]|hiring|recruit\w*|"
    r"careers?|talent|employment|employer|salary|applicant tracking|offer letter|candidates|"
    r"(?:the|this|a) post (?:of|at|in|for))\b",
    re.IGNORECASE,
)
_HEAD_CHARS = 600
# What makes a calendar invitation job mail: the event is an interview, an assessment or a
# hiring conversation ("Interview - Staff Nurse", "Call with the hiring manager").
_CALENDAR_JOB = re.compile(
    r"\b(?:interview\w*|assessment|screen(?:ing)?|hiring|recruit\w*|candidate|"
    r"roles?|positions?|vacanc(?:y|ies)|jobs?|job offer|offer call|onsite|on-site|panel|"
    r"trial shift|technical|take-home|case study|round|psychometric|aptitude|talent)\b",
    re.IGNORECASE,
)
_CAPITAL_WORD = re.compile(r"\b[A-Z][a-z]+\b")


def _calendar_job(text: str) -> bool:
    """True if a calendar invitation's text is about a hiring step or names a job title
    ("Operations Lead - Round 2", "Interview: Staff Nurse")."""
    if _CALENDAR_JOB.search(text):
        return True
    heads = _word_list("role_heads.txt")
    return any(word.lower() in heads for word in _CAPITAL_WORD.findall(text[:_HEAD_CHARS]))


def job_context(email: EmailText, *, confident: bool = False) -> bool:
    """False for mail that is plainly not about a job search.

    That is a short note with no job-search word anywhere in it, or mail whose subject and
    opening are about a rental, a house, a loan, study, a paper, a podcast and so on, with
    no hiring word (role, vacancy, candidate, CV...) anywhere near, or about applying for
    something that is no job (a market stall, a contest, an award, a tender:
    :func:`~bounceback.nlp.pursuits.pursues_no_job`). A short note the
    model is ``confident`` about ("sorry, we went with someone else") keeps its labels.
    Headers count too: a calendar invitation whose event is no hiring step, and bulk or
    machine-sent mail with no job word anywhere, are everyday mail.
    """
    head = f"{email.subject}\n{email.sender}\n{email.body[:_HEAD_CHARS]}"
    if _other_domain(head) and not _HIRING.search(head):
        return False
    if pursues_no_job(email.subject, email.body):
        return False
    signals = email.signals
    if signals.calendar and not _calendar_job(f"{email.subject}\n{email.body}"):
        return False  # "Invitation: Cricket nets @ Sun 7am": a calendar, not an interview
    if (signals.bulk or signals.automated) and not _JOB_CONTEXT.search(
        f"{email.subject}\n{email.sender}\n{email.body}"
    ):
        return False  # a mailing or a machine's notice that never mentions a job
    if len(email.body.split()) > _SHORT_NOTE_WORDS or confident:
        return True
    if _JOB_CONTEXT.search(f"{email.subject}\n{email.sender}\n{email.body}"):
        return True
    return _subject_is_a_title(email.subject)  # "barista": "we found someone, thanks!"


_SUBJECT_WORD = re.compile(r"[A-Za-z]+")


def _subject_is_a_title(subject: str) -> bool:
    """True for a short subject that names a job ("line cook", "Re: labourer")."""
    words = _SUBJECT_WORD.findall(subject)
    words = [w for w in words if w.lower() not in ("re", "fw", "fwd")]
    return 0 < len(words) <= 4 and words[-1].lower() in _word_list("role_heads.txt")


# "Your demo was great, although you lacked Terraform": the point is after the contrast.
_CONTRAST = re.compile(r",\s+(?:but|however,?|although|though|whereas|yet)\s+", re.IGNORECASE)


def gap_focus(sentence: str) -> str:
    """What the gap model reads of one sentence: the clause after a contrast that follows
    praise, else the whole sentence. The gap reported is always the whole sentence."""
    matches = list(_CONTRAST.finditer(sentence))
    if not matches:
        return sentence
    found = matches[-1]
    rest = sentence[found.end() :]
    if len(rest.split()) < 3 or not praise_only(sentence[: found.start()]):
        return sentence
    return rest


def bounded_email(email: EmailText) -> EmailText:
    """``email`` with every text the pipelines read capped and collapsed."""
    body = email.body
    if not body.strip() and email.html:
        body = reading_text(None, email.html)
    subject, sender = email.subject, email.sender
    if len(subject) > MAX_SUBJECT or not subject.isascii():
        subject = bounded(subject, MAX_SUBJECT)
    if len(sender) > MAX_NAME or not sender.isascii():
        sender = bounded(sender, MAX_NAME)
    new_body = bounded(body)
    if new_body is body and subject is email.subject and sender is email.sender:
        return email
    return replace(email, subject=subject, sender=sender, body=new_body)
