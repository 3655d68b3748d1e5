"""Where account secrets come from. The database stores only a reference, never the secret."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bounceback.flows.errors import SecretError


def env_ref(variable: str) -> str:
    """A reference to a secret held in an environment variable."""
    return f"env:{variable}"


def file_ref(path: Path) -> str:
    """A reference to a secret held in a file readable by its owner only."""
    return f"file:{path}"


def resolve_secret(ref: str) -> str:
    """Read the secret a reference points at; raise SecretError saying how to fix it."""
    kind, _, where = ref.partition(":")
    if kind == "env":
        value = os.environ.get(where)
        if not value:
            raise SecretError(
                f"the environment variable {where} holding the mail password is not set; "
                f"export it before running bounceback"
            )
        return value
    if kind == "file":
        path = Path(where)
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            raise SecretError(f"cannot read the secret file {path}: {exc.strerror}") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise SecretError(
                f"the secret file {path} is readable by other users; run chmod 600 {path}"
            )
        return path.read_text(encoding="utf-8").strip()
    raise SecretError(f"unknown secret reference kind {kind!r}; reconnect the account")
