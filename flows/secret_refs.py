"""Where account secrets come from. The database stores only a reference, never the secret."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from bounceback.flows.errors import SecretError


def env_ref(variable: str) -> str:
    """A reference to a secret held in an environment variable."""
    return f"env:{variable}"


def file_ref(path: Path) -> str:
    """A reference to a secret held in a file readable by its owner only."""
    return f"file:{path}"


KEYRING_SERVICE = "bounceback"
#: Set to 1 to accept a keyring backend that keeps passwords in a plain file.
PLAINTEXT_KEYRING_ENV = "BOUNCEBACK_ALLOW_PLAINTEXT_KEYRING"


def keyring_ref(address: str) -> str:
    """A reference to a secret held in the OS keyring under the account's address."""
    return f"keyring:{KEYRING_SERVICE}/{address.lower()}"


def _keyring() -> Any:
    """The keyring module with a working, non-plaintext backend, or a SecretError."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        raise SecretError(
            "the keyring package is not installed; pip install keyring, or keep the password "
            "in an environment variable (--password-env) or a 0600 file (--password-file)"
        ) from None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise SecretError(
            "no OS keyring works here (a headless server?); keep the password in an "
            "environment variable (--password-env) or a 0600 file (--password-file) instead"
        )
    plaintext = (
        type(backend).__module__.startswith("keyrings.alt")
        and "Plaintext" in type(backend).__name__
    )
    if plaintext and os.environ.get(PLAINTEXT_KEYRING_ENV) != "1":
        raise SecretError(
            f"the keyring backend {type(backend).__name__} stores passwords unencrypted; "
            f"set {PLAINTEXT_KEYRING_ENV}=1 to accept that, or use --password-file instead"
        )
    return keyring


def store_in_keyring(address: str, secret: str) -> str:
    """Save the account's secret in the OS keyring; the reference to store instead."""
    ref = keyring_ref(address)
    try:
        _keyring().set_password(KEYRING_SERVICE, address.lower(), secret)
    except SecretError:
        raise
    except Exception as exc:  # backend-specific failures (locked, denied, dbus gone)
        raise SecretError(
            f"the OS keyring refused to store the password ({type(exc).__name__}); unlock "
            "it, or use --password-env / --password-file"
        ) from None
    return ref


def replace_secret(ref: str, value: str) -> None:
    """Overwrite the secret a file or keyring reference points at; SecretError if it cannot be."""
    kind, _, where = ref.partition(":")
    if kind == "file":
        _replace_file(Path(os.path.realpath(where)), value)  # through a symlink, to its target
        return
    if kind == "keyring":
        service, _, user = where.partition("/")
        try:
            _keyring().set_password(service, user, value)
        except SecretError:
            raise
        except Exception as exc:  # backend-specific failures (locked, denied, dbus gone)
            raise SecretError(
                f"the OS keyring refused to store the new secret ({type(exc).__name__}); unlock it"
            ) from None
        return
    raise SecretError(f"bounceback cannot write a secret kept in {kind!r}; update it yourself")


def _replace_file(path: Path, value: str) -> None:
    """Replace the file's content atomically, leaving it readable by its owner only."""
    # Readers see the old file or the new one, never a partial one: the secret goes to a
    # temporary file beside it (same filesystem), reaches the disk, then is renamed over it.
    # Two processes replacing the same file at once: each rename is whole, the last one wins.
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise SecretError(f"cannot write in {path.parent}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)  # mkstemp's mode already; the point of the file
            handle.write(value + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        _remove_quietly(temp)
        raise SecretError(f"cannot replace {path}: {exc.strerror}") from None
    except BaseException:
        _remove_quietly(temp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable, where the OS allows
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def resolve_secret(ref: str) -> str:
    """Read the secret a reference points at; raise SecretError saying how to fix it."""
    kind, _, where = ref.partition(":")
    if kind == "oauth2":  # an access token (an OAuth2Token) from a command or a refresh token
        from bounceback.flows.oauth import access_token

        return access_token(ref)
    if kind == "keyring":
        service, _, user = where.partition("/")
        try:
            value = _keyring().get_password(service, user)
        except SecretError:
            raise
        except Exception as exc:
            raise SecretError(
                f"the OS keyring could not be read ({type(exc).__name__}); unlock it and try again"
            ) from None
        if not value:
            raise SecretError(
                f"the OS keyring holds no password for {user}; run bounceback connect again"
            )
        return value
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
