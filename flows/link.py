"""Linking without Prefect: each analysed job email joins the application it is about.

Evidence is tried from the surest to the weakest, and the first that answers wins:

1. Thread headers: In-Reply-To, then References (nearest first) name a message already
   linked, so a reply joins its thread's application.
2. Ids the mail carries: a requisition or application id in an ATS or job-board link or
   in the subject or body, seen before on one application (text ids are scoped by the
   employer, so "Ref 1001" at two employers stays two applications).
3. Employer and role: normalised names compared with rapidfuzz
   (:mod:`bounceback.nlp.employers`). Below the thresholds, or where several
   applications at one employer would fit and the email names no role, a new
   application is started: never a guess into the wrong one.

Applicant-tracking systems and job boards are never the employer, and an agency's
forwarded client decision is filed under the client. Each email adds its events
(acknowledged, assessment, take-home, interview, offer, rejection with the stage it
came at, feedback) and its dates (interview times from the text and from calendar
parts, in the user's time zone; deadlines; replies owed). The user's corrections are
never undone: a relink replays them (:mod:`bounceback.flows.corrections`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.nlp.calendar import calendar_events
from bounceback.nlp.dates import find_dates, reply_requested
from bounceback.nlp.employers import (
    SAME_ROLE,
    Employer,
    EmployerIndex,
    resolve_employer,
    role_similarity,
)
from bounceback.nlp.stages import (
    asks_for_feedback,
    interview_round,
    invitation_kind,
    is_withdrawal,
    rejection_stage,
)
from bounceback.nlp.threads import MailRef, forwarded_senders, mail_refs, thread_headers
from bounceback.storage import linking as store
from bounceback.storage.application_corrections import replay
from bounceback.storage.applications import refresh_applications
from bounceback.storage.models import Account, Application, MessageLink
from bounceback.storage.timeline import CLOSED, PROGRESS, REPLY_WITHIN, TERMINAL

log = logging.getLogger(__name__)

#: Labels that make an email about one application (a job alert lists many).
JOB_LABELS = frozenset({"application_received", "interview", "rejection", "offer", "feedback"})
_REOPENING = frozenset({"acknowledged", "applied"})


@dataclass(frozen=True, slots=True)
class LinkReport:
    """What one linking pass did."""

    messages: int
    linked: int
    new_applications: int
    dates: int


@dataclass(slots=True)
class MailFacts:
    """What one email says about its application, read once."""

    is_job: bool
    employer: Employer
    role: str | None
    ancestors: tuple[str, ...]
    refs: tuple[MailRef, ...]
    events: list[tuple[str, dict[str, Any]]]
    dates: list[dict[str, Any]] = field(default_factory=list)


def _events(item: store.LinkInput, channel: str) -> list[tuple[str, dict[str, Any]]]:
    labels, text = set(item.labels), item.text
    events: list[tuple[str, dict[str, Any]]] = []
    if "application_received" in labels:
        events.append(("applied" if channel == "board" else "acknowledged", {}))
    if "interview" in labels:
        kind = invitation_kind(text)
        events.append((kind, {"round": interview_round(text)} if kind == "interview" else {}))
    if "offer" in labels:
        events.append(("offer", {}))
    if "rejection" in labels:
        said = rejection_stage(text)
        detail = {"text_stage": said.stage, "evidence": said.text} if said else {}
        events.append(("withdrawal" if is_withdrawal(text) else "rejection", detail))
    if "feedback" in labels:
        events.append(("feedback_received", {}))
    quoted = item.body_text.replace(item.text, "") if item.text else item.body_text
    if item.subject.lower().startswith("re") and asks_for_feedback(quoted):
        events.append(("feedback_requested", {"note": "asked before this reply"}))
    return events or [("message", {})]


def _dates(
    item: store.LinkInput, raw: bytes | None, events: list[str], zone: str
) -> list[dict[str, Any]]:
    context = next(
        (k for k in ("take_home", "assessment", "interview", "offer") if k in events), ""
    )
    if not context:
        return []
    rows = [
        {
            "kind": m.kind,
            "at": m.at,
            "all_day": m.all_day,
            "tentative": m.tentative,
            "what": m.text,
            "source": "text",
        }
        for m in find_dates(item.text, sent=item.received_at, zone=zone, context=context)
    ]
    for event in calendar_events(raw, zone) if raw else []:
        if not event.cancelled and event.start >= item.received_at:
            what = event.summary + (f" ({event.location})" if event.location else "")
            rows.append({"kind": "assessment" if context == "assessment" else "interview",
                         "at": event.start, "all_day": event.all_day, "tentative": False,
                         "what": what or "Calendar invitation", "source": "calendar"})  # fmt: skip
    asked = reply_requested(item.text)
    if asked and not any(r["kind"] in ("reply", "offer_deadline") for r in rows):
        rows.append({"kind": "reply", "at": item.received_at + REPLY_WITHIN, "all_day": False,
                     "tentative": False, "what": asked, "source": "rule"})  # fmt: skip
    return rows


def read_mail(item: store.LinkInput, raw: bytes | None, zone: str) -> MailFacts:
    """Everything the linker needs from one email (its raw bytes when it has any)."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0] if raw else b""
    # Most mail answers nothing: parse the header block only when it names a thread.
    threaded = b"references:" in head.lower() or b"in-reply-to:" in head.lower()
    headers = thread_headers(head) if threaded else None
    ancestors = headers.ancestors if headers else ((item.in_reply_to,) if item.in_reply_to else ())
    is_job = bool(JOB_LABELS & set(item.labels))
    if not is_job:
        return MailFacts(False, Employer(None, "direct"), None, ancestors, (), [("message", {})])
    employer = resolve_employer(
        item.company,
        subject=item.subject,
        sender=item.from_header,
        body=item.text,
        forwarded_from=forwarded_senders(raw) if raw else (),
    )
    events = _events(item, employer.channel)
    facts = MailFacts(
        True, employer, item.role or employer.role, ancestors,
        mail_refs(item.subject, item.text, item.html), events,
    )  # fmt: skip
    facts.dates = _dates(item, raw, [k for k, _ in events], zone)
    return facts


def _ref_keys(facts: MailFacts, sender: str) -> list[str]:
    """Stored keys of the ids an email carries; text ids are scoped by the employer."""
    scope = facts.employer.key or parseaddr(sender)[1].rpartition("@")[2].lower()
    return [
        f"{ref.kind}:{ref.scope or scope}:{ref.value}"[:300]
        for ref in facts.refs
        if ref.kind in ("job", "application")
    ]


def _advance(app: store.AppBrief, facts: MailFacts, when: datetime) -> None:
    """Keep the in-memory stage current within a batch, so results never depend on batching."""
    for kind, _ in facts.events:
        if kind in TERMINAL:
            app.stage = TERMINAL[kind]
        elif kind in PROGRESS and kind not in _REOPENING:
            app.stage = PROGRESS[kind]
    app.last_contact = max(app.last_contact, when)


class Linker:
    """Places emails of one account, keeping the account's index in memory."""

    def __init__(self, account_id: int, zone: str, *, session: Session) -> None:
        self.account_id = account_id
        self.zone = zone
        self.index = store.link_index(account_id, session=session)
        self.employers = EmployerIndex()
        for app in self.index.apps.values():
            self.employers.add(app.key, app.id)
        for ref, app_id in self.index.refs.items():
            if ref.startswith("alias:"):  # a name the user renamed away from
                self.employers.add(ref.removeprefix("alias:"), app_id)
        self.created = 0

    def choose(self, facts: MailFacts, item: store.LinkInput) -> tuple[int | None, str, float]:
        """The application an email belongs to (None: a new one), how, and how surely."""
        for header in facts.ancestors:
            if header in self.index.headers:
                return self.index.headers[header], "thread", 100.0
        if not facts.is_job:
            return None, "none", 0.0
        for key in _ref_keys(facts, item.from_header):
            if key in self.index.refs:
                return self.index.refs[key], "id", 100.0
        return self._by_name(facts, item)

    def _by_name(self, facts: MailFacts, item: store.LinkInput) -> tuple[int | None, str, float]:
        found = [
            (self.index.apps[app_id], score)
            for app_id, score in self.employers.candidates(facts.employer.name)
            if app_id in self.index.apps
        ]
        starts = {k for k, _ in facts.events} & _REOPENING
        if starts:  # applying again after an outcome is a new application
            found = [(a, s) for a, s in found if a.stage not in CLOSED]
        if not found:
            return None, "new", 0.0
        if facts.role:
            same = [(a, s) for a, s in found if role_similarity(a.role, facts.role) >= SAME_ROLE]
            if same:
                app, score = max(same, key=lambda pair: pair[0].last_contact)
                return app.id, "name", min(score, role_similarity(app.role, facts.role))
            open_roleless = [(a, s) for a, s in found if not a.role and a.stage not in CLOSED]
            if len(open_roleless) == 1:
                return open_roleless[0][0].id, "name", open_roleless[0][1]
            return None, "new", 0.0
        live = [(a, s) for a, s in found if a.stage not in CLOSED]
        pool = live if len(live) == 1 else found if len(found) == 1 else []
        if not pool:
            return None, "new", 0.0  # several applications fit and the email names no role
        return pool[0][0].id, "name", pool[0][1]

    def _create(self, facts: MailFacts, item: store.LinkInput, *, session: Session) -> int:
        employer = facts.employer
        app_id = store.new_application(
            self.account_id,
            {
                "employer": employer.name,
                "employer_key": employer.key,
                "role": facts.role,
                "channel": employer.channel,
                "via": employer.via,
                "first_contact": item.received_at,
                "last_contact": item.received_at,
            },
            session=session,
        )
        self.index.apps[app_id] = store.AppBrief(
            app_id, employer.name, employer.key, facts.role, "applied", employer.channel,
            item.received_at,
        )  # fmt: skip
        self.employers.add(employer.key, app_id)
        self.created += 1
        return app_id

    def _learn(self, app_id: int, facts: MailFacts, *, session: Session) -> None:
        """Fill in what the application did not know yet (role, employer)."""
        app = self.index.apps[app_id]
        changes: dict[str, Any] = {}
        if facts.role and not app.role:
            app.role = changes["role"] = facts.role
        if facts.employer.name and not app.key and not app.fixed:
            app.employer, app.key = facts.employer.name, facts.employer.key
            changes.update(employer=app.employer, employer_key=app.key)
            self.employers.add(app.key, app_id)
        if changes:
            store.application_fields(app_id, changes, session=session)

    def link(self, items: list[store.LinkInput], *, session: Session) -> tuple[int, int]:
        """Link a batch (oldest first); returns (linked to an application, dates found)."""
        wanted = [i.id for i in items if JOB_LABELS & set(i.labels) or i.in_reply_to]
        raws = store.raw_messages(wanted, session=session)
        links, events, dates, refs = [], [], [], []
        touched: set[int] = set()
        for item in items:
            facts = read_mail(item, raws.get(item.id), self.zone)
            app_id, method, score = self.choose(facts, item)
            if app_id is None and method == "new":
                app_id = self._create(facts, item, session=session)
            elif app_id is not None:
                self._learn(app_id, facts, session=session)
            links.append({"message_id": item.id, "application_id": app_id, "method": method,
                          "score": score})  # fmt: skip
            if app_id is None:
                continue
            touched.add(app_id)
            if item.header_message_id:
                self.index.headers[item.header_message_id] = app_id
            _advance(self.index.apps[app_id], facts, item.received_at)
            for kind, detail in facts.events:
                events.append({"application_id": app_id, "message_id": item.id, "kind": kind,
                               "occurred_at": item.received_at, "detail": detail})  # fmt: skip
            dates += [
                {**row, "application_id": app_id, "message_id": item.id} for row in facts.dates
            ]
            for key in _ref_keys(facts, item.from_header):
                if key not in self.index.refs:
                    self.index.refs[key] = app_id
                    refs.append({"application_id": app_id, "ref": key})
        store.save_links(self.account_id, links, events, dates, refs, session=session)
        refresh_applications(touched, session=session)
        for app in session.execute(
            select(Application.id, Application.stage).where(Application.id.in_(touched))
        ):
            if app[0] in self.index.apps:
                self.index.apps[app[0]].stage = app[1]
        return sum(1 for row in links if row["application_id"] is not None), len(dates)


def _zone(account_id: int, *, session: Session) -> str:
    return session.get_one(Account, account_id).timezone or "UTC"


def link_in_session(account_id: int, *, session: Session, batch_size: int = 1000) -> LinkReport:
    """Link every analysed, unlinked message of the account inside one session."""
    linker = Linker(account_id, _zone(account_id, session=session), session=session)
    total = linked = dates = 0
    while batch := store.messages_to_link(account_id, batch_size, session=session):
        done, found = linker.link(batch, session=session)
        total, linked, dates = total + len(batch), linked + done, dates + found
    return LinkReport(total, linked, linker.created, dates)


def link_pending(
    account_id: int, *, sessions: sessionmaker[Session], batch_size: int = 2500
) -> LinkReport:
    """Link the account's newly analysed mail, one transaction per batch."""
    with sessions.begin() as session:
        linker = Linker(account_id, _zone(account_id, session=session), session=session)
    total = linked = dates = 0
    while True:
        with sessions.begin() as session:
            batch = store.messages_to_link(account_id, batch_size, session=session)
            if not batch:
                break
            done, found = linker.link(batch, session=session)
        total, linked, dates = total + len(batch), linked + done, dates + found
    return LinkReport(total, linked, linker.created, dates)


def forget_links(account_id: int, *, session: Session) -> None:
    """Drop the account's links and applications (corrections are kept, to be replayed)."""
    session.execute(delete(MessageLink).where(MessageLink.account_id == account_id))
    session.execute(delete(Application).where(Application.account_id == account_id))


def relink_account(account_id: int, *, sessions: sessionmaker[Session]) -> LinkReport:
    """Rebuild the account's applications from its stored mail, then replay the corrections.

    For after a re-analysis (a retrained model read the mail anew): every email is
    placed again, and every move, merge, split and rename the user made is applied again.
    """
    with sessions.begin() as session:
        forget_links(account_id, session=session)
        report = link_in_session(account_id, session=session)
        replay(account_id, session=session)
    return report


def link_accounts(account_ids: Iterable[int], *, session: Session) -> dict[int, LinkReport]:
    """Link all stored, analysed mail of each account (the migration's backfill)."""
    return {account_id: link_in_session(account_id, session=session) for account_id in account_ids}
