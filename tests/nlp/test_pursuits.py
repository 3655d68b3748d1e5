"""Applying for, or being offered, something that is no job is "other" mail."""

from __future__ import annotations

import pytest

from bounceback.nlp.analyzer import Analyzer
from bounceback.nlp.pursuits import pursues_no_job
from bounceback.nlp.records import EmailText

_NOT_JOBS = [
    (
        "Harvest Fair 2027 - your stall application",
        "Dear Priti,\n\nThanks for applying for a stall at the Harvest Fair. We received 210 "
        "applications for 60 pitches and unfortunately yours was not successful this time. "
        "We already had several soap and candle traders.\n\nFair Committee",
    ),
    (
        "Shortlisted: Apprentice Maker of the Year",
        "Hi Ravi,\n\nGreat news - you have been shortlisted for the Apprentice Maker of the "
        "Year award. The judges would like to meet you for a judging interview on 4 May at "
        "our Leeds office. Please bring your project.\n\nAwards Office",
    ),
    (
        "Quiz Night Champions - contestant selection",
        "Dear Elsie,\n\nThank you for applying to be a contestant on Quiz Night Champions. "
        "We're sorry to say you have not been selected this time, as we had thousands of "
        "applicants.\n\nProduction Team",
    ),
    (
        "Your pitch for the Harbourside commission",
        "Hi Leo,\n\nThe board loved your sketches and we're delighted to offer you the "
        "commission for the harbour wall mural, with a fee of £3,200.\n\nMaya",
    ),
    (
        "Website rebuild - tender outcome",
        "Dear Ola,\n\nThank you for your response to our invitation to tender. We regret "
        "that Northlight Studio has not been shortlisted to present to the panel.\n\n"
        "Procurement Team",
    ),
    (
        "Seed round",
        "Hi Kemi,\n\nAfter Tuesday's call I'm happy to offer an investment of £150k at a "
        "£1.2m pre-money valuation. Term sheet to follow.\n\nMarcus",
    ),
]

_JOBS = [
    (
        "Your audition",
        "Dear Ben,\n\nThank you for auditioning for the role of Nancy. Unfortunately we have "
        "decided to go in a different direction.\n\nCasting",
    ),
    (
        "Clerical Officer competition - shortlisting",
        "Dear Ms Doyle,\n\nI refer to your application for the above competition. I regret to "
        "inform you that you have not been shortlisted for interview.\n\nHuman Resources",
    ),
    (
        "Sales Executive - offer",
        "Hi Jo,\n\nWe're pleased to offer you the Sales Executive position: £28k base plus "
        "commission, start date 5 January.\n\nPaul",
    ),
    (
        "Festival Site Manager",
        "Hi Amir,\n\nThanks for applying for the Site Manager job at the Bramble Festival. "
        "We'd like to invite you to an interview on Friday.\n\nKate",
    ),
]


@pytest.mark.parametrize(("subject", "body"), _NOT_JOBS)
def test_no_job_is_pursued(subject: str, body: str) -> None:
    assert pursues_no_job(subject, body)


@pytest.mark.parametrize(("subject", "body"), _JOBS)
def test_a_named_job_is_job_mail(subject: str, body: str) -> None:
    assert not pursues_no_job(subject, body)


@pytest.mark.parametrize(("subject", "body"), _NOT_JOBS)
def test_the_analyzer_gives_no_job_label(analyzer: Analyzer, subject: str, body: str) -> None:
    email = EmailText(id="p", subject=subject, sender="Team <team@example.org>", body=body)
    assert analyzer.analyze_one(email).labels == ()


def test_an_audition_for_a_role_keeps_its_rejection(analyzer: Analyzer) -> None:
    subject, body = _JOBS[0]
    email = EmailText(id="a", subject=subject, sender="Casting <casting@example.org>", body=body)
    assert "rejection" in analyzer.analyze_one(email).labels
