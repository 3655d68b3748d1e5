"""Linking on a real database: threads, ids, names that must and must not merge, the demo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bounceback.flows.link import link_pending
from bounceback.nlp.analyzer import Analyzer
from bounceback.storage.applications import ApplicationView, list_applications
from tests.support.applications import SAMPLES_NOW, mail, new_account, store_mail, store_samples

DAY = timedelta(days=1)
T0 = datetime(2026, 9, 1, 9, tzinfo=UTC)


def _apps(
    sessions: sessionmaker[Session], account_id: int, now: datetime = SAMPLES_NOW
) -> list[ApplicationView]:
    with sessions.begin() as session:
        return list_applications(account_id, now=now, session=session)


def test_the_demo_mailbox_gives_each_employer_once_with_the_right_stages(
    sqlite_sessions: sessionmaker[Session], analyzer: Analyzer
) -> None:
    account_id, _ = store_samples(sqlite_sessions, analyzer)
    report = link_pending(account_id, sessions=sqlite_sessions)
    assert report.messages == 41
    apps = {a.employer: a for a in _apps(sqlite_sessions, account_id)}
    assert len(apps) == 17, sorted(apps)
    for ats_or_agency in ("Applyflow", "Calder & Finch", "TalentDesk"):
        assert ats_or_agency not in apps
    assert not {"Greyfriars Data", "Quillon"} & set(apps), "one employer, one name"
    assert (apps["Holloway Insurance"].stage, apps["Holloway Insurance"].rejected_at) == (
        "rejected",
        "interview",
    )
    assert apps["Quillon Software"].rejected_at == "application"
    assert apps["Corvid Health"].rejected_at == "interview"
    assert [e.kind for e in apps["Corvid Health"].events][:2] == ["acknowledged", "assessment"]
    assert (apps["Fernway"].channel, apps["Fernway"].via) == ("agency", "Calder & Finch")
    assert apps["Greyfriars Data Co"].stage == "offer"
    assert len(apps["Greyfriars Data Co"].events) == 3
    kestrel = apps["Kestrel Analytics"].upcoming
    assert [(u.kind, u.at) for u in kestrel if u.kind == "interview"] == [
        ("interview", datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
    ]
    ridgeback = apps["Ridgeback Retail"]
    assert ridgeback.channel == "ats" and ridgeback.stage == "assessment"
    due = [u for u in ridgeback.upcoming if u.kind == "take_home"]
    assert due and due[0].at.date().isoformat() == "2026-12-04" and due[0].all_day
    assert any(u.kind == "reply" for u in ridgeback.upcoming), "tell me which day: a reply owed"
    asks = [u for u in apps["Holloway Insurance"].upcoming if u.kind == "feedback_request"]
    assert asks and "interview" in asks[0].what
    # linking again finds nothing new
    assert link_pending(account_id, sessions=sqlite_sessions).messages == 0


def test_a_reply_joins_its_thread_whatever_name_it_is_given(
    sqlite_sessions: sessionmaker[Session],
) -> None:
    account_id = new_account(sqlite_sessions)
    first = mail("Interview: Data Analyst", "We'd like to invite you to an interview.",
                 message_id="<one@acme.example>", when=T0)  # fmt: skip
    # the user's reply is not in the inbox; References still names the first email
    reply = mail("Re: Interview: Data Analyst", "Sorry, we have decided not to proceed.",
                 sender="Jo Bloggs <jo@gmail.example>", when=T0 + DAY,
                 in_reply_to="<alex-reply@mail.example>",
                 references="<one@acme.example> <alex-reply@mail.example>")  # fmt: skip
    store_mail(sqlite_sessions, account_id, [
        (first, ["interview"], "Acme", "Data Analyst"),
        (reply, ["rejection"], "Jo Bloggs Consulting", None),
    ], 1)  # fmt: skip
    link_pending(account_id, sessions=sqlite_sessions)
    (app,) = _apps(sqlite_sessions, account_id)
    assert (app.employer, app.stage, app.rejected_at) == ("Acme", "rejected", "interview")


def test_an_id_in_the_mail_picks_the_application_among_several(
    sqlite_sessions: sessionmaker[Session],
) -> None:
    account_id = new_account(sqlite_sessions)
    a = mail("Application received: Data Analyst (Job ID: 1001)", "Thanks for applying.", when=T0)
    b = mail(
        "Application received: Data Engineer (Job ID: 2002)", "Thanks for applying.", when=T0 + DAY
    )
    later = mail(
        "Update on Job ID 1001", "We will not be progressing your application.", when=T0 + 9 * DAY
    )
    store_mail(sqlite_sessions, account_id, [
        (a, ["application_received"], "Acme", "Data Analyst"),
        (b, ["application_received"], "Acme", "Data Engineer"),
        (later, ["rejection"], "Acme", None),
    ], 1)  # fmt: skip
    link_pending(account_id, sessions=sqlite_sessions)
    apps = {a.role: a for a in _apps(sqlite_sessions, account_id)}
    assert set(apps) == {"Data Analyst", "Data Engineer"}
    assert apps["Data Analyst"].stage == "rejected"
    assert apps["Data Engineer"].stage == "applied"


def test_names_that_must_merge_and_names_that_must_not(
    sqlite_sessions: sessionmaker[Session],
) -> None:
    account_id = new_account(sqlite_sessions)
    rows = [
        (mail("Application confirmation", "Received.", when=T0), ["application_received"],
         "Greyfriars Data Co", "Analyst, Customer Insights"),
        (mail("Interview", "Second interview?", when=T0 + DAY), ["interview"], "Greyfriars Data", None),
        (mail("Offer", "Offer.", when=T0 + 2 * DAY), ["offer"], "The Greyfriars Data Company Ltd", "Analyst"),
        (mail("Thanks", "Received.", when=T0), ["application_received"], "Kestrel Analytics", "Data Analyst"),
        (mail("Thanks", "Received.", when=T0 + DAY), ["application_received"], "Kestrel Payments", "Data Analyst"),
        # a name and the same name with the kind of organisation it is, or spaced another way
        (mail("Thanks", "Received.", when=T0), ["application_received"], "Wrenfield Arts Trust", "Curator"),
        (mail("Interview", "Tuesday?", when=T0 + DAY), ["interview"], "Wrenfield Arts", "Curator"),
        (mail("Thanks", "Received.", when=T0), ["application_received"], "Tolland Healthcare NHS Trust", "Staff Nurse"),
        (mail("Update", "Not this time.", when=T0 + 3 * DAY), ["rejection"], "Tolland Health Care", "Staff Nurse"),
        (mail("Thanks", "Received.", when=T0), ["application_received"], "Meadowbank Health", "Porter"),
        (mail("Update", "Not this time.", when=T0 + 3 * DAY), ["rejection"], "Meadow Bank Health NHS Trust", "Porter"),
        # ...but a word that names another organisation keeps them apart
        (mail("Thanks", "Received.", when=T0), ["application_received"], "Oakhill Riding School", "Groom"),
        (mail("Thanks", "Received.", when=T0 + DAY), ["application_received"], "Oakhill School", "Groom"),
    ]  # fmt: skip
    store_mail(sqlite_sessions, account_id, rows, 1)
    link_pending(account_id, sessions=sqlite_sessions)
    apps = {a.employer: a for a in _apps(sqlite_sessions, account_id)}
    assert set(apps) == {
        "Greyfriars Data Co", "Kestrel Analytics", "Kestrel Payments", "Wrenfield Arts Trust",
        "Tolland Healthcare NHS Trust", "Meadowbank Health", "Oakhill Riding School",
        "Oakhill School",
    }  # fmt: skip
    assert apps["Greyfriars Data Co"].stage == "offer"
    assert apps["Wrenfield Arts Trust"].stage == "interview"
    assert apps["Tolland Healthcare NHS Trust"].stage == "rejected"
    assert apps["Meadowbank Health"].stage == "rejected"


def test_several_fitting_applications_and_no_role_start_a_new_one(
    sqlite_sessions: sessionmaker[Session],
) -> None:
    account_id = new_account(sqlite_sessions)
    rows = [
        (mail("Thanks", "Received.", when=T0), ["application_received"], "Acme", "Data Analyst"),
        (mail("Thanks", "Received.", when=T0 + DAY), ["application_received"], "Acme", "Data Engineer"),
        (mail("Update", "Not this time.", when=T0 + 5 * DAY), ["rejection"], "Acme", None),
    ]  # fmt: skip
    store_mail(sqlite_sessions, account_id, rows, 1)
    link_pending(account_id, sessions=sqlite_sessions)
    apps = _apps(sqlite_sessions, account_id)
    assert sorted(a.stage for a in apps) == ["applied", "applied", "rejected"]
    assert {a.role for a in apps if a.stage == "applied"} == {"Data Analyst", "Data Engineer"}


def test_quiet_applications_and_boards_that_never_answer(
    sqlite_sessions: sessionmaker[Session],
) -> None:
    from bounceback.storage.applications import mark_follow_up_offered

    account_id = new_account(sqlite_sessions)
    rows = [
        (mail("Thanks for applying", "Received.", when=T0), ["application_received"], "Acme", "Data Analyst"),
        (mail("Your application was sent to Marston Foods", "Your application was sent to Marston Foods.",
              sender="LinkedIn <jobs-noreply@linkedin.com>", when=T0),
         ["application_received"], "Marston Foods", "Buyer"),
    ]  # fmt: skip
    store_mail(sqlite_sessions, account_id, rows, 1)
    link_pending(account_id, sessions=sqlite_sessions)
    soon = T0 + timedelta(days=15)
    apps = {a.employer: a for a in _apps(sqlite_sessions, account_id, soon)}
    assert apps["Acme"].quiet is None
    assert [u.kind for u in apps["Acme"].upcoming] == ["follow_up"], "due within the week"
    assert apps["Acme"].upcoming[0].at == T0 + timedelta(days=21)
    assert apps["Marston Foods"].quiet == "no signal expected"
    assert apps["Marston Foods"].upcoming == ()
    late = T0 + timedelta(days=22)
    assert {a.employer: a.quiet for a in _apps(sqlite_sessions, account_id, late)}[
        "Acme"
    ] == "no reply yet"
    with sqlite_sessions.begin() as session:
        assert mark_follow_up_offered(apps["Acme"].id, soon, session=session)
        assert not mark_follow_up_offered(apps["Acme"].id, late, session=session), "never twice"
    again = {a.employer: a for a in _apps(sqlite_sessions, account_id, late)}
    assert again["Acme"].upcoming == ()


def test_the_profile_sets_how_long_before_an_application_has_gone_quiet(
    sqlite_sessions: sessionmaker[Session],
) -> None:
    from bounceback.account.profile import ProfileUpdate, update_profile

    account_id = new_account(sqlite_sessions)
    rows = [(mail("Thanks for applying", "Received.", when=T0), ["application_received"], "Acme", "Data Analyst")]  # fmt: skip
    store_mail(sqlite_sessions, account_id, rows, 1)
    link_pending(account_id, sessions=sqlite_sessions)
    day_12 = T0 + timedelta(days=12)
    assert [a.quiet for a in _apps(sqlite_sessions, account_id, day_12)] == [None]
    shown = update_profile(sqlite_sessions, None, ProfileUpdate(quiet_days=10))
    assert shown["quiet_days"] == 10
    assert [a.quiet for a in _apps(sqlite_sessions, account_id, day_12)] == ["no reply yet"]
