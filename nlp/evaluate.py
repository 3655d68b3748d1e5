"""Score the shipped model and the keyword baseline on the dev and test splits, side by side.

``python -m bounceback.nlp.evaluate`` prints one table: every headline figure for the model
and for keyword rules in the style of today's trackers, on the **dev** split (the written
``corpus/emails.dev.jsonl`` plus the dev fifth of the ``.eml`` training sets in
``corpus/mail/*``; thresholds are tuned on it) and on the frozen **test** split
(``corpus/mail/test``, never tuned on), beside the targets; then how often re-wrapping at
72/78 columns, CRLF, a signature, a legal footer or quoted history changes the model's
labels, company, role or gaps on each split; then gap-category accuracy on the dev gap
sentences.

The figures: per-label F1 and macro-F1 over the six DESIGN.md labels; other accuracy (mail
with no label predicted with none); exact label sets; gap spans (a predicted gap matches a
gold one when they share at least half the shorter span, one-to-one) with and without the
category; company and role accuracy as the product links applications (an employer at
``SAME_EMPLOYER`` similarity or more, so "The Foo Ltd" is "Foo" and "Keel Boat PR" is
"Keelboat PR"; a title with the same folded key, or with one specialisation added or
dropped, "Nurse Manager, Med-Surg"), and beside it spelled exactly as annotated (case and
spaces aside); a gold null must be predicted null.

``--detail`` prints the older per-system report on the written dev split alone (with
precision and recall, and the review-threshold split); ``--mail DIR`` (repeatable) scores
one folder of annotated ``.eml`` files (``--mail-split dev`` keeps its dev fifth,
``--perturb`` adds the agreement table). ``--json`` prints one JSON document and
``--markdown`` only the tables.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bounceback.nlp.evaltables import (
    TARGETS,
    agreement_table,
    headline,
    mail_table,
    markdown_table,
    render_overview,
    side_by_side,
    split_agreement_table,
)
from bounceback.nlp.mailsets import (
    PERTURBATIONS,
    load_mail_set,
    locate,
    perturbation_agreement,
    raw_plain_bodies,
)
from bounceback.nlp.scoring import (
    CORPUS_DIR,
    EvalReport,
    SpanScore,
    System,
    email_from_record,
    evaluate_records,
    evaluate_system,
    is_dev,
    load_jsonl,
    match_spans,
    normalise_name,
    prf,
    same_employer,
    same_role,
    spans_overlap,
)

__all__ = [
    "CORPUS_DIR",
    "PERTURBATIONS",
    "EvalReport",
    "SpanScore",
    "System",
    "email_from_record",
    "evaluate_records",
    "evaluate_system",
    "is_dev",
    "load_jsonl",
    "load_mail_set",
    "locate",
    "main",
    "match_spans",
    "normalise_name",
    "prf",
    "raw_plain_bodies",
    "same_employer",
    "same_role",
    "spans_overlap",
]


def mail_folders(corpus_dir: Path) -> tuple[list[Path], Path | None]:
    """(the .eml training sets, the frozen test set or None) under ``corpus_dir/mail``."""
    root = corpus_dir / "mail"
    found = sorted(p.parent for p in root.glob("*/annotations.jsonl")) if root.is_dir() else []
    test = root / "test"
    return [p for p in found if p != test], (test if test in found else None)


def overview(corpus_dir: Path, systems: Sequence[tuple[str, System]]) -> dict[str, Any]:
    """Reports and perturbation rows for the dev and test splits of ``corpus_dir``."""
    from bounceback.nlp.reading import read_email, reading_text

    training, test = mail_folders(corpus_dir)
    # emails.dev.jsonl also holds the compiled .eml dev fifth (records with a "set"): those
    # are read again from their files below, where a gold gap the reading lost counts as
    # missed, so they are left out here rather than counted twice.
    dev_records = [r for r in load_jsonl(corpus_dir / "emails.dev.jsonl") if "set" not in r]
    # The written dev emails are plain text: each is perturbed as it stands.
    dev_messages = [
        (read_email(email_from_record(r)), r.get("body") or "", None) for r in dev_records
    ]
    for folder in training:
        dev_records += [r for r in load_mail_set(folder) if is_dev(r["id"])]
        dev_messages += [m for m in raw_plain_bodies(folder) if is_dev(m[0].id)]
    sentences = load_jsonl(corpus_dir / "gaps.dev.jsonl")
    reports = {"dev": [evaluate_records(s, dev_records, sentences, name=n) for n, s in systems]}
    model = systems[0][1]
    perturbed = {"dev": perturbation_agreement(model, dev_messages, reading_text)}
    if test is not None:
        records = load_mail_set(test)
        reports["test"] = [evaluate_records(s, records, name=n) for n, s in systems]
        perturbed["test"] = perturbation_agreement(model, raw_plain_bodies(test), reading_text)
    return {"reports": reports, "perturbations": perturbed, "mail_dev_sets": training}


def overview_json(found: dict[str, Any]) -> dict[str, Any]:
    """``--json`` for the overview."""
    return {
        "targets": TARGETS,
        **{
            split: {r.name: {**r.to_json(), "headline": headline(r)} for r in reports}
            for split, reports in found["reports"].items()
        },
        "perturbations": {
            split: [asdict(row) for row in rows] for split, rows in found["perturbations"].items()
        },
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bounceback.nlp.evaluate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--corpus", type=Path, default=CORPUS_DIR, help="corpus folder (*.dev.jsonl, mail/)"
    )
    parser.add_argument("--models", type=Path, default=None, help="model folder (default: shipped)")
    parser.add_argument(
        "--detail",
        action="store_true",
        help="the per-system report on the written dev split alone",
    )
    parser.add_argument(
        "--mail",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="score a folder of annotated .eml files (corpus/mail/*); repeatable",
    )
    parser.add_argument(
        "--mail-split",
        choices=("all", "dev"),
        default="all",
        help="with --mail: every message, or only the dev fifth (is_dev of the file name)",
    )
    parser.add_argument(
        "--perturb",
        action="store_true",
        help="with --mail: also print how often re-wrapping, CRLF, a signature, a footer "
        "or quoted history changes the model's answer",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="one JSON document on stdout")
    output.add_argument("--markdown", action="store_true", help="the tables only, as markdown")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: the model and the keyword baseline, dev and test side by side."""
    from bounceback.nlp.analyzer import Analyzer
    from bounceback.nlp.baseline import KeywordBaseline

    args = parse_args(argv)
    if args.mail:
        return _main_mail(args)
    for name in ("emails.dev.jsonl", "gaps.dev.jsonl"):
        if not (args.corpus / name).is_file():
            sys.stderr.write(
                f"No {name} in {args.corpus}: run `python -m bounceback.nlp.train` first.\n"
            )
            return 2
    systems: list[tuple[str, System]] = [
        ("model", Analyzer.load(args.models)),
        ("keywords", KeywordBaseline()),
    ]
    if args.detail:
        return _main_detail(args, systems)
    found = overview(args.corpus, systems)
    if args.json:
        sys.stdout.write(json.dumps(overview_json(found), indent=2) + "\n")
    elif args.markdown:
        sys.stdout.write(side_by_side(found["reports"]) + "\n\n")
        sys.stdout.write(split_agreement_table(found["perturbations"]) + "\n")
    else:
        sys.stdout.write(render_overview(found))
    return 0


def _main_detail(args: argparse.Namespace, systems: Sequence[tuple[str, System]]) -> int:
    """``--detail``: every figure of each system on the written dev split."""
    reports = [evaluate_system(system, args.corpus, name=name) for name, system in systems]
    if args.json:
        sys.stdout.write(json.dumps({r.name: r.to_json() for r in reports}, indent=2) + "\n")
    elif args.markdown:
        sys.stdout.write(markdown_table(reports) + "\n")
    else:
        sys.stdout.write("\n\n".join(r.render() for r in reports) + "\n\n")
        sys.stdout.write(markdown_table(reports) + "\n")
    return 0


def _main_mail(args: argparse.Namespace) -> int:
    """``--mail``: the model and the keyword baseline on each folder of annotated mail."""
    from bounceback.nlp.analyzer import Analyzer
    from bounceback.nlp.baseline import KeywordBaseline

    systems: list[tuple[str, System]] = [
        ("model", Analyzer.load(args.models)),
        ("keywords", KeywordBaseline()),
    ]
    documents: dict[str, Any] = {}
    for folder in args.mail:
        if not (folder / "annotations.jsonl").is_file():
            sys.stderr.write(f"No annotations.jsonl in {folder}: give a corpus/mail/* folder.\n")
            return 2
        records = load_mail_set(folder)
        if args.mail_split == "dev":
            records = [r for r in records if is_dev(r["id"])]
        title = f"{folder.name} ({args.mail_split}, {len(records)} messages)"
        reports = [evaluate_records(system, records, name=name) for name, system in systems]
        documents[folder.name] = {r.name: r.to_json() for r in reports}
        if not args.json:
            sys.stdout.write(mail_table(title, reports) + "\n\n")
        if args.perturb:
            from bounceback.nlp.reading import reading_text

            messages = raw_plain_bodies(folder)
            if args.mail_split == "dev":
                messages = [m for m in messages if is_dev(m[0].id)]
            rows = perturbation_agreement(systems[0][1], messages, reading_text)
            documents[folder.name]["perturbations"] = [asdict(row) for row in rows]
            if not args.json:
                sys.stdout.write(agreement_table(f"{folder.name}: model", rows) + "\n\n")
    if args.json:
        sys.stdout.write(json.dumps(documents, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
