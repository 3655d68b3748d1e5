"""Annotated ``.eml`` sets and the perturbations the reader must shrug off.

Owns reading a ``corpus/mail/*`` folder into scorable records (each message parsed exactly
as ``bounceback classify FILE.eml`` parses it), the body changes that must not change an
answer (re-wrapping, CRLF, a signature, a legal footer, quoted history) and the agreement
count between the original and each change.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html import escape
from pathlib import Path
from typing import Any

from bounceback.nlp.records import Analysis, EmailText
from bounceback.nlp.scoring import System, load_jsonl, normalise_name


def locate(body: str, text: str) -> tuple[int, int] | None:
    """Where ``text`` reads in ``body``, runs of whitespace compared as one space."""
    words = text.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(word) for word in words)
    found = re.search(pattern, body) or re.search(pattern, body, re.IGNORECASE)
    return (found.start(), found.end()) if found else None


def load_mail_set(folder: Path) -> list[dict[str, Any]]:
    """Corpus email records for one folder of annotated ``.eml`` files (``corpus/mail/*``).

    Each message is read exactly as ``bounceback classify FILE.eml`` reads it; gold gaps
    are located in the text the analyser reads (a gap that reading dropped can never be
    matched, so it counts as missed).
    """
    from bounceback.nlp.mail import parse_email

    records: list[dict[str, Any]] = []
    for note in load_jsonl(folder / "annotations.jsonl"):
        path = folder / note["file"]
        email = parse_email(path.read_bytes()).email_text(path.stem)
        gaps = []
        for gold in note.get("gaps") or []:
            start, end = locate(email.body, gold["text"]) or (-1, -1)
            gaps.append({"category": gold["category"], "start": start, "end": end})
        records.append(
            {
                "id": email.id,
                "subject": email.subject,
                "from": email.sender,
                "body": email.body,
                "html": email.html,
                "signals": email.signals.to_json(),
                "labels": list(note["labels"]),
                "company": note.get("company"),
                "role": note.get("role"),
                "gaps": gaps,
            }
        )
    return records


_SIGNATURE_LINES = "\n\n-- \nSam Okafor\nsam.okafor@example.com | 07700 900418\n"
_LEGAL_FOOTER = (
    "\n\nThis message and anything attached to it are confidential and meant only for the"
    " person it is addressed to. If it reached you by mistake, please tell the sender and"
    " delete it. Registered office: 4 Quay Street, Bristol BS1 4DJ.\n"
)
_QUOTED_HISTORY = (
    "\n\nOn Tue, 1 Dec 2026 at 09:14, Sam Okafor <sam.okafor@example.com> wrote:\n"
    "> Thank you for letting me know, I look forward to hearing from you.\n> Sam\n"
)


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def _wrap(text: str, width: int) -> str:
    text = _lf(text)
    return "\n".join(
        textwrap.fill(line, width, break_long_words=False, break_on_hyphens=False) or line
        for line in text.split("\n")
    )


#: Changes to the raw plain-text body that must not change what the analyser says.
PERTURBATIONS: dict[str, Callable[[str], str]] = {
    "wrapped at 72": lambda text: _wrap(text, 72),
    "wrapped at 78": lambda text: _wrap(text, 78),
    "CRLF": lambda text: _lf(text).replace("\n", "\r\n"),
    "wrapped at 72 + CRLF": lambda text: _wrap(text, 72).replace("\n", "\r\n"),
    "signature added": lambda text: text.rstrip() + _SIGNATURE_LINES,
    "legal footer added": lambda text: text.rstrip() + _LEGAL_FOOTER,
    "quoted history added": lambda text: text.rstrip() + _QUOTED_HISTORY,
}


@dataclass(frozen=True, slots=True)
class Agreement:
    """How many of ``total`` messages kept their labels, company, role and gaps."""

    name: str
    total: int
    labels: int
    company: int
    role: int
    gaps_lost: int  # gaps found in the original but not after the change


def _plain_part(raw: bytes) -> str | None:
    """The decoded text/plain part of a raw message, or None if it has none."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    part = message.get_body(preferencelist=("plain",))
    if not isinstance(part, EmailMessage):
        return None
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        return None
    return content if isinstance(content, str) and content.strip() else None


def raw_plain_bodies(folder: Path) -> list[tuple[EmailText, str | None, str | None]]:
    """(email as read, raw plain body or None, raw HTML or None) per .eml of a mail set.

    The plain body is None when the message has no plain part, or when what is read is
    more than that part, so a change to the plain body alone is a fair test.
    """
    from bounceback.nlp.mail import parse_email
    from bounceback.nlp.reading import reading_text

    found = []
    for note in load_jsonl(folder / "annotations.jsonl"):
        path = folder / note["file"]
        raw = path.read_bytes()
        parsed = parse_email(raw)
        plain = _plain_part(raw)
        if plain is not None and reading_text(plain, parsed.html) != parsed.new_text:
            plain = None  # more is read than the plain part (a calendar invitation's details)
        found.append((parsed.email_text(path.stem), plain, parsed.html))
    return found


def as_html(text: str) -> str:
    """``text`` as a sender's HTML-only mail would carry it: paragraphs and line breaks."""
    text = text.replace("\r\n", "\n").strip()
    paragraphs = (p for p in re.split(r"\n[ \t]*\n", text) if p.strip())
    inner = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return f"<html><body><table><tr><td>{inner}</td></tr></table></body></html>"


def as_quoted_printable(email: EmailText, text: str) -> bytes:
    """A whole message whose plain body is ``text`` in quoted-printable."""
    message = EmailMessage()
    message["From"] = email.sender or "someone@example.com"
    message["Subject"] = email.subject
    message.set_content(text, charset="utf-8", cte="quoted-printable")
    return message.as_bytes()


def _sent_as_html(email: EmailText, body: str) -> EmailText:
    """``email`` with ``body`` arriving as HTML only, read back."""
    from bounceback.nlp.reading import reading_text

    html = as_html(body)
    return replace(email, body=reading_text(None, html), html=html)


def _sent_quoted_printable(email: EmailText, body: str) -> EmailText:
    """``email`` with ``body`` sent as a quoted-printable message, parsed back."""
    from bounceback.nlp.mail import parse_email

    read = parse_email(as_quoted_printable(email, body)).new_text
    return replace(email, body=read)


#: Ways the same text travels that must not change the answer either.
TRANSPORTS: dict[str, Callable[[EmailText, str], EmailText]] = {
    "sent as HTML only": _sent_as_html,
    "quoted-printable": _sent_quoted_printable,
}


def perturbation_agreement(
    system: System,
    messages: Sequence[tuple[EmailText, str | None, str | None]],
    reader: Callable[[str | None, str | None], str],
) -> list[Agreement]:
    """Agreement between each message and each perturbation of its plain body."""
    plain = [(email, body, html) for email, body, html in messages if body is not None]
    base = list(system.analyze(email for email, _, _ in plain))
    variants: dict[str, list[EmailText]] = {
        name: [
            replace(email, body=reader(change(body), html), html=html)
            for email, body, html in plain
            if body is not None
        ]
        for name, change in PERTURBATIONS.items()
    }
    for name, send in TRANSPORTS.items():
        variants[name] = [send(e, body) for e, body, _ in plain if body is not None]
    return [
        _agreement(name, base, list(system.analyze(changed))) for name, changed in variants.items()
    ]


def _agreement(name: str, base: Sequence[Analysis], changed: Sequence[Analysis]) -> Agreement:
    """How many of ``changed`` say what ``base`` said, and how many of its gaps were lost."""
    same = [0, 0, 0]
    lost = 0
    for before, after in zip(base, changed, strict=True):
        same[0] += set(before.labels) == set(after.labels)
        same[1] += normalise_name(before.company) == normalise_name(after.company)
        same[2] += normalise_name(before.role) == normalise_name(after.role)
        kept = {" ".join(g.text.split()) for g in after.gaps}
        lost += sum(1 for g in before.gaps if " ".join(g.text.split()) not in kept)
    return Agreement(name, len(base), same[0], same[1], same[2], lost)
