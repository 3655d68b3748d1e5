"""Analysis logic without Prefect: run the language model over stored, unanalysed mail."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from bounceback.digest.replies import handle_digest_reply, is_own_digest
from bounceback.nlp.mail import parse_email
from bounceback.nlp.postings import parse_postings, posted_at, role_key
from bounceback.nlp.records import Analysis, EmailText, JobPosting
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


def analyse_pending(
    account_id: int,
    analyzer: TextAnalyzer,
    *,
    sessions: sessionmaker[Session],
    batch_size: int = 500,
) -> AnalyseReport:
    """Analyse every stored message of the account that has no analysis yet."""
    total = gaps = postings = 0
    statuses: Counter[str] = Counter()
    while True:
        with sessions.begin() as session:
            # Bodies are parsed first, in the transaction that stores their analysis, so a
            # killed run leaves them pending and unanalysed, never half done. (The first
            # batch_size pending messages include every pending one of the batch below.)
            statuses += parse_pending_batch(account_id, batch_size, session=session)
            batch = analyses.messages_to_analyse(account_id, batch_size, session=session)
            if not batch:
                break
            for message in batch:
                if message.parse_status == ParseStatus.PENDING:  # stored meanwhile
                    parse_body(message)
                    statuses[message.parse_status] += 1
            # bounceback's own digests (sent to this inbox) and the user's replies to them
            # (diary entries and "done N") are not job mail: they are never classified.
            account = session.get_one(Account, account_id)
            replies = [
                m
                for m in batch
                if is_own_digest(account, m, session=session)
                or handle_digest_reply(account, m, session=session)
            ]
            for message in replies:
                analyses.save_analysis(
                    message, model_version="digest-reply", labels=[], scores={}, company=None,
                    role=None, gaps=[], postings=[], session=session,
                )  # fmt: skip
            batch = [m for m in batch if m not in replies]
            results = analyzer.analyze([email_text(m) for m in batch])
            for message, result in zip(batch, results, strict=True):
                found = postings_for(message, result)
                postings += analyses.save_analysis(
                    message,
                    model_version=analyzer.version,
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
                total += 1
                gaps += len(result.gaps)
    return AnalyseReport(
        total,
        gaps,
        postings,
        parsed=sum(statuses.values()),
        degraded=statuses[ParseStatus.DEGRADED],
        failed=statuses[ParseStatus.FAILED],
    )
