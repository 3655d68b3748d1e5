"""A progress bar per folder while a poll runs in this process (a listener on the sync)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from bounceback.flows import hooks


@contextmanager
def progress_bar(console: Console, *, enabled: bool = True) -> Iterator[None]:
    """Show a progress bar per folder on console while syncs run in this process."""
    if not enabled:
        yield
        return
    bars: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console
    ) as shown:

        def update(folder: str, done: int, total: int) -> None:
            if folder not in bars:
                bars[folder] = shown.add_task(f"fetching {folder}", total=total)
            shown.update(bars[folder], completed=done, total=total)

        with hooks.listening(hooks.progress_listeners, update):
            yield
