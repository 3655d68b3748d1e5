"""A decision stated in a fixed form is a rejection, whatever layout surrounds it."""

from __future__ import annotations

import pytest

from bounceback.nlp.analyzer import Analyzer
from bounceback.nlp.decisions import states_a_rejection, states_an_invitation
from bounceback.nlp.records import EmailText


@pytest.mark.parametrize(
    "body",
    [
        "After reviewing your application, Wexcombe Engineering has decided not to move "
        "forward at this time.",
        "Pine Hollow Medical Group has reviewed your application and decided to move "
        "forward with other candidates.",
        "Dear Ana,\nWe will not be progressing with your application for this role.",
        "Thank you for applying. Your application was unsuccessful on this occasion.",
        "We're sorry to tell you that you were not selected for interview.",
        "Thanks for your interest in Shift Manager. We have decided to go with another applicant.",
        "As discussed on the phone, we won't be moving ahead with your profile for the "
        "Analyst role.",
        "Thanks again for coming up to the yard. As I said, we won't be offering you the "
        "role, but Sam has written some notes for you.",
        "They've decided to pursue other candidates for this one, I'm afraid.",
    ],
)
def test_a_plain_decision_is_read(body: str) -> None:
    assert states_a_rejection(body)


@pytest.mark.parametrize(
    "body",
    [
        # an acknowledgement's conditional, the commonest false friend
        "Thanks for applying. If you have not been shortlisted within four weeks, please "
        "assume your application has been unsuccessful.",
        "We have decided to move forward with your application: next is a phone screen.",
        "Should your application be unsuccessful, we will keep your CV on file.",
        "Thanks for your application. We'll be in touch soon.",
        "If we decide to go with another applicant, we will let you know by Friday.",
        "We won't be moving forward until the budget is signed off, so bear with us.",
    ],
)
def test_what_is_not_a_decision(body: str) -> None:
    assert not states_a_rejection(body)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (  # the label model alone scored this 0.05 for rejection when it was written
            "An update on your application\n\nCustomer Service Advisor · Fairway Energy\n\n"
            "After reviewing your application, Fairway Energy has chosen to move forward with "
            "other candidates. Keep looking - thousands of new jobs are posted every day.\n\n"
            "Find jobs\n\nYou received this email because of your settings. Unsubscribe.",
            ("Fairway Energy", "Customer Service Advisor"),
        ),
        (  # and this 0.32, under the 0.4 threshold
            "Application update\n\nStore Supervisor · Marrowby Foods · Leeds\n\n"
            "Marrowby Foods has decided to move forward with other applicants for this role.\n\n"
            "Recommended for you\nShift Manager · Ormsby Retail · Leeds\n"
            "Team Leader · Quayline · Bradford\n\nManage alerts | Unsubscribe",
            ("Marrowby Foods", "Store Supervisor"),
        ),
    ],
)
def test_a_board_notice_that_states_the_decision_is_a_rejection(
    analyzer: Analyzer, body: str, expected: tuple[str, str]
) -> None:
    email = EmailText(
        id="board",
        subject="Update on your application",
        sender="Indeed <donotreply@match.indeed.com>",
        body=body,
    )
    result = analyzer.analyze_one(email)
    assert "rejection" in result.labels
    assert (result.company, result.role) == expected


@pytest.mark.parametrize(
    ("body", "label"),
    [
        # an acknowledgement that says what happens if the background fits
        (
            "Sam,\n\nThank you for applying for the Regional Sales Manager position with Marston "
            "Foods. We appreciate your interest. If your background matches our needs, a member "
            "of our recruiting team will reach out.\n\nSincerely,\nMarston Foods Recruiting",
            "application_received",
        ),
        # a rejection that thanks the reader for applying
        (
            "Dear Sam,\n\nThank you for applying for the Site Planner role at our Carrow yard. We "
            "have now completed our review and will not be progressing your application. We'll "
            "keep your profile on file.\n\nHarbour Freight Recruitment",
            "rejection",
        ),
    ],
)
def test_received_and_rejected_are_not_both_said(analyzer: Analyzer, body: str, label: str) -> None:
    email = EmailText("a", "Your application", "Careers <careers@harbourfreight.example>", body)
    assert analyzer.analyze_one(email).labels == (label,)


def test_a_go_betweens_plain_no(analyzer: Analyzer) -> None:
    body = (
        "Hi Sam, Quenby came back - it's a no. They'd want someone who can start within four "
        "weeks, and your three-month notice was the sticking point. They did like you. Kit"
    )
    sender = "Kit Moss <kit@brightfieldtalent.co.uk>"
    found = analyzer.analyze_one(EmailText("a", "Update", sender, body))
    assert found.labels == ("rejection", "feedback")
    assert found.company == "Quenby"
    assert [(g.category, g.text) for g in found.gaps] == [
        (
            "fit",
            "They'd want someone who can start within four weeks, and your three-month notice "
            "was the sticking point.",
        )
    ]
    assert states_a_rejection("they've said no, sorry") and not states_a_rejection("no problem")


def test_moving_forward_to_a_final_round_is_no_offer(analyzer: Analyzer) -> None:
    body = (
        "Hi Sam,\n\nGreat news - the team would like to move you forward to the final round. "
        "Please use the link below to pick a time that suits you.\n\nSchedule your interview"
    )
    email = EmailText("a", "Next steps", "Perch <no-reply@ashbyhq.com>", body)
    assert analyzer.analyze_one(email).labels == ("interview",)
    # Model 0.3.0 alone scored this mail over both bars; whichever model is shipped, when
    # both outcomes pass, the one further over its bar stays and the other goes.
    bars = analyzer.thresholds.labels
    scores = {label: 0.0 for label in bars}
    scores |= {"interview": bars["interview"] + 0.3, "offer": bars["offer"] + 0.1}
    assert analyzer._one_outcome(scores, ["interview", "offer"], decided=False) == ("interview",)
    scores |= {"interview": bars["interview"] + 0.05, "offer": bars["offer"] + 0.4}
    assert analyzer._one_outcome(scores, ["interview", "offer"], decided=False) == ("offer",)


_TEACHER = (
    "Dear Ms Rowe,\n\nThank you for applying for the post of Science Technician. You have "
    "been shortlisted, and interviews will be held on 3 March. Please bring your degree "
    "certificate.\n\nSchool Office"
)


@pytest.mark.parametrize(
    "body",
    [
        "Dear Mr Lee,\n\nWe have read your resume and we would like to invite you for a video "
        "interview with our Sales Director on Friday at 10:00.",
        _TEACHER,
        "Hi Ana,\n\nThe hiring manager for Payroll Officer would like to schedule an interview "
        "with you. Please reply with your availability.",
        "Dear Tom,\n\nThank you for your application for the post of Porter. You have been "
        "shortlisted for interview on 9 May.",
    ],
)
def test_an_invitation_said_outright_is_read(body: str) -> None:
    assert states_an_invitation(body)


@pytest.mark.parametrize(
    "body",
    [
        # conditionals and refusals
        "Thanks for applying for the Porter job. If you are shortlisted, we would like to "
        "invite you for an interview in May.",
        "Thank you for applying for the Porter role. Unfortunately we would not like to invite "
        "you to interview this time.",
        # an interview that is no job's
        "Thank you for applying to the MSc course. We would like to invite you to an "
        "admissions interview on 4 May.",
        "Thanks for offering to volunteer in our shop. We'd like to invite you for a short "
        "informal interview.",
        # no job named at all: left to the model
        "We would like to invite you to an interview about your experience of the scheme.",
    ],
)
def test_what_is_not_an_invitation(body: str) -> None:
    assert not states_an_invitation(body)


def test_the_analyzer_labels_a_plain_invitation(analyzer: Analyzer) -> None:
    email = EmailText("t", "Shortlisting", "Office <office@ashgrove.sch.example>", _TEACHER)
    assert analyzer.analyze_one(email).labels == ("interview",)


def test_the_quick_key_test_never_hides_a_decision() -> None:
    from bounceback.nlp import decisions
    from bounceback.nlp.scoring import CORPUS_DIR, load_jsonl

    bodies = [
        record["body"][:900]
        for name in ("emails.train.jsonl", "emails.dev.jsonl")
        for record in load_jsonl(CORPUS_DIR / name)
    ]
    found = [body for body in bodies if decisions._DECISION.search(body)]
    assert len(found) > 100
    assert all(any(key in body.lower() for key in decisions._DECISION_KEYS) for body in found)


def test_a_wrapped_statement_reads_the_same() -> None:
    body = (
        "Thanks for your interest in Shift Manager. We have decided to go with another applicant."
    )
    wrapped = body.replace("to go with", "to go\nwith")
    assert states_a_rejection(body) and states_a_rejection(wrapped)
    conditional = (
        "Thanks for applying. If you have not\nheard from us within four weeks, please assume "
        "that you were not\nselected on this occasion."
    )
    assert not states_a_rejection(conditional)
    invited = (
        "Thank you for applying for the Porter job. We would like to\ninvite you for an interview."
    )
    assert states_an_invitation(invited)
