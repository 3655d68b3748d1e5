"""Someone else's own job news, told or forwarded to the reader, is no step of the reader's
(sixth pass); a recruiter or employer telling the reader theirs still is."""

from __future__ import annotations

import pytest

from bounceback.nlp.analyzer import Analyzer
from bounceback.nlp.notices import someone_elses_news
from bounceback.nlp.records import EmailText


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.load()


OWN_NEWS = [
    (
        "they offered me the job!!",
        "Nadia Brooks <nadia.brooks@gmail.com>",
        "Ruth!!\n\nThey rang this morning and the practice offered me the senior receptionist "
        "job, four days a week and no more Saturdays. I start in January.\n\nDrinks Friday?\nN",
    ),
    (
        "Fwd: Offer of employment - Site Manager",
        "Dev Patel <devpatel77@outlook.com>",
        "I GOT IT!!! Forwarding so you can see the numbers. Is the notice clause normal?\n\n"
        "---------- Forwarded message ---------\nFrom: Harlow Homes HR <hr@harlowhomes.co.uk>\n"
        "Subject: Offer of employment - Site Manager\n\nDear Dev,\n\nWe are pleased to offer "
        "you the position of Site Manager at Harlow Homes, starting on 4 January.\n\nHR",
    ),
    (
        "well that's that",
        "Caz <caz.m@icloud.com>",
        "Heard back from Tarnbeck today and they turned me down. The recruiter actually gave me "
        "feedback for once: not enough people management. Pub later?",
    ),
    (
        "meh",
        "Jas <jas.r@gmail.com>",
        "Saw the email at lunch, didn't get the Halden job. They said my portfolio was too "
        "samey and I ran over on the presentation. Curry tonight?",
    ),
]


@pytest.mark.parametrize(("subject", "sender", "body"), OWN_NEWS)
def test_a_friends_own_news_is_other(
    analyzer: Analyzer, subject: str, sender: str, body: str
) -> None:
    assert someone_elses_news(body)
    assert analyzer.analyze_one(EmailText("x", subject, sender, body)).labels == ()


@pytest.mark.parametrize(
    "body",
    [
        # a recruiter passing on the client's words to the reader
        "Hi Sam,\n\nThe client gave me feedback this morning: you were strong on SQL but "
        "light on stakeholder work, so they won't progress.\n\nKit",
        # an employer's offer, in the first person
        "Hi Sam,\n\nI'd like to offer you the Barista job - we'd love to have you from Monday."
        "\n\nJess",
        # the reader's own news forwarded by the employer's recruiter, second person inside
        "Sam - great news, they've offered you the role! I've been offered a bonus for "
        "placing you too, ha.\n\nKit",
    ],
)
def test_mail_to_the_reader_as_a_candidate_is_not_someone_elses_news(body: str) -> None:
    assert not someone_elses_news(body)


def test_an_offer_to_the_reader_keeps_its_label(analyzer: Analyzer) -> None:
    found = analyzer.analyze_one(
        EmailText(
            "y",
            "Job offer - Workshop Mechanic",
            "Tom Ellery <tom@ellerycycles.co.uk>",
            "Hi Josh,\n\nFollowing your trial day on Saturday, I'm pleased to offer you the "
            "job of Workshop Mechanic at Ellery Cycles, starting Monday 4 January.\n\nTom",
        )
    )
    assert found.labels == ("offer",)


def test_mail_called_other_reports_no_gaps(analyzer: Analyzer) -> None:
    # the gap model reads a shortfall here, but it is the friend's, not the reader's
    found = analyzer.analyze_one(
        EmailText(
            "z",
            "didn't get it",
            "Chris Ward <chris.ward81@gmail.com>",
            "Hey Lou,\n\nJust saw the email, I didn't get the Brennan & Co job. The recruiter "
            "said the panel liked my experience but my presentation was too long and I didn't "
            "leave time for questions.\n\nChris",
        )
    )
    assert found.labels == ()
    assert found.gaps == ()
