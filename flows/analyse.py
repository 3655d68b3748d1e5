"""Analysis logic without Prefect: run the language model over stored, unanalysed mail."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from bounceback.digest.replies import handle_digest_reply, handle_pause_request, is_own_digest
from bounceback.flows import quarantine
from bounceback.nlp.mail import parse_email
from bounceback.nlp.postings import parse_postings, posted_at, role_key
from bounceback.nlp.records import Analysis, EmailText, JobPosting
from bounceback.nlp.signals import read_signals
from bounceback.nlp.taxonomy import ParseStatus
from bounceback.storage import analyses, mailbox
from bounceback.storage.models import Account, Message

log = logging.getLogger(__name__)


class TextAnalyzer(Protocol):
    """What the flows need from the language layer."""

    version: str

    def analyze(
        self, emails: Iterable[EmailText], *, batch_size: int = 256
    ) -> Iterator[Analysis]: ...


@dataclass(frozen=True, slots=True)
class AnalyseReport:
    """What one analysis pass did."""

    messages: int
    gaps: int
    postings: int
    #: Bodies parsed in this pass (stored "pending" by the sync), and how many were not clean.
    parsed: int = 0
    degraded: int = 0
    failed: int = 0
    #: Messages whose parse or analysis failed: flagged with the reason, never tried again.
    quarantined: int = 0


def posting_key(title: str, company: str | None) -> str:
    """A de-duplication key: the same role at the same company from any board."""
    return role_key(title, company)


def email_text(message: Message) -> EmailText:
    """The analyser's view of a stored message."""
    return EmailText(
        id=str(message.id),
        subject=message.subject,
        sender=message.from_header,
        body=message.analysed_text,
        html=message.html,
        signals=read_signals(message.raw),
    )


def parsed_fields(raw: bytes, defects: Sequence[str], received_at: datetime) -> dict[str, Any]:
    """What parsing raw mail adds to the row the sync stored (status "pending").

    The Message-ID the sync read stays (de-duplication relies on it); the defects the
    fetch noted (an oversize body) are kept beside the parser's.
    """
    parsed = parse_email(raw)
    status = parsed.status
    found = list(defects)
    found += [d for d in parsed.defects if d not in found]
    if found and status is ParseStatus.OK:
        status = ParseStatus.DEGRADED
    return {
        "subject": parsed.subject,
        "from_header": parsed.from_header,
        "sender_name": parsed.sender_name,
        "sender_address": parsed.sender_address,
        "in_reply_to": parsed.in_reply_to,
        "received_at": parsed.date or received_at,
        "body_text": parsed.text,
        "analysed_text": parsed.new_text,
        "html": parsed.html,
        "parse_status": str(status),
        "defects": found,
    }


def parse_body(message: Message) -> None:
    """Parse one pending message in place (an ORM object already loaded)."""
    for key, value in parsed_fields(
        message.raw, message.defects or (), message.received_at
    ).items():
        setattr(message, key, value)


def parse_pending_batch(account_id: int, limit: int, *, session: Session) -> Counter[str]:
    """Parse up to limit pending messages of the account, oldest first; statuses counted."""
    values = [
        {"id": item.id, **parsed_fields(item.raw, item.defects, item.received_at)}
        for item in mailbox.messages_to_parse(account_id, limit, session=session)
    ]
    mailbox.save_parsed(values, session=session)
    return Counter(str(value["parse_status"]) for value in values)


def parse_pending(
    account_id: int, *, sessions: sessionmaker[Session], batch_size: int = 500
) -> Counter[str]:
    """Parse every pending message of the account, one transaction per batch.

    `analyse_pending` parses each batch before classifying it; this is for readers that
    need parsed mail without a model (the export, tests).
    """
    statuses: Counter[str] = Counter()
    while True:
        with sessions.begin() as session:
            done = parse_pending_batch(account_id, batch_size, session=session)
        if not done:
            return statuses
        statuses += done


def postings_for(message: Message, analysis: Analysis) -> list[JobPosting]:
    """Postings in a message the model labelled a job alert."""
    if "job_alert" not in analysis.labels:
        return []
    return parse_postings(message.subject, message.from_header, message.body_text, message.html)


#: This many failures in a row from the first message on mean the analysis itself is broken:
#: the run fails instead of quarantining the whole mailbox.
SYSTEMATIC_FAILURES = 5


@dataclass(slots=True)
class _Tally:
    messages: int = 0
    gaps: int = 0
    postings: int = 0
    quarantined: int = 0


def analyse_pending(
    account_id: int,
    analyzer: TextAnalyzer,
    *,
    sessions: sessionmaker[Session],
    batch_size: int = 500,
) -> AnalyseReport:
    """Analyse every stored message of the account that has no analysis yet.

    A batch that fails is done again one message at a time: a message that still fails
    is quarantined with the reason (never tried again) and the others are analysed.
    """
    tally = _Tally()
    statuses: Counter[str] = Counter()
    while True:
        try:
            with sessions.begin() as session:
                # Bodies are parsed first, in the transaction that stores their analysis, so
                # a killed run leaves them pending and unanalysed, never half done. (The
                # first batch_size pending messages include every pending one below.)
                parsed = parse_pending_batch(account_id, batch_size, session=session)
                batch = analyses.messages_to_analyse(account_id, batch_size, session=session)
                if not batch:
                    statuses += parsed
                    break
                _analyse_batch(account_id, batch, analyzer, tally, parsed, session=session)
            statuses += parsed
        except Exception as exc:
            if not quarantine.caused_by_message(exc):
                raise
            statuses += _analyse_one_by_one(account_id, analyzer, tally, batch_size, sessions)
    return AnalyseReport(
        tally.messages,
        tally.gaps,
        tally.postings,
        parsed=sum(statuses.values()),
        degraded=statuses[ParseStatus.DEGRADED],
        failed=statuses[ParseStatus.FAILED],
        quarantined=tally.quarantined,
    )


def _analyse_one_by_one(
    account_id: int,
    analyzer: TextAnalyzer,
    tally: _Tally,
    batch_size: int,
    sessions: sessionmaker[Session],
) -> Counter[str]:
    """The failed batch again, each message in its own transaction; failures quarantined."""
    with sessions.begin() as session:
        ids = sorted(
            {item.id for item in mailbox.messages_to_parse(account_id, batch_size, session=session)}
            | {m.id for m in analyses.messages_to_analyse(account_id, batch_size, session=session)}
        )
    statuses: Counter[str] = Counter()
    failures: list[tuple[int, str, str]] = []
    succeeded = 0
    for message_id in ids:
        # Parsed and analysed in separate transactions: a message the model cannot take is
        # still stored parsed, so the user can see which one it was.
        stage = "parsing it"
        try:
            with sessions.begin() as session:
                message = session.get_one(Message, message_id)
                if message.parse_status == ParseStatus.PENDING:
                    parse_body(message)
                    status = message.parse_status
                    session.flush()
                    statuses[status] += 1
            stage = "analysing it"
            with sessions.begin() as session:
                message = session.get_one(Message, message_id)
                if message.analysis is None:
                    _analyse_batch(
                        account_id, [message], analyzer, tally, Counter(), session=session
                    )
            succeeded += 1
        except Exception as exc:
            if not quarantine.caused_by_message(exc):
                raise
            failures.append((message_id, stage, quarantine.reason_for(exc)))
            if len(failures) >= SYSTEMATIC_FAILURES and not succeeded:
                # Every message so far failed: the analysis is broken, not the mail.
                raise
    for message_id, stage, reason in failures:
        with sessions.begin() as session:
            folder, uid = mailbox.where_stored(message_id, session=session)
            mailbox.quarantine_message(message_id, f"{stage} failed: {reason}", session=session)
        tally.quarantined += 1
        log.warning("%s", quarantine.describe(folder, uid, stage, reason))
    return statuses


def _analyse_batch(
    account_id: int,
    batch: list[Message],
    analyzer: TextAnalyzer,
    tally: _Tally,
    statuses: Counter[str],
    *,
    session: Session,
) -> None:
    """Classify a batch of stored messages and store what the model found (no commit)."""
    for message in batch:
        if message.parse_status == ParseStatus.PENDING:  # stored meanwhile
            parse_body(message)
            statuses[message.parse_status] += 1
    replies = _digest_replies(account_id, batch, session=session)
    for message in replies:
        analyses.save_analysis(
            message, model_version=analyses.DIGEST_REPLY_VERSION, labels=[], scores={},
            company=None, role=None, gaps=[], postings=[], session=session,
        )  # fmt: skip
    batch = [m for m in batch if m not in replies]
    results = analyzer.analyze([email_text(m) for m in batch])
    for message, result in zip(batch, results, strict=True):
        tally.postings += save_result(message, result, analyzer.version, session=session)
        tally.messages += 1
        tally.gaps += len(result.gaps)


def _digest_replies(account_id: int, batch: list[Message], *, session: Session) -> list[Message]:
    """The messages of the batch that are bounceback's own, acted on here (not job mail).

    bounceback's own digests (sent to this inbox), the user's replies to them (diary
    entries and "done N") and "pause"/"resume" requests are acted on as they are found
    and never classified.
    """
    account = session.get_one(Account, account_id)
    replies = []
    for m in batch:
        if (
            is_own_digest(account, m, session=session)
            or handle_pause_request(account, m)
            or handle_digest_reply(account, m, session=session)
        ):
            replies.append(m)
    return replies


def save_result(message: Message, result: Analysis, version: str, *, session: Session) -> int:
    """Store what the model found in one message; the number of new postings it added."""
    found = postings_for(message, result)
    return analyses.save_analysis(
        message,
        model_version=version,
        labels=result.labels,
        scores=result.scores,
        company=result.company,
        role=result.role,
        gaps=[
            analyses.NewGap(g.category, g.text, g.start, g.end, g.skill, g.confidence)
            for g in result.gaps
        ],
        postings=[
            analyses.NewPosting(
                dedupe_key=posting_key(p.title, p.company),
                title=p.title,
                company=p.company,
                location=p.location,
                salary=p.salary,
                url=p.url,
                source=p.source,
                posted_at=posted_at(p.posted, message.received_at),
            )
            for p in found
        ],
        session=session,
    )
