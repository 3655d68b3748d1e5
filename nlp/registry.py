"""Which trained model to use: the newest accepted one under a models folder, else the shipped.

`bounceback train` writes each new model into its own folder under the install's models
folder and, only if it scores at least as well, names it in the ``ACCEPTED`` file. Readers
load the model that file names, once per process.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

from bounceback.nlp.analyzer import Analyzer

#: File in the models folder naming the folder of the newest accepted model.
MODEL_POINTER = "ACCEPTED"

# Flows analyse several accounts at once in threads: loading the models twice wastes
# seconds and memory, so the first load is serialised.
_LOAD_LOCK = threading.Lock()


def _usable(path: Path) -> bool:
    return (path / "labels").is_dir() and (path / "gaps").is_dir()


def accepted_model_dir(models_dir: Path) -> Path | None:
    """The newest accepted model trained on this install, or None for the shipped one.

    The result is a resolved path, so a newly accepted model is a new cache key for
    :func:`load_analyzer` and long-running processes pick it up.
    """
    pointer = models_dir / MODEL_POINTER
    if pointer.is_file():
        name = pointer.read_text(encoding="utf-8").strip()
        chosen = models_dir / name
        if name and "/" not in name and "\\" not in name and _usable(chosen):
            return chosen.resolve()
    current = models_dir / "current"
    return current.resolve() if _usable(current) else None


def load_analyzer(model_dir: Path | None) -> Analyzer:
    """The analyser for model_dir (None: the shipped model), loaded once per process."""
    with _LOAD_LOCK:
        return _load(model_dir)


@functools.cache
def _load(model_dir: Path | None) -> Analyzer:
    return Analyzer.load(model_dir)
