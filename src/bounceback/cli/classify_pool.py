"""`bounceback classify --jsonl` over several processes, output in input order.

The input is cut into chunks of lines. A large input is classified by worker processes
forked after the models are loaded, so they start in milliseconds and share the loaded
models; each classifies whole chunks and the parent writes their output in input order.
A small input (one chunk), ``--workers 1`` and platforms without ``fork`` stay in one
process. Every chunk is classified by the same function either way, and the analyser
treats every email on its own, so the output is the same byte for byte.

A bad line stops the run after the output of every line before it, with the same
one-line error naming its line number, whichever process read it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import TYPE_CHECKING

from bounceback.cli.classify import ChunkResult, classify_chunk, numbered_lines
from bounceback.errors import ConfigError

if TYPE_CHECKING:
    from bounceback.flows.analyse import TextAnalyzer

__all__ = ["CHUNK_LINES", "MAX_WORKERS", "classify_jsonl", "default_workers"]

#: Lines per chunk: one analyser batch, big enough that passing it to a worker is cheap.
CHUNK_LINES = 256
#: Workers at most when the count is chosen automatically (each holds its own caches).
MAX_WORKERS = 4

Chunk = list[tuple[int, str]]
# What a forked worker classifies with: set in the parent just before forking.
_job: tuple[TextAnalyzer, Path] | None = None


def default_workers() -> int:
    """One worker per core this process may run on, up to :data:`MAX_WORKERS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def classify_jsonl(
    analyzer: TextAnalyzer, path: Path, write: Callable[[str], object], *, workers: int
) -> None:
    """Classify a JSON-lines file (``-``: stdin) and ``write`` one JSON line per email."""
    chunks = _chunks(numbered_lines(path))
    head = list(islice(chunks, 2))
    chunks = chain(head, chunks)
    if len(head) < 2 or workers <= 1 or not _can_fork():
        for chunk in chunks:
            _emit(classify_chunk(analyzer, path, chunk), write)
        return
    _classify_forked(analyzer, path, chunks, write, workers)


def _chunks(lines: Iterable[tuple[int, str]]) -> Iterator[Chunk]:
    iterator = iter(lines)
    while chunk := list(islice(iterator, CHUNK_LINES)):
        yield chunk


def _can_fork() -> bool:
    # macOS lists fork, but system libraries there are not safe to use after it.
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"


def _emit(result: ChunkResult, write: Callable[[str], object]) -> None:
    if result.lines:
        write("\n".join(result.lines) + "\n")
    if result.error is not None:
        raise ConfigError(result.error)


def _classify_forked(
    analyzer: TextAnalyzer,
    path: Path,
    chunks: Iterator[Chunk],
    write: Callable[[str], object],
    workers: int,
) -> None:
    """Classify chunks in forked workers, a few chunks ahead, writing in input order."""
    global _job
    # Output still buffered at the fork would be written again by every worker.
    sys.stdout.flush()
    _job = (analyzer, path)
    pending: deque[AsyncResult[ChunkResult]] = deque()
    errors: list[ConfigError] = []
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_quiet) as pool:
            for chunk in _until_unreadable(chunks, errors):
                pending.append(pool.apply_async(_classify, (chunk,)))
                if len(pending) > 2 * workers:  # bounded: memory stays flat
                    _emit(pending.popleft().get(), write)
            while pending:
                _emit(pending.popleft().get(), write)
    finally:
        _job = None
    if errors:  # the input stopped being readable: what was read before is written first
        raise errors[0]


def _until_unreadable(chunks: Iterator[Chunk], errors: list[ConfigError]) -> Iterator[Chunk]:
    """The chunks, ending quietly at a reading error, which is kept in ``errors``."""
    try:
        yield from chunks
    except ConfigError as exc:
        errors.append(exc)


def _quiet() -> None:
    """Worker start-up: never write to the parent's stdout, leave Ctrl-C to the parent.

    The parent turns Ctrl-C into its one-line message and ends the workers; a worker
    interrupted itself would print a traceback.
    """
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _classify(chunk: Chunk) -> ChunkResult:
    assert _job is not None, "classify workers are forked after the job is set"
    analyzer, path = _job
    return classify_chunk(analyzer, path, chunk)
