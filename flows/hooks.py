"""Listeners on the durable steps of a run: what the command line and the tests hang there.

Each durable step (a sync commit, an outbox transition) calls every step listener with
its name once the step's data is safe, and the sync reports progress to every progress
listener. The command line hangs its progress bar here; the crash tests hang a listener
that kills the process, to prove a run resumes after any step with nothing lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

StepListener = Callable[[str], None]
#: Called as (folder name, messages done, messages to fetch) after each committed chunk.
ProgressListener = Callable[[str, int, int], None]

step_listeners: list[StepListener] = []
progress_listeners: list[ProgressListener] = []

L = TypeVar("L")


def durable_step(step: str) -> None:
    """Tell every step listener that `step` has been made durable."""
    for listener in list(step_listeners):
        listener(step)


def progress(folder: str, done: int, total: int) -> None:
    """Tell every progress listener how far the sync of a folder is."""
    for listener in list(progress_listeners):
        listener(folder, done, total)


@contextmanager
def listening(registry: list[L], listener: L) -> Iterator[None]:
    """Add a listener to one of the lists above for the duration of the block."""
    registry.append(listener)
    try:
        yield
    finally:
        registry.remove(listener)
