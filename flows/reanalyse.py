"""Read stored mail again with the current reader and model (`bounceback db reanalyse`).

After an upgrade or `bounceback train`, the mail already stored keeps what the older
reader made of it. This step parses each message's raw bytes again and replaces its
analysis and gaps, a batch per transaction, then rebuilds the account's applications
(the user's moves, merges, splits and renames are replayed). An email the user reviewed
or corrected is left exactly as they left it, and the job postings already found stay.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bounceback.errors import ConfigError
from bounceback.flows.analyse import TextAnalyzer, email_text, parse_body, save_result
from bounceback.flows.lease import fenced_sessions, held, holder_name
from bounceback.flows.link import relink_account
from bounceback.storage import analyses
from bounceback.storage.models import Message


@dataclass(slots=True)
class RereadReport:
    """What reading one account's mail again changed."""

    messages: int = 0  # read again
    labels_changed: int = 0  # of those, how many got another label set
    gaps_before: int = 0
    gaps_after: int = 0
    kept: int = 0  # reviewed or corrected by the user: not read again
    applications: int = 0  # after the rebuild


def reanalyse_account(
    account_id: int,
    analyzer: TextAnalyzer,
    *,
    sessions: sessionmaker[Session],
    batch_size: int = 200,
) -> RereadReport:
    """Read the account's unreviewed mail again and rebuild its applications.

    Each batch is one transaction: a run stopped part-way leaves every message with one
    analysis, old or new, and running it again finishes the job. It holds the account's
    poll lease, so a poll never links mail while its analyses are being replaced.
    """
    with held(sessions, account_id, holder_name("reanalyse")) as lease:
        if lease is None:
            raise ConfigError(
                "a poll of this account is running; run bounceback db reanalyse again when "
                "it has finished"
            )
        return _reread_account(account_id, analyzer, fenced_sessions(sessions, lease), batch_size)


def _reread_account(
    account_id: int, analyzer: TextAnalyzer, sessions: sessionmaker[Session], batch_size: int
) -> RereadReport:
    report = RereadReport()
    after = 0
    while True:
        with sessions.begin() as session:
            batch = analyses.messages_to_reread(account_id, after, batch_size, session=session)
            if not batch:
                report.kept = analyses.count_kept_as_reviewed(account_id, session=session)
                break
            after = batch[-1].id
            _reread_batch(batch, analyzer, report, session=session)
    report.applications = relink_account(account_id, sessions=sessions).new_applications
    return report


def _reread_batch(
    batch: list[Message], analyzer: TextAnalyzer, report: RereadReport, *, session: Session
) -> None:
    before: dict[int, tuple[tuple[str, ...], int]] = {}
    for message in batch:
        before[message.id] = analyses.drop_analysis(message, session=session)
        parse_body(message)  # a newer reader may read the raw bytes differently
    results = analyzer.analyze([email_text(m) for m in batch])
    for message, result in zip(batch, results, strict=True):
        save_result(message, result, analyzer.version, session=session)
        labels, gaps = before[message.id]
        report.messages += 1
        report.labels_changed += set(labels) != set(result.labels)
        report.gaps_before += gaps
        report.gaps_after += len(result.gaps)
