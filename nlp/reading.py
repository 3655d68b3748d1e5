"""One reading path: the text every classify route hands the analyser.

``bounceback classify FILE.eml``, ``classify --jsonl``, the poll and the corpus compiler
all read a body through :func:`reading_text`, so the same message gives the same answer
whichever way it arrives:

1. HTML becomes text when there is no plain-text body; CRLF and lone CR become LF.
2. Pathological runs are collapsed before anything tokenises them (:func:`bounded`):
   zero-width characters go, a run of one repeated symbol (em dashes, emoji) keeps three,
   stacked combining marks keep two, a "word" longer than :data:`MAX_WORD` is cut, and the
   whole body is capped at :data:`MAX_BODY`.
3. Quoted history and the signature are stripped, but a forwarded block is kept: a
   recruiter forwarding the hiring manager's notes is relaying feedback.
4. Legal-footer paragraphs (two or more disclaimer cues) are dropped.
5. Hard-wrapped plain text is re-joined into paragraphs (:func:`unwrap`), so a body
   wrapped at 72 or 78 columns reads like the same body unwrapped.

Every step is idempotent: reading already-read text changes nothing, so the analyser can
apply :func:`bounded` again to whatever it is given without moving gap offsets.
"""

from __future__ import annotations

import re
from typing import Final

from bounceback.nlp.htmltext import html_to_text
from bounceback.nlp.quotes import strip_history
from bounceback.nlp.records import EmailText

__all__ = [
    "MAX_BODY",
    "MAX_NAME",
    "MAX_SUBJECT",
    "MAX_WORD",
    "bounded",
    "collapse_runs",
    "drop_disclaimers",
    "read_email",
    "reading_text",
    "unwrap",
]

#: Characters of body the analyser reads at most (gaps past this are very rare).
MAX_BODY: Final = 20_000
MAX_SUBJECT: Final = 400
MAX_NAME: Final = 300  # the From header: display name and address
MAX_WORD: Final = 120  # longer "words" (URLs, tracking tokens, garbage) are cut

_ZERO_WIDTH: Final = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u034f\u180e]+")
_COMBINING: Final = re.compile(
    "([\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]{2})"
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)
# One non-letter, non-space character (or emoji with its variation selector) repeated.
_REPEATED: Final = re.compile(r"([^\w\s]\ufe0f?)\1{3,}")
_LONG_WORD: Final = re.compile(rf"(\S{{{MAX_WORD}}})\S+")
_SPACE_RUN: Final = re.compile(r"[ \t\f\v\u00a0]{2,}")
_BLANK_RUN: Final = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")

# Re-wrapping: a line joins the one before unless it starts a new item (bullet, number,
# quote, "Field: value") or the line before is short on its own (a greeting, a sign-off).
_JOIN_AFTER: Final = 40  # a logical line shorter than this keeps its line break
_LONG_TOKEN: Final = 30
_ITEM: Final = re.compile(
    r"""^[ \t]*(?:[-*•·‣◦▪●○–—+>]|\(?(?:\d{1,2}|[a-zA-Z]|[ivxIVX]{1,4})[.)](?=\s)"""
    r"""|[A-Z][\w&/()'-]*(?:[ .]+[\w&/()'-]+){0,3}:(?:\s|$))"""
)
# A dash that a re-wrap pushed to the start of a line ("… your Revit was weaker than we
# need\n- we're fully BIM …"): lower case after the dash, and the line before is long and
# unfinished. A real bullet after such a line is rare; one after a colon or a short line
# keeps its break.
_WRAPPED_DASH: Final = re.compile(r"^[ \t]*[-–—][ \t]+[a-z]")
_WRAP_WIDTH: Final = 60
# A line that ends in one of these words stops mid-phrase: a mail re-wrapped twice leaves
# short lines such as "with Tayside and" whose next line continues them.
_DANGLING: Final = frozenset(
    {
        "a", "an", "and", "the", "of", "to", "for", "with", "in", "at", "by", "from", "on",
        "or", "your", "our", "their", "my", "its", "as", "than",
    }
)  # fmt: skip


# A legal footer: a paragraph with two or more of these is boilerplate no reader reads.
_DISCLAIMER_CUES: Final = (
    re.compile(r"\bconfidential", re.IGNORECASE),
    re.compile(r"\bintended (?:solely |only )?(?:for|recipient)|\baddressee", re.IGNORECASE),
    re.compile(r"\b(?:in error|by mistake|by accident)\b", re.IGNORECASE),
    re.compile(r"\b(?:notify|tell|inform|contact) the sender\b", re.IGNORECASE),
    re.compile(r"\bdelete (?:it|this|the (?:message|e-?mail)|all copies)", re.IGNORECASE),
    re.compile(r"\bregistered (?:office|in (?:england|scotland|wales|ireland))", re.IGNORECASE),
    re.compile(r"\bcompany (?:no|number|registration)\b", re.IGNORECASE),
    re.compile(r"\b(?:views|opinions) expressed\b|\bviruses\b", re.IGNORECASE),
    re.compile(r"\b(?:disclose|disclosure|distribution|copying) (?:of|is|are)\b", re.IGNORECASE),
)


def _cues(text: str) -> int:
    return sum(1 for cue in _DISCLAIMER_CUES if cue.search(text))


def _without_footer(paragraph: str) -> str:
    """``paragraph`` without the legal footer at its end ("" if it is all footer).

    HTML mail that breaks paragraphs with single line breaks arrives as one paragraph, so
    the footer is cut from the last line that still starts two or more cues, widened over
    the cue-bearing lines just above it.
    """
    lines = paragraph.split("\n")
    start = next(i for i in range(len(lines) - 1, -1, -1) if _cues("\n".join(lines[i:])) >= 2)
    while start > 0 and _cues(lines[start - 1]):
        start -= 1
    return "\n".join(lines[:start])


def drop_disclaimers(text: str) -> str:
    """``text`` without its legal-footer paragraphs (two or more disclaimer cues)."""
    if "confidential" not in text.lower() and "registered" not in text.lower():
        return text
    kept = []
    for paragraph in text.split("\n\n"):
        if _cues(paragraph) >= 2:
            paragraph = _without_footer(paragraph)
        if paragraph.strip():
            kept.append(paragraph)
    return "\n\n".join(kept)


def collapse_runs(text: str) -> str:
    """Drop zero-width characters and shorten runs no reader needs in full."""
    if text.isascii():
        if len(text) < MAX_WORD and "\t" not in text:
            return text
    else:
        text = _ZERO_WIDTH.sub("", text)
        text = _COMBINING.sub(r"\1", text)
    text = _REPEATED.sub(r"\1\1\1", text)
    text = _LONG_WORD.sub(r"\1", text)
    return text.replace("\t", " ")


def _cap(text: str, limit: int) -> str:
    """The first ``limit`` characters, cut at the last whitespace if one is near."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ", limit - MAX_WORD)
    return cut[:space] if space > 0 else cut


def bounded(text: str, limit: int = MAX_BODY) -> str:
    """``text`` with pathological runs collapsed and at most ``limit`` characters."""
    # Cap first (cheaply, with room for what collapsing removes), then collapse, then cap.
    if len(text) > 4 * limit:
        text = text[: 4 * limit]
    return _cap(collapse_runs(text), limit)


def _single_line(text: str, limit: int) -> str:
    return " ".join(bounded(text, limit).split())


def _sign_off(current: str, line: str) -> bool:
    """True for a short closing line after a finished sentence ("Kind regards,", a name)."""
    if not current.endswith((".", "!", "?", ")")):
        return False
    words = line.split()
    if words and words[-1].lower() in _DANGLING:
        return False  # "with Tayside and": a phrase that goes on, not a name or "Regards,"
    return len(words) <= 4 and not line.endswith((".", "!", "?"))


def _wrapped_dash(current: str, last: str, line: str) -> bool:
    """True if ``line`` starts with a dash a re-wrap moved, not a new bullet: never when the
    logical line began with the same dash (the next item of a list of points)."""
    if current.lstrip()[:1] == line.lstrip()[:1]:
        return False
    return (
        bool(_WRAPPED_DASH.match(line))
        and len(last) >= _WRAP_WIDTH
        and not last.endswith((":", ";", ".", "!", "?"))
    )


def _joins(current: str, last: str, line: str) -> bool:
    """True if ``line`` continues the logical line ``current`` (whose last line is ``last``)."""
    if not current or (_ITEM.match(line) and not _wrapped_dash(current, last, line)):
        return False
    first = line.split(maxsplit=1)[0]
    # A line that starts with a long token (a link) was pushed down by a wrap.
    if len(first) > _LONG_TOKEN:
        return True
    # A wrap breaks a line only where the next word would not fit: a short line followed by
    # a word that would have fitted on it ended there on purpose (a card's title above
    # "Employer · Place").
    wrapped = len(last) + 1 + len(first) > _WRAP_WIDTH
    wrapped = wrapped or last.rsplit(maxsplit=1)[-1].lower() in _DANGLING
    return wrapped and len(current) >= _JOIN_AFTER and not _sign_off(current, line)


def unwrap(text: str) -> str:
    """Join hard-wrapped lines back into paragraphs; structure lines keep their breaks."""
    out: list[str] = []
    current = last = ""
    for raw_line in text.split("\n"):
        line = raw_line.rstrip()
        if not line.strip():
            if current:
                out.append(current)
            out.append("")
            current = last = ""
            continue
        if _joins(current, last, line):
            current = f"{current} {line.lstrip()}"
        else:
            if current:
                out.append(current)
            current = line
        last = line
    if current:
        out.append(current)
    return "\n".join(out)


def reading_text(plain: str | None, html: str | None = None) -> str:
    """The analysed text of a body: plain text if it has any, else the HTML's text."""
    from_html = not (plain and plain.strip()) and bool(html)
    text = html_to_text(html) if from_html and html else (plain or "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = bounded(text)
    text = strip_history(text)
    if not from_html:
        text = unwrap(text)
    text = drop_disclaimers(_SPACE_RUN.sub(" ", text))
    return _BLANK_RUN.sub("\n\n", text).strip()


def read_email(email: EmailText) -> EmailText:
    """``email`` as the analyser reads it: body through :func:`reading_text`, fields capped."""
    return EmailText(
        id=email.id,
        subject=_single_line(email.subject, MAX_SUBJECT),
        sender=_single_line(email.sender, MAX_NAME),
        body=reading_text(email.body, email.html),
        html=email.html,
        signals=email.signals,
    )
