"""`bounceback db reanalyse`: stored mail read again by the current reader, the user's word kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bounceback.cli.app import app
from bounceback.errors import ConfigError
from bounceback.flows.analyse import email_text
from bounceback.flows.lease import acquire, release
from bounceback.flows.reanalyse import reanalyse_account
from bounceback.nlp.analyzer import Analyzer
from bounceback.settings import load_settings
from bounceback.storage import corrections
from bounceback.storage.db import sessions_for
from bounceback.storage.models import Analysis, Application, Correction, Gap, Message
from tests.review.corpus import populate

STALE = "08-rejection-feedback-tillerman"  # a rejection with feedback the old reader missed
REVIEWED = "17-rejection-feedback-corvid"  # one the user corrected on the review page


def _as_an_older_reader_left_it(sessions: sessionmaker[Session], message_id: int) -> None:
    """What an older reader might have stored: no labels, no gaps, a clipped body."""
    with sessions.begin() as session:
        session.execute(delete(Gap).where(Gap.message_id == message_id))
        session.execute(
            update(Analysis)
            .where(Analysis.message_id == message_id)
            .values(labels=[], company=None, role=None, model_version="labels-0.1.0")
        )
        message = session.get_one(Message, message_id)
        message.analysed_text = message.analysed_text[:80]


def _state(session: Session, message_id: int) -> tuple[list[str], list[tuple[int, int, str]]]:
    analysis = session.scalars(select(Analysis).where(Analysis.message_id == message_id)).one()
    gaps = session.scalars(select(Gap).where(Gap.message_id == message_id).order_by(Gap.start))
    return sorted(analysis.labels), [(g.start, g.end, g.category) for g in gaps]


def test_unreviewed_mail_is_read_again_and_corrected_mail_is_left_alone(
    sessions: sessionmaker[Session], analyzer: Analyzer
) -> None:
    ids = populate(sessions, analyzer, xss=False)
    with sessions.begin() as session:
        account_id = session.get_one(Message, ids[STALE]).account_id
        fresh = analyzer.analyze_one(email_text(session.get_one(Message, ids[STALE])))
        analysis = session.scalars(
            select(Analysis).where(Analysis.message_id == ids[REVIEWED])
        ).one()
        corrections.relabel(analysis, ["rejection"], session=session)
        corrections.mark_reviewed(analysis, session=session)
    with sessions.begin() as session:
        reviewed_before = _state(session, ids[REVIEWED])
        reviewed_text = session.get_one(Message, ids[REVIEWED]).analysed_text
        kept_corrections = session.scalar(select(func.count(Correction.id)))
    _as_an_older_reader_left_it(sessions, ids[STALE])

    report = reanalyse_account(account_id, analyzer, sessions=sessions)

    with sessions.begin() as session:
        stale = session.get_one(Message, ids[STALE])
        assert len(stale.analysed_text) > 80, "the raw bytes were parsed again"
        labels, gaps = _state(session, ids[STALE])
        assert labels == sorted(fresh.labels) and "feedback" in labels
        assert gaps == sorted((g.start, g.end, g.category) for g in fresh.gaps) and gaps
        restored = session.scalars(select(Analysis).where(Analysis.message_id == ids[STALE])).one()
        assert restored.model_version == analyzer.version
        assert (restored.company, restored.role) == (fresh.company, fresh.role)
        # the user's word stands: labels, gaps, text and the corrections log untouched
        assert _state(session, ids[REVIEWED]) == reviewed_before
        assert session.get_one(Message, ids[REVIEWED]).analysed_text == reviewed_text
        assert session.scalar(select(func.count(Correction.id))) == kept_corrections
        applications = session.scalar(select(func.count(Application.id)))
    analysed = len(ids)  # every stored email has an analysis (the journey one by hand)
    assert report.kept == 1 and report.messages == analysed - 1
    assert report.labels_changed >= 1 and report.gaps_after > report.gaps_before
    assert report.applications == applications > 0

    again = reanalyse_account(account_id, analyzer, sessions=sessions)
    assert (again.messages, again.labels_changed, again.gaps_after) == (
        report.messages,
        0,
        again.gaps_before,
    ), "a second run finds nothing to change"


def test_the_command_reports_each_account_and_refuses_unknown_ones(
    bounceback_home: Path, analyzer: Analyzer
) -> None:
    runner = CliRunner()
    empty = runner.invoke(app, ["db", "reanalyse"])
    assert empty.exit_code == 1
    assert "no account is connected yet" in empty.output

    populate(sessions_for(load_settings().database_url), analyzer, xss=False)
    result = runner.invoke(app, ["db", "reanalyse", "--json"])
    assert result.exit_code == 0, result.output
    (found,) = json.loads(result.stdout)["accounts"]
    assert found["account"] == "alex@example.com" and found["model"] == analyzer.version
    assert found["messages"] > 0 and found["kept"] == 0 and found["applications"] > 0

    unknown = runner.invoke(app, ["db", "reanalyse", "--account", "nobody@example.org"])
    assert unknown.exit_code == 1
    assert unknown.output.count("\n") == 1 and "no account nobody@example.org" in unknown.output


def test_a_running_poll_keeps_it_out_and_nothing_changes(
    sqlite_sessions: sessionmaker[Session], analyzer: Analyzer
) -> None:
    ids = populate(sqlite_sessions, analyzer, xss=False)
    with sqlite_sessions.begin() as session:
        account_id = session.get_one(Message, ids[STALE]).account_id
    _as_an_older_reader_left_it(sqlite_sessions, ids[STALE])
    poll = acquire(sqlite_sessions, account_id, "a poll")
    assert poll is not None
    try:
        with pytest.raises(ConfigError, match="a poll of this account is running"):
            reanalyse_account(account_id, analyzer, sessions=sqlite_sessions)
    finally:
        release(sqlite_sessions, poll)
    with sqlite_sessions.begin() as session:
        assert _state(session, ids[STALE]) == ([], [])
