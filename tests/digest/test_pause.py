"""Pausing the scheduled digests by mail ("pause" / "resume") or with the profile command."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.account.profile import ProfileUpdate, update_profile
from bounceback.digest.replies import pause_switch
from bounceback.flows.analyse import analyse_pending
from bounceback.flows.digests import digest_due_flow
from bounceback.settings import Settings
from bounceback.storage.models import Account, Digest
from tests.digest.test_profile_diary import NoJobMail, _message, _store
from tests.flows.test_outbox import seed

WHEN = datetime(2026, 11, 24, 19, tzinfo=UTC)


@pytest.mark.parametrize(
    ("subject", "text", "expected"),
    [
        ("pause", "", "pause"),  # what the List-Unsubscribe link writes
        ("Re: Fwd: PAUSE.", "", "pause"),
        ("Re: bounceback weekly digest", "\n  resume\n\nOn Mon, Alex wrote:\n> ...", "resume"),
        ("Pause for thought", "A note about my week.", None),
        ("Re: bounceback weekly digest", "I will pause applying until January.", None),
    ],
)
def test_pause_and_resume_are_read_only_as_the_whole_request(
    subject: str, text: str, expected: str | None
) -> None:
    assert pause_switch(subject, text) == expected


def _paused(sessions: sessionmaker[Session], account_id: int) -> bool:
    with sessions.begin() as session:
        return session.get_one(Account, account_id).digest_paused


def test_a_pause_from_the_user_stops_scheduled_digests_and_resume_restarts_them(
    sqlite_sessions: sessionmaker[Session],
) -> None:
    account_id = seed(sqlite_sessions, 1)
    _store(sqlite_sessions, [
        _message(30, "pause", "", sender="alex@example.com", when=WHEN),
        # the same word from someone else is ordinary mail
        _message(31, "pause", "", sender="mallory@evil.test", when=WHEN),
    ])  # fmt: skip
    analyzer = NoJobMail()
    analyse_pending(account_id, analyzer, sessions=sqlite_sessions)
    assert analyzer.seen == ["pause"], "the user's request is acted on, not classified"
    assert _paused(sqlite_sessions, account_id)

    url = str(sqlite_sessions.kw["bind"].url)
    results = digest_due_flow.fn(settings=Settings(database=url))
    assert results == [
        {"address": "alex@example.com", "skipped": "paused: reply 'resume' to restart"}
    ]
    with sqlite_sessions.begin() as session:
        assert session.scalars(select(Digest)).all() == [], "nothing prepared while paused"

    # an older "resume" read late does not undo the newer pause
    _store(sqlite_sessions, [
        _message(32, "Re: your digest", "resume", sender="alex@example.com",
                 when=WHEN - timedelta(days=2), in_reply_to="<x@y>"),
    ])  # fmt: skip
    analyse_pending(account_id, analyzer, sessions=sqlite_sessions)
    assert _paused(sqlite_sessions, account_id)
    _store(sqlite_sessions, [
        _message(33, "resume", "", sender="alex@example.com", when=WHEN + timedelta(days=1)),
    ])  # fmt: skip
    analyse_pending(account_id, analyzer, sessions=sqlite_sessions)
    assert not _paused(sqlite_sessions, account_id)


def test_the_profile_command_pauses_and_resumes(sqlite_sessions: sessionmaker[Session]) -> None:
    seed(sqlite_sessions, 1)
    assert update_profile(sqlite_sessions, None, ProfileUpdate(paused=True))["digest_paused"]
    assert not update_profile(sqlite_sessions, None, ProfileUpdate(paused=False))["digest_paused"]
