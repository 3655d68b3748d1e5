"""`bounceback classify`: read emails, stream them through the analyser, emit JSON lines."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bounceback.errors import ConfigError
from bounceback.nlp.mail import parse_email
from bounceback.nlp.reading import read_email
from bounceback.nlp.records import EmailText
from bounceback.nlp.signals import NO_SIGNALS, Signals, signals_from_headers

if TYPE_CHECKING:  # the flows import the database layer: not needed to classify
    from bounceback.flows.analyse import TextAnalyzer

# Control bytes that never appear in mail text (tab, LF, FF, CR and ESC can).
_CONTROL: bytes = bytes(c for c in range(32) if c not in (9, 10, 12, 13, 27))


def refuse_unreadable(path: Path, *, kind: str = "an email file") -> None:
    """Raise a one-line ConfigError if ``path`` is empty or binary rather than text mail."""
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    if not head.strip():
        raise ConfigError(f"{path} is empty: give {kind} with some content")
    controls = sum(head.count(bytes([c])) for c in _CONTROL)
    if b"\x00" in head or controls > len(head) // 100:
        raise ConfigError(f"{path} is a binary file, not {kind}: give a text file")


def emails_from_eml(paths: Iterable[Path]) -> Iterator[EmailText]:
    """One EmailText per .eml file; its id is the file name without extension."""
    for path in paths:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
        yield parse_email(raw).email_text(path.stem)


def emails_from_jsonl(path: Path) -> Iterator[EmailText]:
    """One EmailText per JSON line of {"id", "subject", "from", "body", "html"?}.

    A line may also give ``"headers"`` (an object of the headers bounceback reads beside
    the words: Reply-To, List-Unsubscribe, List-Id, Precedence, Auto-Submitted) and
    ``"calendar": true`` for a message with a calendar part, so a JSON line says all an
    ``.eml`` file would.
    """
    for number, line in numbered_lines(path):
        yield email_from_line(path, number, line)


def numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The non-blank lines of a JSON-lines file (``-``: stdin) with their line numbers."""
    handle = sys.stdin if str(path) == "-" else None
    try:
        stream = handle or path.open(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    with stream:
        try:
            for number, line in enumerate(stream, start=1):
                if line.strip():
                    yield number, line
        except UnicodeDecodeError:
            raise ConfigError(f"{path} is not UTF-8 text: give a JSON-lines file") from None


def email_from_line(path: Path, number: int, line: str) -> EmailText:
    """The email of one JSON line, read as an .eml body is read; a bad line is a ConfigError."""
    try:
        item = json.loads(line)
        wrong = [k for k in _TEXT_FIELDS if isinstance(item, dict) and _not_text(item.get(k))]
        if wrong:
            raise ConfigError(
                f'{path} line {number}: "{wrong[0]}" must be text (a JSON string), not '
                f"{json.dumps(item[wrong[0]])}; fix that line and run again"
            )
        if isinstance(item, dict) and not isinstance(item.get("headers") or {}, dict):
            raise ConfigError(
                f'{path} line {number}: "headers" must be an object such as '
                '{"Reply-To": "jobs@example.com"}; fix that line and run again'
            )
        email = EmailText(
            id=str(item["id"]),
            subject=item.get("subject") or "",
            sender=item.get("from") or "",
            body=item.get("body") or "",
            html=item.get("html"),
            signals=_signals(item),
        )
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"{path} line {number} is not a JSON object with an id ({exc}); "
            "fix that line and run again"
        ) from None
    # The same reading as an .eml body gets (parse_email): one path, one answer.
    return read_email(email)


_TEXT_FIELDS = ("subject", "from", "body", "html")


def _not_text(value: object) -> bool:
    return value is not None and not isinstance(value, str)


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """The output lines of a run of input lines, and the error that stopped it, if any."""

    lines: list[str]
    error: str | None = None


def classify_chunk(analyzer: TextAnalyzer, path: Path, chunk: list[tuple[int, str]]) -> ChunkResult:
    """Classify numbered JSON lines up to the first bad one, whose error is kept."""
    emails: list[EmailText] = []
    error = None
    for number, line in chunk:
        try:
            emails.append(email_from_line(path, number, line))
        except ConfigError as exc:
            error = str(exc)
            break
    return ChunkResult(list(classify_stream(analyzer, emails)), error)


def classify_stream(analyzer: TextAnalyzer, emails: Iterable[EmailText]) -> Iterator[str]:
    """JSON lines in input order; the analyser streams, so memory stays flat."""
    for analysis in analyzer.analyze(emails):
        yield json.dumps(analysis.to_json(), ensure_ascii=False)


def _signals(item: dict[str, Any]) -> Signals:
    """The header signals a JSON line gives (none if it gives no headers)."""
    given = item.get("headers") or {}
    if not given and item.get("calendar") is not True:
        return NO_SIGNALS  # a line that gives no headers says nothing beside its words
    headers = {str(name).lower(): str(value) for name, value in given.items()}
    headers.setdefault("from", str(item.get("from") or ""))
    return signals_from_headers(headers, calendar=item.get("calendar") is True)
