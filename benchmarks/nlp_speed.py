"""How fast `bounceback classify --jsonl` reads mail, beside spaCy's tokenizer on the same texts.

    .venv/bin/python benchmarks/nlp_speed.py [--emails 10000] [--repeat 3] [--workers N]
        [--baseline REV] [--no-phases]

    # The figure in the README and nlp/MODEL_CARD.md: this code and the code before the
    # speed work side by side in one run (the machine is shared), outputs compared:
    nice -n 5 .venv/bin/python benchmarks/nlp_speed.py --baseline be779d5

Input: the training mail under ``nlp/corpus/mail/{ats,boards,feedback}`` (never the frozen
test split), parsed as a poll parses it and written as the JSON lines ``classify --jsonl``
reads: ``{"id", "subject", "from", "body", "html"}`` with the raw plain-text body and the
raw HTML part (most of this mail has both; a few have HTML only), cycled up to
``--emails`` with unique ids.

Prints, in one run:

- whole process: ``bounceback classify --jsonl IN`` run as a subprocess (start-up, model
  load, reading, analysis, JSON out), wall-clock emails/s and CPU seconds, best of
  ``--repeat``. With ``--baseline REV`` the same command from that revision's code runs
  interleaved with it; both load the working tree's shipped models (``BOUNCEBACK_HOME``
  points them there) and their outputs are compared byte for byte.
- spaCy's tokenizer over exactly the texts the label model reads (``label_text`` of each
  email as classify reads it), one process, and the ratio of the two; also the same
  tokenizer with its cache warmed word by word (``nlp/tokencache.py``), as the analyser
  runs it: spaCy's cache saves nothing after a document's first newline or contraction.
- unless ``--no-phases``, in one process: labels only (``Analyzer.label_scores``) and full
  analysis (``Analyzer.analyze``).

Target (issue 11): whole process >= 1,000 emails/s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from io import BytesIO
from itertools import cycle, islice
from pathlib import Path

import spacy

from bounceback.nlp.analyzer import Analyzer, default_model_dir, label_text
from bounceback.nlp.mail import parse_email
from bounceback.nlp.reading import read_email
from bounceback.nlp.records import EmailText
from bounceback.nlp.tokencache import TokenizerWarmer

ROOT = Path(__file__).resolve().parents[1]
MAIL = ROOT / "nlp" / "corpus" / "mail"
TRAINING_SETS = ("ats", "boards", "feedback")
# Where each folder of the repository sits inside the installed package.
PACKAGE_FOLDERS = {"src/bounceback": "", "nlp": "nlp", "flows": "flows", "storage": "storage"}


@dataclass(frozen=True)
class Run:
    """One whole-process classify run."""

    seconds: float
    cpu: float
    output: bytes


def corpus_lines(count: int) -> list[str]:
    """``count`` JSON lines for ``classify --jsonl``, cycled from the training .eml mail."""
    records = []
    for name in TRAINING_SETS:
        for path in sorted((MAIL / name).glob("*.eml")):
            parsed = parse_email(path.read_bytes())
            records.append(
                {
                    "subject": parsed.subject,
                    "from": parsed.from_header,
                    "body": parsed.text,
                    "html": parsed.html,
                    "stem": path.stem,
                }
            )
    lines = []
    for n, record in enumerate(islice(cycle(records), count)):
        item = {"id": f"{n}-{record['stem']}", **{k: v for k, v in record.items() if k != "stem"}}
        lines.append(json.dumps(item, ensure_ascii=False))
    return lines


def baseline_package(revision: str, into: Path) -> Path:
    """The code of ``revision`` laid out as the installed package; the folder to import from."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, *PACKAGE_FOLDERS],
        check=True,
        capture_output=True,
    ).stdout
    source = into / "source"
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(source, filter="data")
    package = into / "package" / "bounceback"
    package.parent.mkdir(parents=True)
    (source / "src" / "bounceback").rename(package)
    for folder, inside in PACKAGE_FOLDERS.items():
        if inside:
            (source / folder).rename(package / inside)
    return package.parent


def classify_command(baseline: Path | None, jsonl: Path, workers: int) -> list[str]:
    """The classify command line: the installed one, or the baseline code's."""
    if baseline is None:
        script = Path(sys.executable).with_name("bounceback")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "bounceback"]
        extra = ["--workers", str(workers)] if workers else []
        return [*command, "classify", "--jsonl", str(jsonl), *extra]
    start = (
        f"import sys; sys.path.insert(0, {str(baseline)!r}); "
        "from bounceback.cli.app import main; main()"
    )
    return [sys.executable, "-c", start, "classify", "--jsonl", str(jsonl)]


def run_classify(command: list[str], env: dict[str, str]) -> Run:
    """Run one classify process to the end: wall-clock and CPU seconds (workers included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"classify failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(seconds, cpu, done.stdout)


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


def read_lines(lines: list[str]) -> list[EmailText]:
    """The emails as classify reads them (read_email of each JSON line)."""
    emails = []
    for line in lines:
        item = json.loads(line)
        raw = EmailText(item["id"], item["subject"], item["from"], item["body"], item["html"])
        emails.append(read_email(raw))
    return emails


def whole_process(args: argparse.Namespace, jsonl: Path, work: Path) -> dict[str, list[Run]]:
    """Interleaved classify runs of this code (and the baseline's): every run kept."""
    home = work / "home"
    (home / "models").mkdir(parents=True)
    # Both codes load the working tree's shipped models: only the code differs.
    (home / "models" / "current").symlink_to(default_model_dir())
    env = {**os.environ, "BOUNCEBACK_HOME": str(home)}
    commands = {"this code": classify_command(None, jsonl, args.workers)}
    if args.baseline:
        package = baseline_package(args.baseline, work / "baseline")
        commands = {f"baseline {args.baseline}": classify_command(package, jsonl, 0), **commands}
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, command in commands.items():
            runs[name].append(run_classify(command, env))
    return runs


def report_whole(
    runs: dict[str, list[Run]], n: int, tokenizer_rate: float, warmed_rate: float
) -> None:
    """Print the whole-process figures, the ratio to the tokenizer, and the comparison."""
    out = sys.stdout
    rates = {}
    for name, name_runs in runs.items():
        best = min(name_runs, key=lambda run: run.seconds)
        rates[name] = n / best.seconds
        out.write(
            f"classify --jsonl, {name + ':':22s} {rates[name]:7.0f} emails/s "
            f"({best.seconds:.2f} s wall, {best.cpu:.2f} s CPU; all runs: "
            f"{', '.join(f'{run.seconds:.2f}' for run in name_runs)} s)\n"
        )
    this = rates["this code"]
    out.write(
        f"classify / tokenizer:                {this / tokenizer_rate:.2f} "
        f"(/ warmed tokenizer: {this / warmed_rate:.2f})\n"
    )
    out.write(f"target >= 1000 emails/s:             {'met' if this >= 1000 else 'NOT met'}\n")
    if len(runs) == 2:
        (base_name, base_runs), (_, new_runs) = runs.items()
        same = all(run.output == base_runs[0].output for run in [*base_runs, *new_runs])
        out.write(f"speed-up over {base_name}:  {this / rates[base_name]:.2f}x\n")
        out.write(f"outputs byte-identical:              {'yes' if same else 'NO'}\n")


def in_process_phases(
    analyzer: Analyzer, emails: list[EmailText], repeat: int, rate: Callable[[float], str]
) -> None:
    """Labels only and full analysis in this process, best of ``repeat``."""
    labels = best_of(repeat, lambda: drain(analyzer.label_scores(emails)))
    full = best_of(repeat, lambda: drain(analyzer.analyze(emails)))
    sys.stdout.write(f"in process, labels only:     {rate(labels)}\n")
    sys.stdout.write(f"in process, full analysis:   {rate(full)}\n")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=0, help="classify --workers (0: auto)")
    parser.add_argument("--baseline", help="a git revision to run side by side, e.g. be779d5")
    parser.add_argument("--no-phases", dest="phases", action="store_false")
    args = parser.parse_args(argv)

    lines = corpus_lines(args.emails)
    n = len(lines)
    with tempfile.TemporaryDirectory(prefix="bounceback-speed-") as tmp:
        work = Path(tmp)
        jsonl = work / "in.jsonl"
        jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
        runs = whole_process(args, jsonl, work)

    emails = read_lines(lines)
    analyzer = Analyzer.load()
    texts = [label_text(email) for email in emails]
    words = sum(len(text.split()) for text in texts)
    tokenizer = analyzer.label_model.tokenizer
    tok = best_of(args.repeat, lambda: drain(tokenizer.pipe(texts)))
    # The same tokenizer rules with the cache warmed word by word, as the analyser uses it.
    fresh = spacy.load(default_model_dir() / "labels")
    warmer = TokenizerWarmer(fresh)
    warm = best_of(args.repeat, lambda: (warmer.warm(texts), drain(fresh.tokenizer.pipe(texts))))

    def rate(seconds: float) -> str:
        return f"{n / seconds:7.0f} emails/s {words / seconds:9.0f} words/s ({seconds:.2f} s)"

    load = os.getloadavg()
    sys.stdout.write(
        f"emails: {n} (.eml training mail, cycled), {words / n:.0f} words/email read by the "
        f"label model, best of {args.repeat}; {os.cpu_count()} cores, load average "
        f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n"
    )
    sys.stdout.write(f"spaCy tokenizer (label texts):       {rate(tok)}\n")
    sys.stdout.write(f"  the same, cache warmed by word:    {rate(warm)}\n")
    report_whole(runs, n, n / tok, n / warm)
    if args.phases:
        in_process_phases(analyzer, emails, args.repeat, rate)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
