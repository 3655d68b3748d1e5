"""Analysis logic without Prefect: run the language model over stored, unanalysed mail."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from bounceback.flows.digest.replies import handle_digest_reply, is_own_digest
from bounceback.nlp.postings import parse_postings, posted_at, role_key
from bounceback.nlp.records import Analysis, EmailText, JobPosting
from bounceback.storage import queries
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
    while True:
        with sessions.begin() as session:
            batch = queries.messages_to_analyse(account_id, batch_size, session=session)
            if not batch:
                break
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
                queries.save_analysis(
                    message, model_version="digest-reply", labels=[], scores={}, company=None,
                    role=None, gaps=[], postings=[], session=session,
                )  # fmt: skip
            batch = [m for m in batch if m not in replies]
            results = analyzer.analyze([email_text(m) for m in batch])
            for message, result in zip(batch, results, strict=True):
                found = postings_for(message, result)
                postings += queries.save_analysis(
                    message,
                    model_version=analyzer.version,
                    labels=result.labels,
                    scores=result.scores,
                    company=result.company,
                    role=result.role,
                    gaps=[
                        queries.NewGap(g.category, g.text, g.start, g.end, g.skill, g.confidence)
                        for g in result.gaps
                    ],
                    postings=[
                        queries.NewPosting(
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
    return AnalyseReport(total, gaps, postings)
