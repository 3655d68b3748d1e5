"""Employer and role of job emails: the rules propose, the trained reader settles.

The rules (:func:`~bounceback.nlp.entities.rules.rule_company_role`) know senders: an ATS
or job board is never the employer, an agency relays its client, a domain spells a name.
The trained reader (:class:`~bounceback.nlp.entities.model.EntityModel`) has read the
corpus: it finds the title or the employer where no rule pattern fits ("Quick one -
Senior Care Assistant (Nights) at Copperbeech"). It reads only the emails where the rules
missed the employer or the title (a quarter of job mail). Its title is taken unless it names an
event ("Final interview"); its employer when the rules found none, or when it is the
rules' guess written out in full ("Salford Fire" -> "Salford Fire and Rescue Service"),
and never when it is the sender's own ATS, board or agency.
Every answer goes through :func:`display_employer`, so one employer has one name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bounceback.nlp.entities.common import (
    _NOT_ROLE,
    LEGAL_FORMS,
    _is_role,
    _letters_of,
    _parse_sender,
    _reads_as_a_name,
    _relay_own_name,
    _relays,
    is_ats_domain,
)
from bounceback.nlp.entities.company_rules import _board_name
from bounceback.nlp.entities.domains import _sender_core
from bounceback.nlp.entities.model import EntityModel, Spans
from bounceback.nlp.entities.rules import rule_company_role

__all__ = ["EntityReader", "display_employer", "extract_company_role"]

Email = tuple[str, str, str]  # subject, sender, body
_LEGAL_TAIL = re.compile(rf"(?:,?\s+(?:{LEGAL_FORMS}))+$")
_ARTICLE = re.compile(r"^The\s+(?=\S+\s+\S)")


# An agency's word for the client it does not name: "Public Sector Client", "a leading
# FTSE 100 company", "Confidential".
_UNNAMED = re.compile(
    r"^(?:(?:an?|the|our|my)\s+)?(?:(?:leading|large|major|global|national|international|"
    r"confidential|private|public[- ]sector|well[- ]known|growing|established|prestigious|"
    r"blue[- ]chip|(?:fortune|ftse|fts?e)\s+\d+|tier[- ]\d|household[- ]name|top|big|"
    r"[a-z]+[- ]based)\s+){0,3}(?:client|company|organi[sz]ation|employer|firm|business|"
    r"brand)s?$|^confidential$",
    re.IGNORECASE,
)


def display_employer(name: str | None) -> str | None:
    """One employer, one name: "The Quillon Company Ltd" -> "Quillon Company"."""
    if not name:
        return None
    value = _ARTICLE.sub("", _LEGAL_TAIL.sub("", name.strip())).strip(" ,")
    return None if _UNNAMED.match(value) else value or None


def extract_company_role(subject: str, sender: str, body: str) -> tuple[str | None, str | None]:
    """Best guess at (company, role) for one email by the rules alone; either may be None."""
    company, role = rule_company_role(subject, sender, body)
    return display_employer(company), role


class EntityReader:
    """(company, role) for emails: the rules, settled by the trained reader if loaded."""

    def __init__(self, model: EntityModel | None = None) -> None:
        self.model = model

    def read(
        self, emails: Sequence[Email], reply_to: Sequence[str | None] = ()
    ) -> list[tuple[str | None, str | None]]:
        """(company, role) per email, in order; the model reads the unsure ones in one batch.

        ``reply_to`` (one per email, or empty) is where replies go: when an ATS or job
        board sends and the rules find no employer, an employer's own Reply-To domain
        is read as if it had sent the mail.
        """
        rules = [rule_company_role(*email) for email in emails]
        for i, address in enumerate(reply_to):
            if address and rules[i][0] is None:
                rules[i] = _from_reply_to(emails[i], address, rules[i])
        found: list[tuple[str | None, str | None]] = list(rules)
        unsure = [i for i in range(len(emails)) if _unsure(*rules[i])]
        if self.model is not None and unsure:
            spans = self.model.read_many([emails[i] for i in unsure])
            for i, span in zip(unsure, spans, strict=True):
                company, role = rules[i]
                employer = _employer(emails[i][1], company, span)
                found[i] = (employer, _role(role, span, employer))
        return [(display_employer(company), role) for company, role in found]


def _unsure(company: str | None, role: str | None) -> bool:
    """True if the rules missed the employer or the title (or took an event for a title).

    Only these emails go through the model: where a rule fired it is as good, and the
    rules cost microseconds where the model costs about a millisecond an email.
    """
    return company is None or role is None or not _is_role(role)


def _employer(sender: str, rule: str | None, spans: Spans) -> str | None:
    found = spans.employer
    if not found or "@" in found or len(found) > 60 or _is_role(found):
        return rule
    if not _reads_as_a_name(found):
        return rule  # "YOU GOT IT!! Lyncroft offer": the shout is not the employer
    if _board_name(found) or is_ats_domain(_letters_of(found)):
        return rule  # an ATS or job board is never the employer
    if _relays(sender) and _relay_own_name(sender, found):
        return rule  # the agency or ATS itself, not the employer it writes for
    if rule is None:
        return found
    rule_key, found_key = _letters_of(rule), _letters_of(found)
    if found_key.startswith(rule_key) and found_key != rule_key:
        return found  # the rules' name written out in full
    core = _sender_core(sender)
    if core and rule_key == core and found_key.startswith(core[:4]):
        return found  # the rules only split the domain; the email spells the name
    return rule


def _role(rule: str | None, spans: Spans, employer: str | None) -> str | None:
    found = spans.role
    if not found or len(found.split()) > 8 or _NOT_ROLE.search(found):
        return rule  # "First interview", "Assessment day": an event, not a title
    if employer and _employer_named(found, employer):
        # "Client update: Sterling Analytics": the reader took the employer for the title
        return None if rule and _employer_named(rule, employer) else rule
    return found


def _employer_named(role: str, employer: str) -> bool:
    """True if a would-be title is the employer's name, or starts with its first word and
    ends in no title word ("Ferncastle House," beside Ferncastle Logistics)."""
    if _letters_of(role) == _letters_of(employer):
        return True
    first = employer.split()[0].casefold()
    return role.split()[0].casefold() == first and not _is_role(role.rstrip(" ,;:"))


def _from_reply_to(
    email: Email, address: str, found: tuple[str | None, str | None]
) -> tuple[str | None, str | None]:
    """The rules again with the Reply-To address as the sender, if an ATS sent the mail
    and replies go to a domain of the employer's own (not another ATS, board or agency)."""
    subject, sender, body = email
    domain = address.rpartition("@")[2]
    if _relays(sender) != "ats" or is_ats_domain(domain) or _relays(address):
        return found
    name, _ = _parse_sender(sender)
    company, role = rule_company_role(subject, f"{name} <{address}>", body)
    return (company, found[1] or role)
