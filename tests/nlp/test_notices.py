"""Job mail about no step of the reader's own candidacy is "other"; a notice that says
what happened is not one of those."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bounceback.nlp.analyzer import Analyzer
from bounceback.nlp.notices import is_a_newsletter, no_step_of_mine
from bounceback.nlp.records import EmailText
from bounceback.nlp.signals import Signals

NO_STEP = [
    (
        "Withdrawal confirmed: Stores Supervisor",
        "Hi Dev, this confirms that you withdrew your application for Stores Supervisor on "
        "1 December. You can apply for other roles at any time.",
    ),
    (
        "Re: Site Administrator interview",
        "Hi Clare, thanks so much for the invitation, but I've accepted another post and "
        "would like to withdraw from Monday's interview. Sorry for the short notice. Mo",
    ),
    (
        "Two finalists for your Buyer vacancy",
        "Hi Ravi, both finalists can come in on Thursday. Could you interview them at 10:00 "
        "and 11:00? I'll send their CVs tonight with my screening notes.",
    ),
    (
        "Scorecard due: Ana Ruiz - Support Engineer",
        "You interviewed Ana Ruiz for Support Engineer yesterday. Your scorecard is "
        "outstanding; please submit it so the team can debrief.",
    ),
    (
        "Application status update",
        "The status of your application for Payroll Clerk has changed. Log in to your "
        "candidate account to view the update.",
    ),
]
NO_STEP += [
    (
        "Two minutes on your interview with Harwick Foods?",
        "Hi Ravi,\n\nWhatever the result, we'd value your view of how the day went: how "
        "clear our emails were and whether the panel was ready for you. Please take our short "
        "candidate survey: https://survey.harwick-foods.example/c/91\n\nPeople Team",
    ),
    (
        "Invitation: Interview - Mo Ali (Buyer) @ Thu 10 Dec 14:00",
        "You are an interviewer for this session.\nCandidate: Mo Ali\nFocus: negotiation\nRoom 3B",
    ),
    (
        "Welcome to the Harwick Foods talent community",
        "Hi Jo, thanks for joining our talent community. We have your details and will let "
        "you know when something that fits your interests comes up. Joining is not an "
        "application: apply on our site for any single opening.",
    ),
]
A_STEP = [
    (
        "Your application for Payroll Clerk",
        "The status of your application has changed. Unfortunately you have not been "
        "shortlisted on this occasion. You can log in to see other vacancies.",
        ("rejection",),
    ),
    (
        "Interview invitation - Buyer",
        "Dear Ravi, thank you for applying. We would like to invite you to interview on "
        "Thursday at 10:00 at our Leeds office. Please confirm you can attend.",
        ("interview",),
    ),
    (
        "Your application for Buyer",
        "Dear Ravi, unfortunately you have not been successful on this occasion. We'd be "
        "grateful if you could take our candidate survey about the process.",
        ("rejection",),
    ),
]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.load()


@pytest.mark.parametrize(("subject", "body"), NO_STEP)
def test_withdrawals_interviewer_mail_and_bare_status_notices_get_no_label(
    analyzer: Analyzer, subject: str, body: str
) -> None:
    email = EmailText("a", subject, "Hiring <jobs@harwick-foods.example>", body)
    assert no_step_of_mine(email)
    assert analyzer.analyze_one(email).labels == ()


@pytest.mark.parametrize(("subject", "body", "labels"), A_STEP)
def test_a_notice_that_says_what_happened_keeps_its_label(
    analyzer: Analyzer, subject: str, body: str, labels: tuple[str, ...]
) -> None:
    email = EmailText("a", subject, "Hiring <jobs@harwick-foods.example>", body)
    assert not no_step_of_mine(email)
    assert analyzer.analyze_one(email).labels == labels


_ISSUE = (
    "THE NEXT ROUND | Issue 48\n\nTurned down after a great interview?\n\nIt happens more "
    "than you think. A budget freeze, an internal move, a late referral. Here is how to read "
    'the email: "We have decided to move forward with other candidates" after a final round '
    "usually means it was close.\n\nALSO THIS WEEK\n- How to answer the salary question\n\n"
    "Read online | Unsubscribe"
)


def _listed(subject: str, body: str) -> EmailText:
    sender = "The Next Round <news@nextround.example>"
    return EmailText("n", subject, sender, body, signals=Signals(bulk=True))


def test_a_newsletter_about_rejection_is_other(analyzer: Analyzer) -> None:
    email = _listed("Turned down after a great interview?", _ISSUE)
    assert is_a_newsletter(email)
    assert not is_a_newsletter(replace(email, signals=Signals()))  # not sent to a list
    assert analyzer.analyze_one(email).labels == ()


def test_a_newsletter_with_listings_is_still_a_job_alert(analyzer: Analyzer) -> None:
    body = (
        "Harbour Jobs Weekly\n\nThis week's picks for you:\n\nWarehouse Team Leader - Hull - "
        "£31k\nForklift Driver - Goole - £13.20/hr\nStock Controller - Hull - £27k\n\nTips: "
        "how to answer 'why do you want to work here?'\n\nRead more | Unsubscribe"
    )
    sender = "Harbour Jobs <news@harbourjobs.example>"
    email = EmailText("w", "This week: 3 jobs near Hull", sender, body, signals=Signals(bulk=True))
    assert is_a_newsletter(email)
    assert analyzer.analyze_one(email).labels == ("job_alert",)


def test_list_mail_about_my_own_application_is_no_newsletter() -> None:
    body = (
        "Hi Sam,\n\nThank you for your application for Stock Controller. Unfortunately we "
        "will not be taking it further. Read our tips for next time in this week's newsletter."
    )
    assert not is_a_newsletter(_listed("Your application", body))


def test_the_quick_key_tests_never_hide_a_match() -> None:
    # every corpus email: a pattern that matches the opening always has one of its keys there
    from bounceback import nlp
    from bounceback.nlp.scoring import CORPUS_DIR, email_from_record, load_jsonl

    notices = nlp.notices
    gated = (
        (notices._WITHDRAWN_KEYS, notices._WITHDRAWN),
        (notices._INTERVIEWER_KEYS, notices._INTERVIEWER),
        (notices._SURVEY_KEYS, notices._SURVEY),
        (notices._ACCOUNT_KEYS, notices._ACCOUNT),
        (notices._ONBOARDING_KEYS, notices._ONBOARDING),
    )
    matched = 0
    for name in ("emails.train.jsonl", "emails.dev.jsonl"):
        for email in map(email_from_record, load_jsonl(CORPUS_DIR / name)):
            text = f"{email.subject}\n{email.body[:700]}"
            for keys, pattern in gated:
                if pattern.search(text):
                    matched += 1
                    assert any(key in text.lower() for key in keys), text[:200]
    assert matched > 100
