"""`classify --jsonl` in forked workers gives the serial output: same bytes, same order, same errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bounceback.cli import classify_pool
from bounceback.cli.app import app
from bounceback.cli.classify import ChunkResult, classify_chunk
from bounceback.cli.classify_pool import CHUNK_LINES, classify_jsonl
from bounceback.errors import ConfigError
from bounceback.nlp.analyzer import Analyzer
from bounceback.nlp.mail import parse_email

MAIL = Path(__file__).resolve().parents[2] / "nlp" / "corpus" / "mail"
runner = CliRunner()


def corpus_lines() -> list[str]:
    """Every training .eml as a classify JSON line: raw plain body and raw HTML part."""
    lines = []
    for name in ("ats", "boards", "feedback"):
        for path in sorted((MAIL / name).glob("*.eml")):
            parsed = parse_email(path.read_bytes())
            item = {"id": f"{name}/{path.stem}", "subject": parsed.subject}
            item |= {"from": parsed.from_header, "body": parsed.text, "html": parsed.html}
            lines.append(json.dumps(item, ensure_ascii=False))
    return lines


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.load()


@pytest.fixture(scope="module")
def lines() -> list[str]:
    found = corpus_lines()
    assert len(found) > 4 * CHUNK_LINES  # several chunks, so several workers get work
    return found


def run(analyzer: Analyzer, path: Path, workers: int) -> tuple[list[str], str | None]:
    """Output lines and the error (if any) of classify_jsonl."""
    written: list[str] = []
    try:
        classify_jsonl(analyzer, path, written.append, workers=workers)
    except ConfigError as exc:
        return "".join(written).splitlines(), str(exc)
    return "".join(written).splitlines(), None


# Where recording_classify notes which process classified each chunk (set before forking).
PIDS: list[Path] = []
REAL_CLASSIFY = classify_pool._classify


def recording_classify(chunk: list[tuple[int, str]]) -> ChunkResult:
    """classify_pool._classify, noting the process id (workers run it by name)."""
    with PIDS[0].open("a") as handle:
        handle.write(f"{os.getpid()}\n")
    return REAL_CLASSIFY(chunk)


def test_workers_give_the_serial_output_in_input_order(
    analyzer: Analyzer, lines: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    serial, _ = run(analyzer, path, workers=1)
    PIDS[:] = [tmp_path / "pids"]
    monkeypatch.setattr(classify_pool, "_classify", recording_classify)
    parallel, error = run(analyzer, path, workers=2)
    assert error is None
    assert parallel == serial
    assert [json.loads(line)["id"] for line in parallel] == [json.loads(x)["id"] for x in lines]
    workers = set(PIDS[0].read_text().split())
    # Classified in worker processes (which of the two gets which chunk is the scheduler's).
    assert 1 <= len(workers) <= 2 and str(os.getpid()) not in workers


def test_a_bad_line_ends_the_output_after_every_line_before_it(
    analyzer: Analyzer, lines: list[str], tmp_path: Path
) -> None:
    sample = lines[: 3 * CHUNK_LINES]
    bad = 2 * CHUNK_LINES + 10  # in the third chunk, behind two good ones
    sample[bad - 1] = '{"subject": "no id"}'
    sample.insert(5, "")  # blank lines are skipped but still counted
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(sample) + "\n", encoding="utf-8")
    serial = run(analyzer, path, workers=1)
    parallel = run(analyzer, path, workers=2)
    assert parallel == serial
    output, error = parallel
    assert error is not None and f"line {bad + 1} " in error
    assert len(output) == bad - 1  # every good line before it, none after


def test_a_small_input_stays_in_one_process(
    analyzer: Analyzer, lines: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fork(*args: object) -> None:
        raise AssertionError("a one-chunk input must not start workers")

    monkeypatch.setattr(classify_pool, "_classify_forked", no_fork)
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(lines[:20]) + "\n", encoding="utf-8")
    output, error = run(analyzer, path, workers=4)
    assert error is None
    expected = classify_chunk(analyzer, path, list(enumerate(lines[:20], start=1)))
    assert output == expected.lines


def test_the_command_gives_the_same_bytes_with_any_number_of_workers(
    lines: list[str], tmp_path: Path
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines[: 2 * CHUNK_LINES + 7]) + "\n", encoding="utf-8")
    outputs = []
    for workers in ("1", "2", "3"):
        result = runner.invoke(app, ["classify", "--jsonl", str(path), "--workers", workers])
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(outputs[0].splitlines()) == 2 * CHUNK_LINES + 7


def test_a_line_whose_headers_are_not_an_object_is_named_with_what_would_work(
    tmp_path: Path,
) -> None:
    path = tmp_path / "headers.jsonl"
    good = {"id": "a", "subject": "Hi", "from": "a@b.example", "body": "Hello there."}
    path.write_text(
        json.dumps({**good, "headers": {"Reply-To": "jobs@c.example"}})
        + "\n"
        + json.dumps({**good, "id": "b", "headers": "Reply-To: jobs@c.example"})
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["classify", "--jsonl", str(path)])
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 1  # the good line before it is answered
    assert f'{path} line 2: "headers" must be an object' in result.stderr
    assert "Traceback" not in result.output
