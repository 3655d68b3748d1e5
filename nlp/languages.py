"""Job mail in German, French, Spanish or Dutch: the labels its fixed forms state.

The label and gap models were trained on English mail and score a German interview
invitation near zero on every label ("Wir laden Sie herzlich zu einem
Vorstellungsgespräch ein" is no word they know). Employers write these letters in a few
set forms, so where the text is about a candidacy (a word such as "Bewerbung",
"candidature", "candidatura" or "sollicitatie") and states a decision, an invitation, an
acknowledgement or an offer in one of them, that label is not left to the English
models. Gaps are not read in these languages: the gap model cannot read them.
Pure regex over the opening of the new text.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["stated_labels"]

_OPENING: Final = 1500

# A word that makes the text about a candidacy, in one of the four languages.
# ("candidate" is English too, so it is not one of them.)
_CANDIDACY: Final = re.compile(
    r"\b(?:bewerbung\w*|bewerber\w*|kandidat(?:in|en|innen)?\b|stellenangebot|"
    r"candidature|recrutement|poste\b|"
    r"candidatura|solicitud de empleo|puesto|vacante|proceso de selecci[oó]n|"
    r"sollicitatie\w*|vacature|kandida(?:at|ten)\b)",
    re.IGNORECASE,
)

# A substring test before the regex: every word of _CANDIDACY contains one of these.
_STEMS: Final = (
    "bewerb", "kandida", "stellenangebot", "candidat", "recrutement", "poste", "solicitud",
    "puesto", "vacante", "selecci", "sollicitatie", "vacature",
)  # fmt: skip

_FORMS: Final = {
    "rejection": re.compile(
        # de
        r"\bf[üu]r (?:eine?n? )?(?:andere[nr]?|weitere[nr]?) (?:Kandidat|Bewerber)|"
        r"\b(?:Bewerbung|Sie) (?:leider )?nicht (?:weiter )?ber[üu]cksichtigen|"
        r"\bleider (?:keine positive|eine negative) R[üu]ckmeldung|\bAbsage\b|"
        r"\b(?:Stelle|Position) (?:wurde |ist )?(?:bereits )?(?:anderweitig )?besetzt|"
        # fr
        r"\bne (?:pas |pouvons pas |pourrons pas )?(?:donner|réserver) (?:une )?suite favorable|"
        r"\bne pas donner suite|\bcandidature n['’]a pas été retenue|"
        r"\b(?:retenu|choisi) (?:une autre candidature|un autre candidat|une autre candidate|"
        r"un autre profil)|"
        # es
        r"\bno (?:ha|has) sido seleccionad[oa]|\bcontinuar con otr[oa]s? candidat|"
        r"\bseguir adelante con otr[oa]s? candidat|\bhemos seleccionado a otr[oa] candidat|"
        # nl
        r"\b(?:gekozen|besloten) (?:voor|om) (?:een )?andere kandida|"
        r"\bniet (?:verder )?(?:mee )?(?:te )?(?:nemen|gaan) in de (?:procedure|selectie)|"
        r"\bhelaas (?:hebben|moeten) (?:wij|we) (?:je|u) (?:mee te delen|te laten weten) dat",
        re.IGNORECASE,
    ),
    "interview": re.compile(
        r"\bVorstellungsgespr[äa]ch|\bEinladung zu(?:m|r)? (?:einem )?(?:Gespr[äa]ch|Interview|"
        r"Kennenlernen|Assessment)|\b(?:laden|lade) (?:Sie|dich) .{0,80}?(?:Gespr[äa]ch|"
        r"Kennenlernen|Interview)\b|"
        r"\b(?:invitation|convocation|convier|inviter|convoquer) (?:à|a) (?:un |votre )?entretien|"
        r"\bvous (?:inviter|convier|convoquer) .{0,40}?entretien|"
        r"\b(?:invitarle|invitarte|invitamos|convocarle|convocamos) .{0,40}?entrevista|"
        r"\bsollicitatiegesprek|\buitnodiging voor een (?:gesprek|kennismaking)|"
        r"\b(?:nodigen|nodig) (?:je|u) .{0,40}?(?:gesprek|kennismaking)",
        re.IGNORECASE,
    ),
    "application_received": re.compile(
        r"\bEingangsbest[äa]tigung|\bBewerbung (?:ist )?(?:bei uns )?(?:gut )?eingegangen|"
        r"\b(?:haben|hat) Ihre Bewerbung (?:erhalten|bekommen)|"
        r"\b(?:bien )?reçu votre candidature|\baccusé de réception|"
        r"\b(?:hemos )?recibido (?:su|tu) (?:candidatura|solicitud)|"
        r"\b(?:we|wij) hebben (?:je|uw) sollicitatie (?:in )?(?:goed )?ontvangen",
        re.IGNORECASE,
    ),
    "offer": re.compile(
        r"\b(?:freuen uns|freue mich),? Ihnen (?:die Stelle|eine Zusage|ein Angebot)|"
        r"\bZusage f[üu]r die Stelle|"
        r"\b(?:avons le plaisir|sommes heureux) de vous (?:proposer|offrir) le poste|"
        r"\bpromesse d['’]embauche|"
        r"\b(?:ofrecerle|ofrecerte) el puesto|\boferta de (?:empleo|trabajo)|"
        r"\b(?:willen|bieden) (?:je|u) (?:graag )?de (?:functie|baan) aan",
        re.IGNORECASE,
    ),
}


def stated_labels(subject: str, body: str) -> tuple[str, ...]:
    """The labels a German, French, Spanish or Dutch candidacy letter states in a set form;
    empty for everything else (English mail included)."""
    text = f"{subject}\n{body[:_OPENING]}"
    folded = text.lower()
    if not any(stem in folded for stem in _STEMS) or not _CANDIDACY.search(text):
        return ()  # most mail: none of the stems, and no regex run at all
    return tuple(label for label, form in _FORMS.items() if form.search(text))
