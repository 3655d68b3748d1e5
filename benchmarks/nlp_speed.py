"""How fast the shipped models read mail, next to spaCy's own tokenizer on the same texts.

    .venv/bin/python benchmarks/nlp_speed.py [--emails 10000] [--models DIR]

Cycles the corpus emails (train + dev) up to ``--emails`` and prints, in one run:
model load time; spaCy tokenizer throughput on exactly the texts the label model reads
(``label_text``); labels-only throughput (``Analyzer.label_scores``: preprocessing,
tokenizer and text classifier); full analysis throughput (``Analyzer.analyze``: labels,
gap segmentation and classification, company and role); the labels/tokenizer ratio
(target >= 0.8) and full-analysis speed (target >= 500 emails/s); peak RSS.
One process, one core: no ``n_process``. Each phase is timed best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable, Iterable
from itertools import cycle, islice
from pathlib import Path

from bounceback.nlp.analyzer import Analyzer, label_text
from bounceback.nlp.evaluate import CORPUS_DIR, email_from_record, load_jsonl
from bounceback.nlp.records import EmailText


def corpus_emails(count: int, corpus_dir: Path = CORPUS_DIR) -> list[EmailText]:
    """``count`` emails cycled from the corpus, with unique ids."""
    records = load_jsonl(corpus_dir / "emails.train.jsonl") + load_jsonl(
        corpus_dir / "emails.dev.jsonl"
    )
    emails = [email_from_record(r) for r in records]
    return [
        EmailText(id=f"{n}-{e.id}", subject=e.subject, sender=e.sender, body=e.body)
        for n, e in enumerate(islice(cycle(emails), count))
    ]


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """The fastest of ``repeat`` wall-clock timings of ``run()``, in seconds."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return min(timings)


def drain(items: Iterable[object]) -> int:
    """Consume an iterator; how many items it gave."""
    return sum(1 for _ in items)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--models", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args(argv)

    emails = corpus_emails(args.emails)
    start = time.perf_counter()
    analyzer = Analyzer.load(args.models)
    load_seconds = time.perf_counter() - start

    texts = [label_text(e) for e in emails]
    words = sum(len(text.split()) for text in texts)
    tokenizer = analyzer.label_model.tokenizer
    n = len(emails)
    tok = best_of(args.repeat, lambda: drain(tokenizer.pipe(texts, batch_size=args.batch_size)))
    labels = best_of(
        args.repeat, lambda: drain(analyzer.label_scores(emails, batch_size=args.batch_size))
    )
    full_results: list[object] = []
    full = best_of(
        args.repeat,
        lambda: full_results.__setitem__(
            slice(None), list(analyzer.analyze(emails, batch_size=args.batch_size))
        ),
    )
    with_gaps = sum(1 for a in full_results if getattr(a, "gaps", ()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    def rate(seconds: float) -> str:
        return f"{n / seconds:9.0f} emails/s {words / seconds:11.0f} words/s  ({seconds:.3f} s)"

    out = sys.stdout
    out.write(
        f"emails: {n} (cycled corpus), words: {words}, "
        f"mean {words / n:.0f} words/email, best of {args.repeat}, "
        f"batch {args.batch_size}, 1 process\n"
    )
    out.write(f"model load:          {load_seconds:.3f} s\n")
    out.write(f"spaCy tokenizer:     {rate(tok)}\n")
    out.write(f"labels only:         {rate(labels)}\n")
    out.write(f"full analysis:       {rate(full)}  ({with_gaps} emails with gaps)\n")
    ratio = tok / labels
    verdict = "met" if ratio >= 0.8 else "NOT met"
    out.write(f"labels / tokenizer:  {ratio:.2f} (target >= 0.80: {verdict})\n")
    full_rate = n / full
    out.write(
        f"full analysis:       {full_rate:.0f} emails/s (target >= 500: "
        f"{'met' if full_rate >= 500 else 'NOT met'})\n"
    )
    out.write(f"peak RSS:            {peak:.0f} MiB\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
