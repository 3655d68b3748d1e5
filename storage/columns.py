"""Column types for mail-derived values: whatever a sender put there, it fits and it stores.

Anyone who can email the user chooses the Message-ID, the From name, the subject. The
database has limits (PostgreSQL enforces VARCHAR lengths, rejects NUL characters and
cannot encode lone surrogates), so every mail-derived column uses one of these types and
each value is made safe in one place, on its way to the database, for inserts, updates
and the values of comparisons alike:

- `FittedString(n)` cuts a longer value to n characters, ending in `CUT_MARK`;
- `KeyString(n)` replaces a longer value with `KEY_PREFIX` and its SHA-256, so a value
  used as a key (a Message-ID, a de-duplication key) stays distinct and is found again
  by the same long value;
- `SafeText` is unbounded text with the characters PostgreSQL refuses replaced.
"""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

#: Ends a value cut to fit its column.
CUT_MARK = "…[cut]"
#: Starts a key too long for its column, followed by the SHA-256 of the whole value.
KEY_PREFIX = "sha256:"
#: NUL (PostgreSQL refuses it in text) and lone surrogates (left by undecodable bytes).
_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def clean_text(value: str) -> str:
    """The value with NUL and lone surrogates replaced by U+FFFD (the replacement character)."""
    return _UNSAFE.sub("\ufffd", value) if _UNSAFE.search(value) else value


def fit_text(value: str | None, limit: int) -> str | None:
    """The value, cleaned, and cut to limit characters with `CUT_MARK` when longer."""
    if value is None:
        return None
    value = clean_text(value)
    if len(value) <= limit:
        return value
    return value[: max(0, limit - len(CUT_MARK))] + CUT_MARK


def fit_key(value: str | None, limit: int) -> str | None:
    """The value, cleaned; a longer one becomes `KEY_PREFIX` and its SHA-256 (71 characters)."""
    if value is None:
        return None
    value = clean_text(value)
    if len(value) <= limit:
        return value
    return KEY_PREFIX + hashlib.sha256(value.encode("utf-8")).hexdigest()


class _LimitedString(TypeDecorator[str]):
    """VARCHAR(n) whose bound values go through `fit` so they never exceed n."""

    impl = String
    cache_ok = True

    def __init__(self, length: int) -> None:
        super().__init__(length)
        self.limit = length

    def fit(self, value: str | None) -> str | None:
        raise NotImplementedError

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return self.fit(value)


class FittedString(_LimitedString):
    """VARCHAR(n) for display values from mail: a longer value is cut, with a marker."""

    cache_ok = True  # SQLAlchemy asks each subclass again

    def fit(self, value: str | None) -> str | None:
        return fit_text(value, self.limit)


class KeyString(_LimitedString):
    """VARCHAR(n) for keys from mail: a longer value is stored (and looked up) as its hash."""

    cache_ok = True  # SQLAlchemy asks each subclass again

    def fit(self, value: str | None) -> str | None:
        return fit_key(value, self.limit)


class SafeText(TypeDecorator[str]):
    """TEXT for mail-derived text: NUL and lone surrogates replaced, nothing cut."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else clean_text(value)
