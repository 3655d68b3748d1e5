"""Hard negatives (DESIGN.md): mail about applying for something that is not a job, or
about a job search without a step of the reader's own, is "other". Written for this test;
none of it is in the corpus."""

from __future__ import annotations

import pytest

from bounceback.nlp.analyzer import Analyzer
from bounceback.nlp.records import EmailText

HARD_NEGATIVES = [
    (
        "checks",
        "Complete your pre-employment checks",
        "NHS Jobs <noreply@jobs.nhs.uk>",
        "Dear Sam Okafor,\n\nYou have accepted the conditional offer from Calder Valley NHS Trust for Healthcare Assistant. You now need to complete your pre-employment check forms, including references and occupational health.\n\nLog in to your NHS Jobs account",
    ),
    (
        "dbs",
        "Your DBS certificate",
        "Recruitment <recruitment@calderhealth.nhs.uk>",
        "Dear Sam,\n\nYour DBS check has been completed and we have received a clear certificate. We will be in touch with your start date.\n\nRecruitment",
    ),
    (
        "refs",
        "Reminder: references outstanding",
        "HR <hr@tallisbio.com>",
        "Hi Sam,\n\nWe're still waiting for one of your two references. Could you nudge your referee, or give us another contact?\n\nTallis Bio HR",
    ),
    (
        "account",
        "Welcome to the Orrin Foods careers site",
        "Orrin Foods <orrinfoods@myworkday.com>",
        "Hi Sam,\n\nThank you for creating a candidate account. You can now apply for jobs, save searches and track your applications.\n\nOrrin Foods Talent Acquisition",
    ),
    (
        "password",
        "Password reset request",
        "Perch Careers <no-reply@ashbyhq.com>",
        "Hi Sam,\n\nWe received a request to reset your password for the Perch careers portal. Use the link below within 24 hours. If this wasn't you, ignore this email.",
    ),
    (
        "onboard",
        "Getting ready for 4 January",
        "People Team <people@tallisbio.com>",
        "Hi Sam,\n\nWe're looking forward to having you with us! Before your first day, please complete the onboarding forms in Workday and bring your passport for the right-to-work check.\n\nPeople Team",
    ),
    (
        "signed",
        "RE: Signed contract",
        "Dana Holt <dana@perch.io>",
        "Hi Sam, received your signed contract - thank you, and welcome to the team! I'll send your first-week schedule nearer the time. Dana",
    ),
    (
        "sports-trial",
        "Academy trials - outcome",
        "Westfield Rovers Academy <academy@westfieldrovers.co.uk>",
        "Dear Parent,\n\nThank you for bringing Leo to the U12 academy trials on Saturday. Unfortunately he has not been selected for the squad this season. We encourage him to keep playing and to try again next year.\n\nAcademy staff",
    ),
    (
        "allotment",
        "Allotment application",
        "Parks <allotments@eastfield.gov.uk>",
        "Dear Sam,\n\nThank you for your allotment application. There is currently a waiting list of about 18 months at Mill Lane; we have added you to it.\n\nParks team",
    ),
    (
        "school-appeal",
        "School appeal decision",
        "Admissions Appeals <appeals@eastfield.gov.uk>",
        "Dear Parent,\n\nThe independent appeal panel has considered your appeal for a place at Greenway Primary School. I am sorry to tell you that the appeal was not upheld.\n\nClerk to the Appeal Panel",
    ),
    (
        "promo-declined",
        "Your promotion case",
        "HR <hr@perch.io>",
        "Hi Sam,\n\nThe promotion committee met on Tuesday. I'm sorry to say your case for Senior Analyst was not approved this cycle. Your manager will talk you through the feedback, mainly around the scope of projects you've led.\n\nHR",
    ),
    (
        "pr-declined",
        "[perch/api] Pull request #412 declined",
        "GitHub <notifications@github.com>",
        "dana-holt declined this pull request.\n\nWe've decided not to merge this - the caching layer needs a different approach. Thanks for the contribution!\n\nReply to this email directly or view it on GitHub.",
    ),
    (
        "credit-card",
        "Your credit card application",
        "Norbank <noreply@norbank.co.uk>",
        "Dear Sam,\n\nThank you for applying for a Norbank Rewards credit card. Unfortunately we are unable to approve your application at this time.\n\nNorbank",
    ),
    (
        "auction",
        "You were outbid",
        "Bidly <alerts@bidly.com>",
        "Hi Sam,\n\nUnfortunately your bid on 'Mid-century armchair' was unsuccessful. The item sold for £240.\n\nBidly",
    ),
    (
        "tenancy-ok",
        "Tenancy application approved",
        "Harbour Lets <lettings@harbourlets.co.uk>",
        "Hi Sam,\n\nGreat news - the landlord has approved your application for 14 Carrow Road. We'll send the tenancy agreement to sign tomorrow.\n\nHarbour Lets",
    ),
    (
        "jury",
        "Jury summons",
        "Jury Central Summoning <jury@justice.gov.uk>",
        "You have been selected for jury service starting 12 January 2027. Please reply within 7 days.",
    ),
    (
        "store-survey",
        "How was your visit?",
        "Fernway Outdoors <hello@fernway.co.uk>",
        "Hi Sam,\n\nThanks for visiting our Leeds store. Tell us about the service you received from our team - it takes 1 minute.\n\nStart survey",
    ),
    (
        "ceo-interview",
        "Our CEO's interview on BBC Radio 4",
        "Perch News <news@perch.io>",
        "Hi Sam,\n\nDid you catch Dana's interview on BBC Radio 4 this morning? She talked about fair pay and our new office. Listen again here.\n\nPerch",
    ),
    (
        "course-offer",
        "Your place on Intro to UX",
        "City Adult Learning <courses@cityadultlearning.org>",
        "Hi Sam,\n\nWe're pleased to offer you a place on Intro to UX (Tuesdays, 6-8pm, starting 12 January). Please pay the course fee to confirm.\n\nCity Adult Learning",
    ),
    (
        "dating",
        "It's a match!",
        "Kindred <hello@kindredapp.com>",
        "Sam, you and Alex liked each other. Say hello!",
    ),
    (
        "visa-status",
        "Update on your visa application",
        "UK Visas <noreply@visas.homeoffice.gov.uk>",
        "Your visa application has been decided. Sign in to view the decision letter.",
    ),
    (
        "gym-cancel",
        "Your class has been cancelled",
        "PureGym <noreply@puregym.com>",
        "Hi Sam, your Thursday 7pm HIIT class has been cancelled by the instructor. We've refunded your credit.",
    ),
    (
        "mentor-reject",
        "Mentoring programme",
        "Women in Data <mentoring@womenindata.org>",
        "Hi Sam,\n\nThank you for applying to be matched with a mentor this spring. We had more applicants than mentors and unfortunately we couldn't match you this round. You'll be first in line in the autumn.\n\nThe mentoring team",
    ),
    (
        "uni-offer",
        "Your offer from Harrowfield University",
        "Admissions <admissions@harrowfield.ac.uk>",
        "Dear Priya,\n\nWe are delighted to offer you a place on the MSc Data Science programme starting in September 2027. This offer is conditional on achieving a 2:1 in your current degree. Please accept your offer through the applicant portal by 30 June.\n\nAdmissions Office",
    ),
    (
        "uni-reject",
        "Your application to Harrowfield University",
        "Admissions <admissions@harrowfield.ac.uk>",
        "Dear Priya,\n\nThank you for applying to study BSc Psychology with us. Unfortunately we are unable to offer you a place this year. We received many more applications than places.\n\nAdmissions Office",
    ),
    (
        "cfp-reject",
        "Your talk proposal for DevDays 2027",
        "DevDays Programme Committee <cfp@devdays.io>",
        "Hi Sam,\n\nThank you for submitting 'Testing the untestable' to DevDays 2027. We received over 600 proposals and unfortunately we are not able to include yours in this year's programme. We hope to see you in the audience.\n\nThe programme committee",
    ),
    (
        "rental",
        "Your application for 14 Carrow Road",
        "Lettings <lettings@harbourlets.co.uk>",
        "Hi Sam,\n\nThank you for applying for the flat at 14 Carrow Road. The landlord has decided to go ahead with another applicant. We have other properties that may suit you.\n\nHarbour Lets",
    ),
    (
        "podcast",
        "Interview request: The Build Podcast",
        "Maya Ortiz <maya@buildpod.fm>",
        "Hi Sam,\n\nWe'd love to interview you for an episode of The Build Podcast about your open-source work. Recording takes about 45 minutes over video. Would next Tuesday at 3pm work?\n\nMaya",
    ),
    (
        "grant-reject",
        "Outcome of your grant application",
        "Arts Fund <grants@northartsfund.org>",
        "Dear Sam,\n\nThank you for applying to the Small Projects fund. We regret that your application was unsuccessful in this round. Feedback: the budget did not show how the workshops would be staffed.\n\nGrants team",
    ),
    (
        "withdraw-conf",
        "You have withdrawn your application",
        "Workday <norwell@myworkday.com>",
        "Hi Sam,\n\nThis confirms you have withdrawn your application for Data Analyst (R-20931). No further action is needed.\n\nNorwell Talent Team",
    ),
    (
        "incomplete",
        "Finish your application",
        "Greenhouse <no-reply@greenhouse.io>",
        "Hi Sam,\n\nYou started an application for Product Designer at Lumen Labs but haven't submitted it. Finish your application before the role closes on 12 March.",
    ),
    (
        "newsletter",
        "This week in hiring: 5 tips for your CV",
        "The Job Digest <news@jobdigest.co>",
        "Hi Sam,\n\nThis week: how to write a CV summary, why recruiters skim, and what to say when asked about salary. Plus: our podcast interview with a hiring manager.\n\nUnsubscribe",
    ),
    (
        "house-offer",
        "Offer accepted on 22 Elm Grove",
        "Sales <sales@fieldandhome.co.uk>",
        "Dear Sam,\n\nGood news - the vendor has accepted your offer of £285,000 on 22 Elm Grove. We will now send the memorandum of sale to both solicitors.\n\nField & Home",
    ),
    (
        "journal",
        "Decision on manuscript JMR-2026-0412",
        "Editorial Office <eo@journalmr.org>",
        "Dear Dr Okafor,\n\nThank you for submitting your manuscript to the Journal of Materials Research. After review, I regret to inform you that we are unable to accept it for publication. The reviewers' comments are below.\n\nReviewer 1: The methods section lacks detail on sample preparation.\n\nEditor",
    ),
    (
        "meeting-decline",
        "Declined: Quarterly planning",
        "Priya Shah <priya@norwell.com>",
        "Priya Shah has declined this invitation.\n\nQuarterly planning\nThursday 10 Dec 2026 10am - 11am",
    ),
    (
        "expense",
        "Your expense report was rejected",
        "Concur <noreply@concursolutions.com>",
        "Hi Sam,\n\nYour expense report 'November travel' was rejected by your approver. Reason: missing receipt for the taxi on 14 November. Please correct and resubmit.",
    ),
    (
        "prod-survey",
        "How did we do? Tell us about your order",
        "Fernway Outdoors <hello@fernway.co.uk>",
        "Hi Sam,\n\nThanks for your recent order. We'd love your feedback on the product and delivery. The survey takes two minutes.\n\nStart survey",
    ),
    (
        "profile-viewed",
        "Sam, your profile was viewed 12 times this week",
        "LinkedIn <notifications-noreply@linkedin.com>",
        "Your profile was viewed 12 times this week. See who's looking, including people from Perch and Tallis Bio.\n\nSee all views",
    ),
    (
        "career-news",
        "5 questions to ask at the end of an interview",
        "Career Corner <newsletter@careercorner.io>",
        "Hi Sam,\n\nThis week's issue: five questions that make you memorable at the end of an interview, how to negotiate a counter-offer, and a recruiter explains why candidates get rejected.\n\nRead more\nUnsubscribe",
    ),
    (
        "press",
        "Interview request from the Evening Standard",
        "Tom Reyes <tom.reyes@standard.co.uk>",
        "Hi Sam,\n\nI'm writing a piece on remote work for Thursday's paper and would love to interview you for 10 minutes by phone. Would tomorrow afternoon suit?\n\nTom",
    ),
    (
        "council-school",
        "School place offer for Maya",
        "Admissions <admissions@eastfield.gov.uk>",
        "Dear Parent,\n\nWe are pleased to offer Maya a place at Greenway Primary School for September 2027. Please accept or decline the offer by 16 May.\n\nSchool Admissions",
    ),
    (
        "loan",
        "Your loan application",
        "Crestline Bank <noreply@crestline.co.uk>",
        "Dear Sam,\n\nThank you for your application. Unfortunately we are unable to offer you a loan at this time. This decision was based on information from credit reference agencies.\n\nCrestline Bank",
    ),
    (
        "club",
        "Your membership application",
        "Riverside Tennis Club <secretary@riversidetc.org>",
        "Hi Sam,\n\nThanks for applying to join. The club is full for this season and we've added you to the waiting list.\n\nSecretary",
    ),
    (
        "marketplace",
        "Your offer on Vintage desk lamp",
        "Shpock <noreply@shpock.com>",
        "Good news! The seller accepted your offer of £25 for 'Vintage desk lamp'. Pay now to complete the purchase.",
    ),
    (
        "reference-req",
        "Reference request for Jordan Lee",
        "HR <hr@perch.io>",
        "Dear Sam,\n\nJordan Lee has applied for the role of Data Analyst at Perch and has given your name as a referee. Could you complete the short reference form below by Friday?\n\nPerch HR",
    ),
    (
        "interviewer",
        "Interview schedule for tomorrow - you're on the panel",
        "Dana Holt <dana@perch.io>",
        "Hi Sam,\n\nThanks for joining the panel for the Backend Engineer interviews tomorrow. Candidates are at 10, 11:30 and 2. Scorecards are in Greenhouse.\n\nDana",
    ),
    (
        "interviewer-thanks",
        "Panel tomorrow",
        "Ravi Shah <ravi.shah@tollgate.example>",
        "Thank you for sitting on the panel for the Site Manager interviews tomorrow. The "
        "candidates' CVs are attached; scorecards are in Workable.",
    ),
    (
        "app-withdrawn",
        "Application withdrawn",
        "Perch <no-reply@us.greenhouse-mail.io>",
        "Hi Sam,\n\nAs requested, we've withdrawn your application for Backend Engineer, Payments. Thanks for your interest in Perch.\n\nPerch Recruiting",
    ),
    (
        "unfinished",
        "Don't forget to finish your application",
        "Indeed <donotreply@indeed.com>",
        "You started applying to Warehouse Operative at Dunlin Freight. Finish your application - it only takes a few minutes.\n\nContinue application",
    ),
    (
        "bootcamp-reject",
        "Your application to Codeforge Bootcamp",
        "Admissions <admissions@codeforge.school>",
        "Hi Sam,\n\nThank you for applying to the spring cohort. After reviewing your technical challenge, we are unable to offer you a place on the course this time. You're welcome to reapply in the summer.\n\nAdmissions team",
    ),
    (
        "apartment",
        "Re: viewing at 4 Mill Lane",
        "Hannah <hannah@mylettings.co.uk>",
        "Hi Sam, the landlord has gone with another applicant for 4 Mill Lane, sorry. I'll let you know if anything similar comes up. Hannah",
    ),
    (
        "hackathon",
        "Hack the Coast: application outcome",
        "Hack the Coast <team@hackthecoast.io>",
        "Hi Sam,\n\nThanks for applying to Hack the Coast 2027, our weekend hackathon. We had over 900 applications for 300 spots and unfortunately we can't offer you a place this year.\n\nThe organisers",
    ),
]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.load()


@pytest.mark.parametrize(("name", "subject", "sender", "body"), HARD_NEGATIVES)
def test_hard_negatives_are_other(
    analyzer: Analyzer, name: str, subject: str, sender: str, body: str
) -> None:
    found = analyzer.analyze_one(EmailText(name, subject, sender, body))
    assert found.labels == (), f"{name}: {found.labels} {found.scores}"


def test_the_same_shapes_about_a_job_keep_their_labels(analyzer: Analyzer) -> None:
    """The control: the words that make these "other" do not silence real job mail."""
    rejection = EmailText(
        "a",
        "Your application for Research Technician",
        "HR Services <hr@harrowfield.ac.uk>",
        "Dear Priya,\n\nThank you for applying for the Research Technician role in our materials lab. Unfortunately we have decided to move forward with other candidates.\n\nHR Services",
    )
    invitation = EmailText(
        "b",
        "Interview: Events Coordinator",
        "Maya Ortiz <maya@northartsfund.org>",
        "Hi Sam,\n\nThanks for applying for the Events Coordinator position. We would like to invite you to an interview on Tuesday at 3pm at our office.\n\nMaya",
    )
    first, second = analyzer.analyze([rejection, invitation])
    assert first.labels == ("rejection",)
    assert second.labels == ("interview",)


def test_a_recruiter_forwarding_the_managers_verdict(analyzer: Analyzer) -> None:
    """The reason after "decided not to progress:" is a gap, the client is the employer."""
    body = (
        "Hi Sam,\n\nSee below from the hiring manager at Quenby Foods. Sorry it's a no this "
        "time.\n\nKit\n\n---------- Forwarded message ---------\nFrom: Alan Price "
        "<alan.price@quenbyfoods.com>\nSubject: Sam Okafor - Data Analyst\n\nHi Kit, thanks for "
        "sending Sam over. We've decided not to progress: Sam's SQL was solid but the dashboards "
        "in the case study lacked any commentary on what the numbers meant for the business.\n\n"
        "Alan\n"
    )
    sender = "Kit Moss <kit@brightfieldtalent.co.uk>"
    found = analyzer.analyze_one(EmailText("a", "FW: Sam Okafor - Data Analyst", sender, body))
    assert found.labels == ("rejection", "feedback")
    assert (found.company, found.role) == ("Quenby Foods", "Data Analyst")
    assert [g.text for g in found.gaps] == [
        "Sam's SQL was solid but the dashboards in the case study lacked any commentary on "
        "what the numbers meant for the business."
    ]


def test_usajobs_is_a_board_not_the_employer(analyzer: Analyzer) -> None:
    body = (
        "The status of your application for Management Analyst, GS-0343-11, has changed. "
        "Status: Not Referred. Sign into USAJOBS to view details."
    )
    sender = "USAJOBS <no-reply@usajobs.gov>"
    found = analyzer.analyze_one(EmailText("a", "Application Status Update", sender, body))
    assert found.company is None


@pytest.mark.parametrize(
    ("subject", "sender", "body", "label"),
    [
        # "case study", "conference call", "speaker", "proposal", "tickets": job words too
        (
            "Re: feedback",
            "Nadia Hale <nadia@quarrelhomes.co.uk>",
            "Hi Sam,\n\nSure. Your proposal in the case study was clear, but it had no budget, "
            "and on the conference call you spoke over the speaker from our finance team. SQL "
            "tickets come up every day here and your answers on them were thin.\n\nNadia",
            "feedback",
        ),
        # "on paper" is how to bring a portfolio, not a paper to publish
        (
            "Re: UX Designer - second interview",
            "Lena Vogt <l.vogt@harbourline.de>",
            "Hi Sam, a quick reminder that we will see you tomorrow at 10:00. Please bring two "
            "or three screens from your booking project on paper. Lena",
            "interview",
        ),
    ],
)
def test_words_shared_with_everyday_mail_do_not_silence_job_mail(
    analyzer: Analyzer, subject: str, sender: str, body: str, label: str
) -> None:
    found = analyzer.analyze_one(EmailText("a", subject, sender, body))
    assert label in found.labels


def test_an_offer_that_welcomes_the_reader_aboard_is_still_an_offer(analyzer: Analyzer) -> None:
    body = (
        "Hi Sam,\n\nI'm delighted to offer you the Backend Engineer role at Perch, at "
        "£92,000. Welcome aboard - once you've signed, we'll start your onboarding.\n\nDana"
    )
    email = EmailText("a", "Your offer from Perch", "Dana Holt <dana@perch.io>", body)
    assert analyzer.analyze_one(email).labels == ("offer",)


def test_a_conditional_offer_subject_to_checks_is_still_an_offer(analyzer: Analyzer) -> None:
    body = (
        "Dear Sam,\n\nCalder Valley NHS Trust has made you a conditional offer of employment "
        "for: Healthcare Assistant (Band 3). This offer is conditional on satisfactory "
        "pre-employment checks. Sign in to your account to accept or decline the offer.\n"
    )
    email = EmailText("a", "Conditional offer", "NHS Jobs <noreply@jobs.nhs.uk>", body)
    assert analyzer.analyze_one(email).labels == ("offer",)
