"""Header signals: read from raw mail in one place, carried to the analyser, used where the
words are not enough (calendar invitations, bulk mail, an ATS's Reply-To)."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage

import pytest

from bounceback.nlp.analyzer import Analyzer
from bounceback.nlp.mail import parse_email
from bounceback.nlp.modeltext import job_context
from bounceback.nlp.records import EmailText
from bounceback.nlp.signals import NO_SIGNALS, Signals, read_signals


def message(
    subject: str, sender: str, body: str, *, headers: dict[str, str] | None = None,
    ics: str | None = None,
) -> bytes:  # fmt: skip
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "sam.okafor@example.org"
    mail["Subject"] = subject
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    if ics is not None:
        mail.add_alternative(ics, subtype="calendar", params={"method": "REQUEST"})
    return mail.as_bytes()


def invitation(summary: str) -> bytes:
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
        f"UID:evt-1@example.org\r\nSUMMARY:{summary}\r\nDTSTART:20261208T100000Z\r\n"
        "DTEND:20261208T110000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    body = (
        "You have been invited to the following event.\n\n"
        f"Title: {summary}\nWhen: Tue 8 Dec 2026 10am - 11am (GMT)\n"
        "Joining: https://meet.example.org/abc-defg-hij\n\nGoing? Yes - Maybe - No\n"
    )
    return message(
        f"Invitation: {summary} @ Tue 8 Dec 2026 10am - 11am (GMT)",
        "Ali Hassan <ali.hassan@example.net>",
        body,
        ics=ics,
    )


def test_each_header_is_read() -> None:
    raw = message(
        "Jobs you might like",
        "Careers <no-reply@greenhouse.io>",
        "Three new roles this week.",
        headers={
            "List-Unsubscribe": "<https://example.org/u/1>",
            "Auto-Submitted": "auto-generated",
            "Reply-To": "Talent <Talent@Harwick-Foods.example>",
        },
    )
    assert read_signals(raw) == Signals(
        calendar=False, bulk=True, automated=True, reply_to="talent@harwick-foods.example"
    )
    assert parse_email(raw).signals == read_signals(raw)  # one reading for every path


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, NO_SIGNALS),
        ({"Auto-Submitted": "no"}, NO_SIGNALS),
        ({"Precedence": "bulk"}, Signals(bulk=True)),
        # replies to the sender's own domain say nothing new
        ({"Reply-To": "jo@harwick-foods.example"}, NO_SIGNALS),
    ],
)
def test_what_does_not_count(headers: dict[str, str], expected: Signals) -> None:
    raw = message("Hello", "Jo <jo@harwick-foods.example>", "Hi.", headers=headers)
    assert read_signals(raw) == expected


def test_a_calendar_part_is_seen_and_damaged_headers_give_nothing() -> None:
    assert read_signals(invitation("Team lunch")).calendar
    assert read_signals(b"") == NO_SIGNALS
    assert read_signals(b"\xff\xfe not a message at all") == Signals()


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.load()


LONG_EVENT_NOTE = (
    "Please arrive ten minutes early and bring the forms we emailed last week. The room is on "
    "the second floor, past the reception desk, and there is parking behind the building. If "
    "you cannot make it, reply to this invitation so we can offer the slot to someone else."
)


@pytest.mark.parametrize(
    ("summary", "job"),
    [
        ("Allotment committee", False),
        ("Interview - Warehouse Supervisor", True),
        ("Operations Lead - Round 2", True),  # a job title is enough
    ],
)
def test_a_calendar_invitation_is_job_mail_only_if_its_event_is_a_hiring_step(
    summary: str, job: bool
) -> None:
    email = EmailText("a", f"Invitation: {summary}", "Ali <ali@example.net>", LONG_EVENT_NOTE)
    assert job_context(email)  # the words alone: a long note, so job mail
    assert job_context(replace(email, signals=Signals(calendar=True))) is job


def test_bulk_or_machine_sent_mail_without_a_job_word_is_everyday_mail() -> None:
    email = EmailText("a", "Your December statement", "Bank <news@bank.example>", LONG_EVENT_NOTE)
    assert job_context(email)
    assert not job_context(replace(email, signals=Signals(bulk=True)))
    assert not job_context(replace(email, signals=Signals(automated=True)))
    jobby = replace(email, subject="New roles this week", signals=Signals(bulk=True))
    assert job_context(jobby)


def test_an_everyday_calendar_invitation_is_other(analyzer: Analyzer) -> None:
    found = analyzer.analyze_one(parse_email(invitation("Five-a-side football")).email_text("a"))
    assert found.labels == ()


def test_an_ats_reply_to_names_the_employer_the_rules_could_not(analyzer: Analyzer) -> None:
    body = (
        "Hi Sam,\n\nThank you for applying for the Stock Controller position. Unfortunately "
        "we will not be taking your application further on this occasion.\n\nTalent Team\n"
    )
    sender = "Careers <no-reply@hire.lever.co>"
    bare = parse_email(message("Your application", sender, body)).email_text("a")
    replied = parse_email(
        message("Your application", sender, body, headers={"Reply-To": "jobs@quayforge.co.uk"})
    ).email_text("b")
    first, second = analyzer.analyze([bare, replied])
    assert first.labels == second.labels == ("rejection",)
    assert first.company is None
    assert second.company == "Quayforge"
    assert second.role == "Stock Controller"


@pytest.mark.parametrize(
    ("subject", "body", "job"),
    [
        ("barista", "hey Tom, we found someone! thanks heaps for applying x", True),
        ("Re: labourer", "no longer need anyone mate, sorted now. cheers", True),
        ("Re: Saturday", "no longer need anyone mate, sorted now. cheers", False),
        ("Re: the flat", "sorry, we've gone with someone else. good luck!", False),
    ],
)
def test_a_short_note_is_job_mail_if_it_or_its_subject_says_so(
    subject: str, body: str, job: bool
) -> None:
    email = EmailText(id="n", subject=subject, sender="Sam <sam@example.org>", body=body)
    assert job_context(email) is job


def test_a_decision_about_candidates_is_job_mail_whatever_else_it_mentions() -> None:
    # "tenant" alone reads like a rental; the plural "candidates" says job search.
    body = (
        "We've reviewed the answers from all the candidates and won't be moving you on. "
        "Two replies also used our internal jargon (the tenant admin scope). " * 3
    )
    email = EmailText(id="t", subject="Your exercise", sender="Jo <jo@example.org>", body=body)
    assert job_context(email)


@pytest.mark.parametrize(
    ("subject", "sender", "body"),
    [
        (
            "Your talk proposal for Buildconf 2027",
            "Programme Committee <cfp@buildconf.dev>",
            "Hi Sam,\n\nThank you for submitting 'Flaky tests, calm teams' to Buildconf. We had "
            "more proposals than slots and unfortunately we are not able to include yours this "
            "year. We hope to see you there.\n\nThe committee\n",
        ),
        (
            "Outcome of your application",
            "Grants <grants@eastfieldarts.org>",
            "Dear Sam,\n\nThank you for applying to the Community Projects grant. We regret that "
            "your application was unsuccessful in this round.\n\nGrants team\n",
        ),
    ],
)
def test_rejections_outside_a_job_search_are_other(
    analyzer: Analyzer, subject: str, sender: str, body: str
) -> None:
    found = analyzer.analyze_one(EmailText("a", subject, sender, body))
    assert found.labels == ()


def test_a_person_called_grant_is_not_a_grant(analyzer: Analyzer) -> None:
    body = (
        "Hi Jo,\n\nThanks for coming in. We've gone with another stage manager for the tour. "
        "We needed someone who had toured before.\n\nBest,\nHelen Grant\n"
    )
    found = analyzer.analyze_one(EmailText("a", "Tour", "Helen Grant <helen.grant@x.co.uk>", body))
    assert "rejection" in found.labels


def test_the_quick_word_test_for_other_domains_never_changes_an_answer() -> None:
    # the opening of every corpus email, read with and without the word-set shortcut
    from bounceback.nlp import modeltext
    from bounceback.nlp.scoring import CORPUS_DIR, email_from_record, load_jsonl

    heads = [
        f"{email.subject}\n{email.sender}\n{email.body[:600]}"
        for name in ("emails.train.jsonl", "emails.dev.jsonl")
        for email in map(email_from_record, load_jsonl(CORPUS_DIR / name))
    ]
    full = [bool(modeltext._OTHER_DOMAIN.search(head)) for head in heads]
    assert sum(full) > 100  # the pattern does fire on the corpus
    assert [modeltext._other_domain(head) for head in heads] == full
