"""Compile the hand-written corpus into the JSONL splits the models train and are scored on.

Reads ``corpus/sources/*.txt`` (emails with ``### labels:`` headers, ``Company:``/``Role:``
lines and inline ``[[category: text]]`` gap marks; gap sentences as ``category | text``)
and the annotated ``.eml`` training sets, reads every body as the product reads mail, and
writes ``*.train.jsonl`` / ``*.dev.jsonl`` by a fixed-seed hash split.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bounceback.nlp.mailsets import load_mail_set
from bounceback.nlp.reading import reading_text
from bounceback.nlp.scoring import CORPUS_DIR, is_dev
from bounceback.nlp.taxonomy import GAP_CATEGORIES, LABELS

NO_GAP = "none"
GAP_CLASSES: tuple[str, ...] = (*GAP_CATEGORIES, NO_GAP)

__all__ = ["compile_corpus", "mail_records", "parse_emails", "parse_gaps", "split", "write_jsonl"]


# Email sources: records start with "### labels: a b" (or "other"), then From: and
# Subject: lines, a blank line, and the body verbatim. Gap sources: "category | sentence".
_HEADER = re.compile(r"^### labels:\s*(?P<labels>.*)$", re.MULTILINE)


def parse_emails(path: Path) -> list[dict[str, Any]]:
    """Parse one email source file into corpus records."""
    text = path.read_text(encoding="utf-8")
    records = []
    heads = list(_HEADER.finditer(text))
    for number, head in enumerate(heads, start=1):
        end = heads[number].start() if number < len(heads) else len(text)
        chunk = text[head.end() : end].strip("\n")
        header, _, body = chunk.partition("\n\n")
        fields = dict(line.split(":", 1) for line in header.splitlines())
        labels = [x for x in head.group("labels").split() if x != "other"]
        unknown = set(labels) - set(LABELS)
        if unknown:
            raise ValueError(f"{path.name} #{number}: unknown labels {unknown}")
        where = f"{path.name} #{number}"
        # The dev/train split hashes the body as written, so that reading it differently
        # never moves an example to the other side of the split.
        written, _ = _strip_gap_marks(body.rstrip() + "\n", where)
        # Read as run time reads it (one reading path), marks and all, then unmark.
        body, gaps = _strip_gap_marks(reading_text(body), where)
        record: dict[str, Any] = {
            "id": f"{path.stem.removeprefix('emails_')}-{number:03d}",
            "subject": fields["Subject"].strip(),
            "from": fields["From"].strip(),
            "body": body,
            "labels": labels,
            SPLIT_KEY: f"{fields['From'].strip()}\n{fields['Subject'].strip()}\n{written}",
        }
        # Optional annotations: "Company:"/"Role:" header lines ("-" = the email names
        # none) and [[category: text]] gap marks in the body. Absent = not annotated.
        for key in ("Company", "Role"):
            if key in fields:
                value = fields[key].strip()
                record[key.lower()] = None if value == "-" else value
        if gaps or "[[" in chunk:
            record["gaps"] = gaps
        records.append(record)
    return records


_GAP_MARK = re.compile(r"\[\[(?P<category>[a-z_]+):\s*(?P<text>.+?)\]\]", re.DOTALL)


def _strip_gap_marks(body: str, where: str) -> tuple[str, list[dict[str, Any]]]:
    """Remove ``[[category: text]]`` marks; the gaps with offsets into the clean body."""
    out: list[str] = []
    gaps: list[dict[str, Any]] = []
    position = 0  # in the clean body
    last = 0  # in the marked body
    for match in _GAP_MARK.finditer(body):
        category = match.group("category")
        if category not in GAP_CATEGORIES:
            raise ValueError(f"{where}: unknown gap category {category!r}")
        out.append(body[last : match.start()])
        position += match.start() - last
        text = match.group("text")
        gaps.append(
            {"start": position, "end": position + len(text), "category": category, "text": text}
        )
        out.append(text)
        position += len(text)
        last = match.end()
    out.append(body[last:])
    clean = "".join(out)
    if "[[" in clean or "]]" in clean:
        raise ValueError(f"{where}: malformed gap mark")
    return clean, gaps


def parse_gaps(path: Path) -> list[dict[str, str]]:
    """Parse one gap-sentence source file into corpus records."""
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        category, _, sentence = line.partition(" | ")
        category = category.strip()
        if category not in GAP_CLASSES or not sentence.strip():
            raise ValueError(f"{path.name}:{number}: bad line {line!r}")
        records.append({"text": sentence.strip(), "category": category})
    return records


def split(
    records: list[dict[str, Any]], key: Callable[[dict[str, Any]], str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split records into (train, dev) by :func:`is_dev` of ``key(record)``."""
    train: list[dict[str, Any]] = []
    dev: list[dict[str, Any]] = []
    for record in records:
        (dev if is_dev(key(record)) else train).append(record)
    return train, dev


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    """Write records one per line, UTF-8, stable key order."""
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


#: A record's split key while compiling (never written to the JSONL files).
SPLIT_KEY = "_split_key"


#: The annotated .eml sets trained on; ``mail/test`` is the frozen test split, never read.
MAIL_TRAINING_SETS = (
    "ats",
    "boards",
    "feedback",
    "negatives",
    "notes",
    "employers",
    "jobs",
    "brief",
    "lookalikes",
)


def mail_records(mail_dir: Path) -> list[dict[str, Any]]:
    """Corpus records of the annotated .eml training sets (never ``mail/test``).

    Gold gaps keep their text and offsets in the body as the analyser reads it; a gap the
    reading path cannot find is left out of training rather than guessed at.
    """
    records: list[dict[str, Any]] = []
    for name in MAIL_TRAINING_SETS:
        folder = mail_dir / name
        if not (folder / "annotations.jsonl").is_file():
            continue
        for record in load_mail_set(folder):
            record["gaps"] = [
                {**gap, "text": record["body"][gap["start"] : gap["end"]]}
                for gap in record["gaps"]
                if gap["start"] >= 0
            ]
            record["set"] = name
            records.append(record)
    return records


def compile_corpus(sources: Path = CORPUS_DIR / "sources", corpus_dir: Path = CORPUS_DIR) -> str:
    """Compile the hand-written sources into ``{emails,gaps}.{train,dev}.jsonl``; a summary.

    The annotated .eml training sets in ``corpus_dir/mail`` (not ``mail/test``) join the
    emails, split by a hash of the file name as the README there says.
    """
    emails = [r for p in sorted(sources.glob("emails_*.txt")) for r in parse_emails(p)]
    gaps = [r for p in sorted(sources.glob("gaps_*.txt")) for r in parse_gaps(p)]
    if len({r["id"] for r in emails}) != len(emails):
        raise ValueError("duplicate email ids in the corpus sources")
    seen: set[str] = set()
    for record in gaps:
        lowered = record["text"].lower()
        if lowered in seen:
            raise ValueError(f"duplicate gap sentence: {record['text']!r}")
        seen.add(lowered)
    mail = mail_records(corpus_dir / "mail")
    mail_train, mail_dev = split(mail, lambda r: str(r["id"]))
    summary = []
    jobs: list[tuple[str, list[dict[str, Any]], Callable[[dict[str, Any]], str]]] = [
        ("emails", emails, lambda r: str(r.pop(SPLIT_KEY))),
        ("gaps", gaps, lambda r: str(r["text"]).lower()),
    ]
    for name, records, key in jobs:
        train, dev = split(records, key)
        if name == "emails":
            train, dev = train + mail_train, dev + mail_dev
        write_jsonl(corpus_dir / f"{name}.train.jsonl", train)
        write_jsonl(corpus_dir / f"{name}.dev.jsonl", dev)
        summary.append(f"{name}: {len(train)} train, {len(dev)} dev")
    summary.append(f"of the emails, .eml sets: {len(mail_train)} train, {len(mail_dev)} dev")
    return "; ".join(summary)
