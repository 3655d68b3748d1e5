"""Train the employer/role NER (``models/entities``) from the corpus's annotations.

Training data: the training split only (``corpus/emails.train.jsonl``, carved by the
fixed-seed hash of :func:`bounceback.nlp.evaluate.is_dev`). Each annotated email becomes
its short text (:func:`bounceback.nlp.entities.model.entity_text`) with the gold
Company:/Role: strings marked where they occur (first occurrence, any case). A gold name
the text never spells (an employer named only by its domain) marks nothing. One email in
ten of the training split, chosen by another fixed hash, picks the best checkpoint.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import spacy
from spacy.cli.train import train as spacy_train
from spacy.tokens import Doc, DocBin, Span

from bounceback.nlp.entities.model import EMPLOYER, ROLE, entity_text
from bounceback.nlp.evaluate import load_jsonl

__all__ = ["entity_doc", "train_entities"]

logger = logging.getLogger(__name__)
_RUNTIME = ("config.cfg", "meta.json", "tokenizer", "vocab", "tok2vec", "ner")
_HOLD_OUT_EVERY = 10


def entity_doc(blank: spacy.language.Language, record: dict[str, Any]) -> Doc:
    """One training doc: the email's short text with its gold employer and role marked."""
    doc = blank.make_doc(entity_text(record["subject"], record["from"], record["body"]))
    spans: list[Span] = []
    for key, label in (("company", EMPLOYER), ("role", ROLE)):
        gold = record.get(key)
        if not gold:
            continue
        match = re.search(re.escape(gold.strip()), doc.text, re.IGNORECASE)
        if match is None:
            continue
        span = doc.char_span(match.start(), match.end(), label=label, alignment_mode="expand")
        if span is not None and not any(span.start < s.end and s.start < span.end for s in spans):
            spans.append(span)
    doc.ents = sorted(spans, key=lambda s: s.start)
    return doc


def _held_out(record: dict[str, Any]) -> bool:
    return zlib.crc32(f"entities:{record['id']}".encode()) % _HOLD_OUT_EVERY == 0


def _docbin(docs: Iterable[Doc], path: Path) -> Path:
    DocBin(docs=docs, store_user_data=False).to_disk(path)
    return path


def train_entities(
    corpus_dir: Path,
    model_dir: Path,
    config: Path,
    *,
    workdir: Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> Path | None:
    """Train on the training split and install the pipeline into ``model_dir/entities``.

    None (and nothing installed) if the training split has no Company:/Role: annotations:
    the analyser then names company and role by the rules alone.
    """
    records = [
        r for r in load_jsonl(corpus_dir / "emails.train.jsonl") if "company" in r or "role" in r
    ]
    if not records:
        logger.info("entities: no annotated training emails, nothing trained")
        return None
    blank = spacy.blank("en")
    with tempfile.TemporaryDirectory(prefix="bounceback-entities-") as scratch:
        work = Path(workdir) if workdir is not None else Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        docs = [(entity_doc(blank, r), _held_out(r)) for r in records]
        train = _docbin((doc for doc, held in docs if not held), work / "train.spacy")
        held = _docbin((doc for doc, held in docs if held), work / "held.spacy")
        output = work / "entities-output"
        paths = {"paths.train": str(train), "paths.dev": str(held)}
        spacy_train(config, output, overrides={**paths, **(overrides or {})})
        destination = model_dir / "entities"
        if destination.exists():
            shutil.rmtree(destination)
        destination.mkdir(parents=True)
        for child in (output / "model-best").iterdir():
            if child.name not in _RUNTIME:
                continue
            copy = shutil.copytree if child.is_dir() else shutil.copy2
            copy(child, destination / child.name)
    meta_path = destination / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(name="entities", description="employer and role spans (EMPLOYER, ROLE)")
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    logger.info("entities: %d training emails", len(records))
    return destination
