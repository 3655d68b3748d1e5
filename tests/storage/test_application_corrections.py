"""Move, merge, split and rename: applied at once, stored, and replayed after a relink."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bounceback.flows.link import link_pending, relink_account
from bounceback.storage import application_corrections as fixes
from bounceback.storage.applications import list_applications
from bounceback.storage.models import Analysis, ApplicationCorrection
from tests.support.applications import SAMPLES_NOW, mail, new_account, store_mail

T0 = datetime(2026, 9, 1, 9, tzinfo=UTC)
DAY = timedelta(days=1)


def _state(sessions: sessionmaker[Session], account_id: int) -> list[tuple[str, list[int]]]:
    """(employer, its emails) of each application, sorted: a comparable picture."""
    with sessions.begin() as session:
        apps = list_applications(account_id, now=SAMPLES_NOW, session=session)
        return sorted(
            (str(a.employer), sorted({int(e.message_id or 0) for e in a.events})) for a in apps
        )


def test_corrections_apply_and_survive_a_relink_after_reanalysis(
    sqlite_sessions: sessionmaker[Session],
) -> None:
    account_id = new_account(sqlite_sessions)
    ids = store_mail(sqlite_sessions, account_id, [
        (mail("Thanks", "Received.", when=T0), ["application_received"], "Applyflow", "Data Analyst"),
        (mail("Interview", "Invite.", when=T0 + DAY), ["interview"], "Ridgeback Retail", "Data Analyst"),
        (mail("Thanks", "Received.", when=T0 + 2 * DAY), ["application_received"], "Acme", "Engineer"),
        (mail("Thanks", "Received.", when=T0 + 3 * DAY), ["application_received"], "Acme Labs", "Tester"),
        (mail("News", "Invite.", when=T0 + 4 * DAY), ["interview"], "Acme", "Engineer"),
    ], 1)  # fmt: skip
    link_pending(account_id, sessions=sqlite_sessions)
    assert len(_state(sqlite_sessions, account_id)) == 4
    with sqlite_sessions.begin() as session:
        app_of = lambda m: fixes.application_of(m, session=session)  # noqa: E731
        # the model called Ridgeback's ATS the employer: merge, then rename once
        fixes.merge(account_id, app_of(ids[1]), app_of(ids[0]), session=session)
        fixes.rename(account_id, app_of(ids[1]), "Ridgeback Retail Ltd", "ridgeback retail",
                     session=session)  # fmt: skip
        # the interview at "Acme" was for the Acme Labs application
        fixes.move_message(account_id, ids[4], app_of(ids[3]), session=session)
        # and a mail to its own application
        fixes.split(account_id, app_of(ids[3]), [ids[4]], session=session)
    state = _state(sqlite_sessions, account_id)
    assert state == sorted([
        ("Ridgeback Retail Ltd", sorted([ids[0], ids[1]])),
        ("Acme", [ids[2]]),
        ("Acme Labs", [ids[3]]),
        ("Acme Labs", [ids[4]]),
    ])  # fmt: skip
    with sqlite_sessions.begin() as session:
        kinds = list(
            session.scalars(select(ApplicationCorrection.kind).order_by(ApplicationCorrection.id))
        )
        assert kinds == ["merge", "rename", "move", "split"]
        # a re-analysis by a retrained model reads the employers differently
        session.execute(update(Analysis).values(company="Someone Else"))
    relink_account(account_id, sessions=sqlite_sessions)
    after = _state(sqlite_sessions, account_id)
    assert sorted(ids for _, ids in after) == sorted(ids for _, ids in state), "same groups"
    assert ("Ridgeback Retail Ltd", sorted([ids[0], ids[1]])) in after, "the rename holds"


def test_a_renamed_employer_catches_later_mail_under_the_old_name(
    sqlite_sessions: sessionmaker[Session],
) -> None:
    account_id = new_account(sqlite_sessions)
    (first,) = store_mail(sqlite_sessions, account_id, [
        (mail("Thanks", "Received.", when=T0), ["application_received"], "Hollway Insurence", "Analyst"),
    ], 1)  # fmt: skip
    link_pending(account_id, sessions=sqlite_sessions)
    with sqlite_sessions.begin() as session:
        app = fixes.application_of(first, session=session)
        assert app is not None
        fixes.rename(account_id, app, "Holloway Insurance", "holloway insurance", session=session)
    store_mail(sqlite_sessions, account_id, [
        (mail("Update", "No.", when=T0 + DAY), ["rejection"], "Hollway Insurence", None),
    ], 10)  # fmt: skip
    link_pending(account_id, sessions=sqlite_sessions)
    assert [name for name, _ in _state(sqlite_sessions, account_id)] == ["Holloway Insurance"]


def test_impossible_corrections_say_what_to_do(sqlite_sessions: sessionmaker[Session]) -> None:
    import pytest

    account_id = new_account(sqlite_sessions)
    (only,) = store_mail(sqlite_sessions, account_id, [
        (mail("Thanks", "Received.", when=T0), ["application_received"], "Acme", "Analyst"),
    ], 1)  # fmt: skip
    link_pending(account_id, sessions=sqlite_sessions)
    with sqlite_sessions.begin() as session:
        app = fixes.application_of(only, session=session)
        assert app is not None
        with pytest.raises(fixes.CorrectionError, match="two different"):
            fixes.merge(account_id, app, app, session=session)
        with pytest.raises(fixes.CorrectionError, match="at least one"):
            fixes.split(account_id, app, [only], session=session)
        with pytest.raises(fixes.CorrectionError, match="no application"):
            fixes.merge(account_id, app, 9999, session=session)
