"""`bounceback classify`: read emails, stream them through the analyser, emit JSON lines."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from bounceback.errors import ConfigError
from bounceback.flows.analyse import TextAnalyzer
from bounceback.nlp.mail import parse_email
from bounceback.nlp.reading import read_email
from bounceback.nlp.records import EmailText

# Control bytes that never appear in mail text (tab, LF, FF, CR and ESC can).
_CONTROL: bytes = bytes(c for c in range(32) if c not in (9, 10, 12, 13, 27))


def refuse_unreadable(path: Path, *, kind: str = "an email") -> None:
    """Raise a one-line ConfigError if ``path`` is empty or binary rather than text mail."""
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    if not head.strip():
        raise ConfigError(f"{path} is empty: give {kind} file with some content")
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
    """One EmailText per JSON line of {"id", "subject", "from", "body", "html"?}."""
    handle = sys.stdin if str(path) == "-" else None
    try:
        stream = handle or path.open(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    with stream:
        try:
            yield from _jsonl_emails(path, stream)
        except UnicodeDecodeError:
            raise ConfigError(f"{path} is not UTF-8 text: give a JSON-lines file") from None


def _jsonl_emails(path: Path, stream: Iterable[str]) -> Iterator[EmailText]:
    """The emails of a JSON-lines stream, each read as an .eml body is read."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            email = EmailText(
                id=str(item["id"]),
                subject=item.get("subject") or "",
                sender=item.get("from") or "",
                body=item.get("body") or "",
                html=item.get("html"),
            )
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(
                f"{path} line {number} is not a JSON object with an id ({exc}); "
                "fix that line and run again"
            ) from None
        # The same reading as an .eml body gets (parse_email): one path, one answer.
        yield read_email(email)


def classify_stream(analyzer: TextAnalyzer, emails: Iterable[EmailText]) -> Iterator[str]:
    """JSON lines in input order; the analyser streams, so memory stays flat."""
    for analysis in analyzer.analyze(emails):
        yield json.dumps(analysis.to_json(), ensure_ascii=False)
