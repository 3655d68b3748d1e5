"""Company and role of a job email, from the sender, the subject and the body.

Pure regex (plus a cached wordninja split of long domain names). Evidence is tried from
most to least reliable:

* role: subject patterns ("Your application for X at Y", "Application: X", "Re: X role"),
  then body patterns ("the X position", "the role of X", "applying for X"), then a subject
  part that is a job title once filler, reference numbers and dates are gone ("Req 44821
  Warehouse Supervisor", "Chef de Partie trial shift"; a short bracket such as "(ICU)"
  stays), then body sentences in any case ("the warehouse supervisor role", "applying to
  become a Wholetime Firefighter with", "Role: Staff Backend Engineer", "...for:" and the
  title on its own line), then a job board's card (the line beside or above the
  employer's name). A job title ends in a word of ``lexicon/role_heads.txt`` or reads "X
  in Y" / "X, Y" ("Lecturer in Economics"); a leading "Regarding interview for", a year
  or the employer's own name is dropped.
* company: a subject that names the employer ("from X", "application to X", "X invited
  you", "your X interview"), then "at Y" in the subject. If the sender is not the employer
  (an ATS, job board, scheduling tool, recruitment agency or personal address) the employer
  comes from a field line ("Employer: X"), an ATS mailbox or display name, a subject part
  that is a name and no job title ("Feedback - Marston Foods"), the body or subject ("feedback
  from X", "on behalf of X", "our client, X", "X viewed your application", "sent to X"),
  or the board's card; an unnamed client ("our client, a fintech in Leeds") gives none,
  and a board ("NHS Jobs", "reed.co.uk") is never the employer. Otherwise: an employer
  the sender speaks of in the third person ("Harcourt & Lyle have decided": a recruiter
  whose domain looks like an employer's);
  the name in the subject, body or display name whose letters spell the sender's domain
  ("maplestoneassoc.com" -> "Maplestone Associates", "groveandmarsh.com" -> "Grove &
  Marsh") with the organisation words after it ("Corvane Systems"); the display name (minus
  "Careers", "Talent team", departments, people's names); then the sender's domain, split
  at organisation words (``lexicon/org_words.txt``) and spelled as the email spells it
  ("O'Hara Motors"); then body patterns ("at Y", "Y's talent team", "join Y").
"""

from __future__ import annotations

import re
from itertools import pairwise

from bounceback.nlp.entities.common import (
    _CALENDAR_MAILBOX,
    _NOT_ROLE,
    _PERSON_NAME,
    _clean_body_role,
    _clean_company,
    _clean_role,
    _display_name,
    _first_match,
    _is_role,
    _letters_of,
    _parse_sender,
    _relay_own_name,
    _relays,
    _unwrap,
    given_names,
    is_board_host,
)
from bounceback.nlp.entities.company_rules import (
    _BODY_COMPANY_PATTERNS,
    _FIELD_COMPANY,
    _ats_display_employer,
    _board_name,
    _card_company,
    _clean_relayed,
    _from_display_name,
    _from_sender_names,
    _longer_name,
    _subject_named_company,
    _subject_part_company,
    _third_person_employer,
)
from bounceback.nlp.entities.domains import _from_domain, _is_tail, _sender_core
from bounceback.nlp.entities.relayed import (
    _relayed_in_text,
    _signature_employer,
    _signed_employer,
)
from bounceback.nlp.entities.role_rules import (
    _BODY_ROLE_PATTERNS,
    _BODY_TITLE_PATTERNS,
    _GENDER_TAG,
    _body_title,
    _card_role,
    _clean_body_title,
    _from_subject,
    _subject_part_role,
    fuller_title,
    title_case,
)
from bounceback.nlp.entities.tenants import tenant_employer

__all__ = ["rule_company_role"]

#: How much of the body the rules read.
RULE_BODY_CHARS = 3000


def rule_company_role(subject: str, sender: str, body: str) -> tuple[str | None, str | None]:
    """The rules' best guess at (company, role) for one email; either may be None."""
    subject_company, role = _from_subject(subject)
    head = _unwrap(body[:RULE_BODY_CHARS])
    role, fuller = _rule_role(subject, head, role)
    company = _rule_company(subject, sender, head, subject_company, role)
    if role and company and role.casefold() == company.casefold():
        # "Feedback - Ostrava Logistics": the subject named the employer, not the job
        role = _first_match(_BODY_ROLE_PATTERNS, head, "role", _clean_body_role)
        role = role if role and _is_role(role) else _body_title(head)
    if fuller and role and not (company and company.casefold() in fuller.casefold()):
        role = fuller  # the subject's whole title, unless what follows the comma is the employer
    if (role is None or not _is_role(role)) and _relays(sender) == "ats":
        role = _card_role(head, company) or role  # a board's card, never a signature
        if company is None:  # "Warehouse Operative" over "Dunlin Freight - Leeds"
            title = _card_title(head)
            company = _card_company(head, title) if title else None
            role = title if company else role
    if role:
        role = _tidy_role(fuller_title(role, f"{subject}\n{head}", company), company)
    return company or None, role


_CARD_FIELD = re.compile(r"\s[·•|]\s|\s[-–]\s")


def _card_title(head: str) -> str | None:
    """A board card's title: a line that reads as a job title alone, above a line of
    fields ("Dunlin Freight - Leeds", "Tallis Bio · Cambridge")."""
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    for line, below in pairwise(lines[:41]):
        if len(line.split()) <= 8 and _is_role(line) and _CARD_FIELD.search(below):
            return line
    return None


def _rule_role(subject: str, head: str, role: str | None) -> tuple[str | None, str | None]:
    """(role, the subject's fuller title if the body's stops at a comma)."""
    fuller: str | None = None
    if role is None:
        role = _first_match(_BODY_ROLE_PATTERNS, head, "role", _clean_body_role)
        at = subject.find(f"{role} (") if role else -1
        if role and at >= 0:  # the subject's "Staff Nurse (ICU)" for the body's "Staff Nurse"
            end = subject.find(")", at)
            if 0 < end - at - len(role) <= 33:
                role = _clean_role(subject[at : end + 1]) or role
        # The body's "Analyst" may be cut at the comma of "Analyst, Customer Insights"
        # (settled once the employer is known).
        fuller = _subject_part_role(subject) if role else None
        cut = role is not None and f"{role}, " in head  # the body's title stops at a comma
        if not (cut and role and fuller and fuller.casefold().startswith(role.casefold() + ",")):
            fuller = None
    if role is None or not _is_role(role):
        # A title-like subject part beats a subject pattern that caught "First interview".
        role = (
            _subject_part_role(subject)
            or _first_match(_BODY_TITLE_PATTERNS, head, "role", _clean_body_title)
            or _body_title(head)
            or (None if role is None or _NOT_ROLE.search(role) else role)
        )
    return role, fuller


def _rule_company(
    subject: str, sender: str, head: str, from_subject: str | None, role: str | None = None
) -> str | None:
    """The employer: named by the subject, the sender, or (for a relay) the body."""
    text = f"{subject}\n{head}"
    company = _subject_named_company(subject) or from_subject
    if company and company == from_subject and _someone_else(company, sender):
        company = None  # "Interview: Library Assistant - Grace Oduya": the candidate
    if company and _display_name(sender).startswith(company + " via "):
        company = None  # "Meera Pillai sent you a message" from "Meera Pillai via LinkedIn"
    relays = _relays(sender)
    if company is None and relays:
        # An agency, a job board, a scheduling tool or a personal address writes for the
        # employer: the subject or the body names it, the sender does not (an ATS
        # mailbox or display name may: "Halcyon Bank <halcyonbank@taleo.net>").
        company = _relayed_company(subject, sender, head, relays == "ats", role)
    elif company is None:
        company = (
            _third_person_employer(sender, subject, head)
            or _from_sender_names(sender, text)
            or _from_display_name(sender)
            or _signed_as_domain(sender, head)
            or _from_domain(sender, text)
            or _first_match(_BODY_COMPANY_PATTERNS, head, "company", _clean_company)
        )
    elif not relays:
        # "Quillon - application for Staff SRE" from "Quillon Systems <careers@quillon.io>"
        longer = _from_sender_names(sender, text) or _from_domain(sender, text)
        if longer and longer.lower().startswith(company.lower() + " "):
            company = longer
    if company is not None and " " not in company:
        company = _longer_name(company, f"{_display_name(sender)}\n{text}")
    if relays == "ats":
        company = _ats_display_employer(sender, company, text)
    if company and (_board_name(company) or (_is_role(company) and company[-1] != "s")):
        # a job board is never the employer, nor is a title ("Member Service Representative I")
        company = None
    return company


def _someone_else(name: str, sender: str) -> bool:
    """True if a subject's would-be employer is a person's name (a given name first) that
    the sender's address does not spell ("Grace Oduya" from hr@allingtonlibrary.org)."""
    first = name.split()[0].lower()
    if not _PERSON_NAME.match(name) or first not in given_names() or _is_tail(name.split()[-1]):
        return False
    address = _parse_sender(sender)[1].lower()
    return not any(part.lower() in address for part in name.split() if len(part) >= 3)


def _signed_as_domain(sender: str, head: str) -> str | None:
    """The organisation the mail is signed with, when the sender's domain spells it with
    letters added or dropped: "Red Kite Games" from careers@redkitegamesstudio.co.uk."""
    core = _sender_core(sender)
    signed = _signature_employer(head) if core and len(core) >= 5 else None
    letters = _letters_of(signed) if signed else ""
    if signed and core and (letters.startswith(core) or core.startswith(letters)):
        return signed
    return None


def _relayed_company(
    subject: str, sender: str, head: str, ats: bool, role: str | None
) -> str | None:
    """The employer of mail an ATS, board, agency or person sends for it: never the relay."""
    text = f"{subject}\n{head}"
    guesses = (
        lambda: _first_match(_FIELD_COMPANY, head, "company", _clean_relayed),
        lambda: (
            ats
            and not is_board_host(_parse_sender(sender)[1].rpartition("@")[2])
            and not _CALENDAR_MAILBOX.match(_parse_sender(sender)[1])
            and _from_sender_names(sender, text)
        ),
        lambda: _subject_part_company(subject),
        lambda: _relayed_in_text(text),
        # "NHS Jobs" is the board, not an employer called "NHS"
        lambda: None if _board_name(_display_name(sender)) else _from_display_name(sender),
        lambda: ats and _card_company(head, role),
        lambda: ats and tenant_employer(head),
        lambda: _signed_employer(head),
        lambda: _first_match(_BODY_COMPANY_PATTERNS, head, "company", _clean_relayed),
        lambda: _signature_employer(head),
        lambda: ats and tenant_employer(head, spelled=False),
    )
    for guess in guesses:
        found = guess()
        # "Indeed Apply", "reed.co.uk", "Pinpoint <no-reply@pinpointhq.com>", "ADP Workforce
        # Now <...@adp.com>": the relay's own name says nothing about the employer
        if found and not _board_name(found) and not _relay_own_name(sender, found):
            return found
    return None


_ROLE_LEAD = re.compile(
    r"^(?:(?:regarding|about|re)\s+)?(?:(?:your\s+)?(?:interview|application)\s+)?(?:for|as)\s+"
    r"|^(?:(?:the\s+)?next\s+(?:stage|steps?|round)\s+(?:for|as)\s+(?:the\s+)?)"
    r"|^(?:from|of)\s+(?:your|the)\s+(?=\S+\s+\S)"
    r"|^(?:19|20)\d\d\s+|^[A-Z]{0,4}[-_]?\d{4,}\s+(?=[A-Z])",
    re.IGNORECASE,
)

_ABOUT_THE = re.compile(
    r"^(?:about|regarding|re|(?:an? )?update on|news on)\s+(?:the|your|our|this)\s+", re.IGNORECASE
)


def _tidy_role(role: str, company: str | None) -> str | None:
    """The title alone: "Regarding interview for Site Engineer" -> "Site Engineer", "2027
    Graduate Nurse Program" -> "Graduate Nurse Program", "Meridian Law Summer Associate" ->
    "Summer Associate" when Meridian Law is the employer, "(m/w/d)" dropped, "line cook"
    written "Line Cook"."""
    role = _GENDER_TAG.sub("", role).strip()
    role = _ABOUT_THE.sub("", role) or role  # "About the associate dentist position"
    bare = _ROLE_LEAD.sub("", role)
    if company and bare.casefold().startswith(company.casefold() + " "):
        bare = bare[len(company) + 1 :]
    if company and company.casefold() in bare.casefold() and not _is_role(bare):
        return None  # "Sam / Perch" (a calendar's "candidate / employer"): no title at all
    return title_case(bare if bare and _is_role(bare) else role) or None
