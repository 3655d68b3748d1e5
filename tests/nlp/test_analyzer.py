"""The shipped models, loaded through Analyzer, on hand-written emails that are not in the corpus."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest

from bounceback.nlp.analyzer import Analyzer, Thresholds, gap_text, label_text
from bounceback.nlp.records import Analysis, EmailText, Gap
from bounceback.nlp.segment import Segment
from bounceback.nlp.taxonomy import GAP_CATEGORIES, LABELS

REJECTION_WITH_FEEDBACK = EmailText(
    id="rej-fb",
    subject="Your application for Junior Data Engineer at Northwind Logistics",
    sender="Northwind Careers <no-reply@greenhouse.io>",
    body=(
        "Hi Priya,\n\n"
        "Thank you for interviewing with us for the Junior Data Engineer role. Unfortunately "
        "we have decided not to progress your application.\n\n"
        "The panel's feedback:\n"
        "- Your Python was good, but you had limited experience building data pipelines "
        "with Airflow.\n"
        "- Your answers could have been more concise and structured.\n"
        "- It would have helped to research our logistics platform before the interview.\n\n"
        "We wish you the best in your search.\n\nNorthwind Talent Team\n"
    ),
)
INTERVIEW_INVITE = EmailText(
    id="invite",
    subject="Interview invitation: Pharmacy Assistant",
    sender="Boots Recruitment <recruitment@boots.co.uk>",
    body=(
        "Dear Tom,\n\nThank you for your application. We would like to invite you to an "
        "interview at our Nottingham store on Wednesday 5 March at 2pm. Please bring proof "
        "of your right to work.\n\nKind regards,\nBoots Recruitment\n"
    ),
)
PAPER_REJECTION = EmailText(
    id="paper",
    subject="Decision on your manuscript PLOS-D-25-1123",
    sender="PLOS ONE <em@editorialmanager.com>",
    body=(
        "Dear Dr Singh,\n\nThank you for submitting your manuscript to PLOS ONE. After careful "
        "consideration, we regret to inform you that your manuscript has been rejected. The "
        "reviewers felt the statistical analysis was insufficient and the sample too small "
        "to support the conclusions.\n\nSincerely,\nAcademic Editor\n"
    ),
)
ACKNOWLEDGEMENT = EmailText(
    id="ack",
    subject="We received your application",
    sender="Lidl GB <noreply@successfactors.eu>",
    body="Hi Sam, thanks for applying for Store Assistant at Lidl Croydon. "
    "We will review your application and be in touch soon.\n",
)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    """The analyser over the models shipped in the package."""
    return Analyzer.load()


@pytest.fixture(scope="module")
def results(analyzer: Analyzer) -> dict[str, Analysis]:
    """Analyses of the four hand-written emails, by id."""
    emails = [REJECTION_WITH_FEEDBACK, INTERVIEW_INVITE, PAPER_REJECTION, ACKNOWLEDGEMENT]
    return {result.id: result for result in analyzer.analyze(emails)}


def test_rejection_with_feedback(results: dict[str, Analysis]) -> None:
    result = results["rej-fb"]
    assert set(result.labels) == {"rejection", "feedback"}
    assert result.company == "Northwind Logistics"
    assert result.role == "Junior Data Engineer"
    assert len(result.gaps) >= 2
    body = REJECTION_WITH_FEEDBACK.body
    for gap in result.gaps:
        assert gap.text == body[gap.start : gap.end]
        assert gap.category in GAP_CATEGORIES
        assert 0.0 < gap.confidence <= 1.0
    categories = {gap.category for gap in result.gaps}
    assert categories & {"communication", "preparation", "experience"}
    assert not any("wish you the best" in gap.text for gap in result.gaps)


def test_interview_invite(results: dict[str, Analysis]) -> None:
    assert results["invite"].labels == ("interview",)
    assert results["invite"].gaps == ()


def test_journal_rejection_is_not_a_job_rejection(results: dict[str, Analysis]) -> None:
    assert "rejection" not in results["paper"].labels
    assert results["paper"].gaps == ()


def test_acknowledgement(results: dict[str, Analysis]) -> None:
    assert results["ack"].labels == ("application_received",)


def test_analysis_json_shape(results: dict[str, Analysis]) -> None:
    data = json.loads(json.dumps(results["rej-fb"].to_json()))
    assert list(data) == ["id", "labels", "scores", "company", "role", "gaps"]
    assert list(data["scores"]) == list(LABELS)
    assert all(0.0 <= score <= 1.0 for score in data["scores"].values())
    gap = data["gaps"][0]
    assert list(gap) == ["category", "text", "start", "end", "skill", "confidence"]
    assert REJECTION_WITH_FEEDBACK.body[gap["start"] : gap["end"]] == gap["text"]


def test_streams_lazily_in_input_order(analyzer: Analyzer) -> None:
    consumed: list[str] = []

    def emails() -> Iterator[EmailText]:
        for number in range(7):
            consumed.append(str(number))
            yield EmailText(str(number), "Interview invitation", "hr@x.test", "Join us Monday.")

    stream = analyzer.analyze(emails(), batch_size=3)
    first = next(stream)
    assert first.id == "0"
    assert len(consumed) == 3  # only the first batch was pulled
    assert [first.id, *(r.id for r in stream)] == [str(n) for n in range(7)]


def test_thresholds_gate_labels_and_gaps(analyzer: Analyzer) -> None:
    strict_labels = Analyzer(
        analyzer.label_model,
        analyzer.gap_model,
        replace(analyzer.thresholds, labels=dict.fromkeys(LABELS, 1.01)),
    )
    result = strict_labels.analyze_one(REJECTION_WITH_FEEDBACK)
    assert result.labels == ()
    assert result.gaps == ()  # mail called "other" reports no gaps
    no_feedback_label = Analyzer(
        analyzer.label_model,
        analyzer.gap_model,
        replace(analyzer.thresholds, labels={**analyzer.thresholds.labels, "feedback": 1.01}),
    )
    result = no_feedback_label.analyze_one(REJECTION_WITH_FEEDBACK)
    assert result.labels == ("rejection",)
    assert result.gaps  # the gap gate reads the scores, not the label decisions
    closed_gate = Analyzer(
        analyzer.label_model, analyzer.gap_model, replace(analyzer.thresholds, gap_gate=1.01)
    )
    result = closed_gate.analyze_one(REJECTION_WITH_FEEDBACK)
    assert "rejection" in result.labels
    assert result.gaps == ()
    (raw,) = analyzer.label_scores([REJECTION_WITH_FEEDBACK])
    assert result.scores == raw  # no gaps read, so no gap evidence added


def test_confident_gaps_raise_feedback(analyzer: Analyzer) -> None:
    (raw,) = analyzer.label_scores([REJECTION_WITH_FEEDBACK])
    result = analyzer.analyze_one(REJECTION_WITH_FEEDBACK)
    strongest = max(gap.confidence for gap in result.gaps)
    assert strongest >= analyzer.thresholds.feedback_evidence
    expected = 1.0 - (1.0 - raw["feedback"]) * (1.0 - strongest)
    assert result.scores["feedback"] == pytest.approx(expected)
    assert result.scores["rejection"] == raw["rejection"]


_WARM_NO = EmailText(
    "warm",
    "Copywriter role",
    "Jo Amis <jo@fieldnotes.example>",
    "Hi Marta,\n\nThank you for coming in on Friday, it was lovely to talk. We've decided "
    "on the copywriter role and sadly it isn't you this time. Loved meeting you!\n\nJo",
)


def test_feedback_with_no_gap_needs_the_higher_bar(analyzer: Analyzer) -> None:
    result = analyzer.analyze_one(_WARM_NO)
    assert result.gaps == ()
    bars = analyzer.thresholds
    # the score sits between the two bars: "feedback" only under the old, single bar
    assert bars.labels["feedback"] <= result.scores["feedback"] < bars.feedback_without_gaps
    assert result.labels == ("rejection",)
    one_bar = Analyzer(
        analyzer.label_model, analyzer.gap_model, replace(bars, feedback_without_gaps=0.0)
    )
    assert "feedback" in one_bar.analyze_one(_WARM_NO).labels
    # with a gap found, the usual bar is enough
    assert set(analyzer.analyze_one(REJECTION_WITH_FEEDBACK).labels) >= {"feedback"}


def test_thresholds_round_trip() -> None:
    thresholds = Thresholds(
        labels={**dict.fromkeys(LABELS, 0.5), "offer": 0.4},
        gap_gate=0.2,
        feedback_evidence=0.9,
        feedback_without_gaps=0.75,
        calibration={"offer": (1.25, -0.5)},
    )
    assert Thresholds.from_json(thresholds.to_json()) == thresholds


def test_model_inputs_are_shared_helpers() -> None:
    text = label_text(INTERVIEW_INVITE)
    assert text.startswith("interview invitation: pharmacy assistant\n")
    assert "\nboots recruitment recruitment boots co\n" in text  # no top-level domain
    assert text.endswith("\nlengthmedium")  # the body's length bucket
    assert "skillmarker" in gap_text("You lacked Kubernetes experience.")
    quoted = EmailText("q", "Re: hi", "a@b.test", "New part.\n> old quoted rejection\n")
    assert "old quoted" not in label_text(quoted)


def test_empty_email_has_no_labels(analyzer: Analyzer) -> None:
    result = analyzer.analyze_one(EmailText("empty", "", "", "\r\n \n"))
    assert result.labels == ()
    assert set(result.scores.values()) == {0.0}
    assert (result.company, result.role, result.gaps) == (None, None, ())


def test_review_flags_uncertain_gaps_and_borderline_labels(analyzer: Analyzer) -> None:
    thresholds = analyzer.thresholds
    calm = {label: 0.0 if thresholds.labels[label] > 0.2 else 0.99 for label in LABELS}
    sure_gap = Gap("skill", "Your SQL was weak.", 0, 18, "SQL", 0.95)
    unsure_gap = Gap("skill", "Your SQL was weak.", 0, 18, "SQL", thresholds.review_below - 0.01)
    plain = Analysis("a", (), calm, None, None, (sure_gap,))
    assert not analyzer.needs_review(plain)
    assert analyzer.needs_review(Analysis("b", (), calm, None, None, (unsure_gap,)))
    borderline = {**calm, "offer": thresholds.labels["offer"] + thresholds.review_margin / 2}
    assert analyzer.needs_review(Analysis("c", (), borderline, None, None, ()))
    assert "review_below" in json.loads(json.dumps(thresholds.to_json()))
    assert "needs_review" not in plain.to_json()  # the classify contract has no such key


def test_gap_needs_mass_and_a_category(analyzer: Analyzer) -> None:
    seg = Segment("Kestrel Payments Recruiting", 0, 27)
    uniform = dict.fromkeys([*GAP_CATEGORIES, "none"], 1 / 8)
    assert analyzer._to_gap(seg, uniform) is None  # large gap mass, but no category
    split = {**dict.fromkeys(GAP_CATEGORIES, 0.0), "skill": 0.4, "experience": 0.35, "none": 0.25}
    gap = analyzer._to_gap(seg, split)  # the model hesitates between two gap categories
    assert gap is not None and gap.category == "skill" and gap.confidence == 0.4
    assert analyzer.gap_needs_review(gap.confidence)


def test_mail_without_a_job_label_names_no_company_or_role(analyzer: Analyzer) -> None:
    strict = Analyzer(
        analyzer.label_model, analyzer.gap_model, Thresholds(labels=dict.fromkeys(LABELS, 1.01))
    )
    result = strict.analyze_one(REJECTION_WITH_FEEDBACK)
    assert result.labels == () and (result.company, result.role) == (None, None)
