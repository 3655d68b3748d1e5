"""Per-message time on hostile mail from 1 KB to 1 MB: it should stay flat.

    .venv/bin/python benchmarks/adversarial_bench.py [--sizes 1000,10000,100000,1000000]

Each payload is a rejection sentence followed by one pathological run — em dashes,
emoji, zero-width characters, stacked combining marks, one enormous "word", many short
sentences, many bullet lines — put in the subject, the display name and the body.
Every message goes the way ``bounceback classify --jsonl`` sends it: ``read_email`` (the
one reading path), then the shipped analyser. Prints milliseconds per message for each
payload and size; since every text is capped and runs are collapsed before spaCy
tokenises anything, 1 MB should cost about what 10 KB does.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bounceback.nlp.analyzer import Analyzer
from bounceback.nlp.reading import read_email
from bounceback.nlp.records import EmailText

LEAD = "Unfortunately we will not be taking your application for the Analyst role further. "

PAYLOADS: dict[str, Callable[[int], str]] = {
    "em dashes": lambda n: "\u2014" * n,
    "emoji": lambda n: "\U0001f389\ufe0f" * (n // 2),
    "zero-width": lambda n: "a\u200b" * (n // 2),
    "combining": lambda n: "e" + "\u0301" * (n - 1),
    "one word": lambda n: "x" * n,
    "sentences": lambda n: "You lacked SQL. " * (n // 16),
    "bullets": lambda n: "- weak on SQL\n" * (n // 14),
}


def message(kind: str, size: int) -> EmailText:
    """A hostile message whose subject, sender name and body each carry ``size`` chars."""
    run = PAYLOADS[kind](size)
    return EmailText(
        id=f"{kind}-{size}",
        subject="Your application " + run,
        sender=f'"{run}" <jobs@example.com>',
        body=LEAD + run,
    )


def per_message_ms(analyzer: Analyzer, email: EmailText, repeat: int) -> float:
    """Best of ``repeat`` runs of reading + analysing one message, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        list(analyzer.analyze([read_email(email)]))
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--models", type=Path, default=None)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    analyzer = Analyzer.load(args.models)
    analyzer.analyze_one(read_email(message("sentences", 1000)))  # warm up
    header = f"{'payload':<12}" + "".join(f"{f'{s // 1000} KB':>12}" for s in sizes)
    print("ms per message (read_email + analyse), best of", args.repeat)
    print(header)
    worst_ratio = 0.0
    for kind in PAYLOADS:
        times = [per_message_ms(analyzer, message(kind, size), args.repeat) for size in sizes]
        worst_ratio = max(worst_ratio, times[-1] / max(times[0], 1e-6))
        print(f"{kind:<12}" + "".join(f"{t:12.1f}" for t in times))
    print(f"largest / smallest time, worst payload: {worst_ratio:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
