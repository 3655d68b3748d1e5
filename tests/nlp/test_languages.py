"""Job mail in German, French, Spanish and Dutch: set forms give the label the English
models cannot read; mail that is no candidacy, and English mail, get nothing from them."""

from __future__ import annotations

import pytest

from bounceback.nlp.analyzer import Analyzer
from bounceback.nlp.languages import stated_labels
from bounceback.nlp.records import EmailText

LETTERS = [
    (
        "Einladung zum Vorstellungsgespräch – UX Designer (m/w/d)",
        "Sehr geehrte Frau Okafor,\n\nvielen Dank für Ihre Bewerbung als UX Designer. Wir laden "
        "Sie herzlich zu einem Vorstellungsgespräch am Dienstag um 10 Uhr in unser Büro ein.\n\n"
        "Mit freundlichen Grüßen\nAnna Roth",
        ("interview",),
        "UX Designer",
    ),
    (
        "Ihre Bewerbung als Data Analyst",
        "Sehr geehrte Frau Okafor,\n\nvielen Dank für Ihr Interesse. Nach sorgfältiger Prüfung "
        "haben wir uns für eine andere Kandidatin entschieden.\n\nMit freundlichen Grüßen",
        ("rejection",),
        "Data Analyst",
    ),
    (
        "Votre candidature au poste de Chargée de projet",
        "Madame,\n\nNous avons bien reçu votre candidature et nous vous en remercions. Notre "
        "équipe l'étudiera dans les prochains jours.\n\nLe service recrutement",
        ("application_received",),
        "Chargée de projet",
    ),
    (
        "Votre candidature",
        "Madame,\n\nAprès étude attentive, nous sommes au regret de vous informer que votre "
        "candidature n'a pas été retenue.\n\nLe service recrutement",
        ("rejection",),
        None,
    ),
    (
        "Su candidatura para el puesto de Analista de datos",
        "Estimada Sam:\n\nLamentamos comunicarle que no ha sido seleccionada en esta ocasión.\n\n"
        "Un saludo,\nRecursos Humanos",
        ("rejection",),
        "Analista de datos",
    ),
    (
        "Je sollicitatie als Data-analist",
        "Beste Sam,\n\nBedankt voor je sollicitatie. Graag nodigen we je uit voor een "
        "sollicitatiegesprek op donderdag om 14.00 uur.\n\nMet vriendelijke groet,\nHR",
        ("interview",),
        "Data-analist",
    ),
]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.load()


@pytest.mark.parametrize(("subject", "body", "labels", "role"), LETTERS)
def test_set_forms_give_the_label(subject: str, body: str, labels: tuple[str], role: str) -> None:
    assert stated_labels(subject, body) == labels


@pytest.mark.parametrize(("subject", "body", "labels", "role"), LETTERS)
def test_the_analyser_reads_them(
    analyzer: Analyzer, subject: str, body: str, labels: tuple[str], role: str | None
) -> None:
    email = EmailText("a", subject, "Personal <personal@nordlicht-daten.de>", body)
    scores = next(iter(analyzer.label_scores([email])))
    assert all(scores[label] < analyzer.thresholds.labels[label] for label in labels)
    found = analyzer.analyze_one(email)
    assert found.labels == labels
    assert (found.company, found.role) == ("Nordlicht Daten", role)
    assert found.gaps == ()  # the gap model cannot read these languages


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        # a nursery place, not a candidacy
        (
            "Ihre Anmeldung für einen Kitaplatz",
            "Leider können wir Ihnen zum 1. August keinen Platz anbieten.",
        ),
        # English mail is the models' to read
        (
            "Your application",
            "Unfortunately we have decided to move forward with other candidates.",
        ),
    ],
)
def test_no_candidacy_no_label(subject: str, body: str) -> None:
    assert stated_labels(subject, body) == ()
