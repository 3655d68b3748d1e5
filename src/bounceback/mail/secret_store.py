"""Where account secrets are kept: environment, 0600 file, OS keyring or Prefect Secret block.

The database stores only a reference (``env:VAR``, ``file:PATH``, ``keyring:…``,
``prefect-secret:NAME``), never the secret. OAuth2 references are `oauth`'s.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import urllib.parse
from pathlib import Path
from typing import Any, cast

from bounceback.errors import SecretError

PREFECT_SECRET = "prefect-secret"
#: Prefect's server encrypts block secrets with this Fernet key; unset, it keeps one in its DB.
ENCRYPTION_KEY_ENV = "PREFECT_SERVER_ENCRYPTION_KEY"
_MAKE_KEY = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


def env_ref(variable: str) -> str:
    """A reference to a secret held in an environment variable."""
    return f"env:{variable}"


def file_ref(path: Path) -> str:
    """A reference to a secret held in a file readable by its owner only."""
    return f"file:{path}"


def prefect_secret_ref(block_name: str) -> str:
    """A reference to a secret held in a Prefect Secret block (see :func:`_prefect_secret`)."""
    return f"{PREFECT_SECRET}:{block_name}"


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
    if kind == PREFECT_SECRET:
        _save_prefect_secret(where, value)
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


def read_secret(ref: str) -> str:
    """Read the secret a stored reference points at; raise SecretError saying how to fix it."""
    kind, _, where = ref.partition(":")
    if kind == PREFECT_SECRET:
        return _prefect_secret(where)
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


# A Prefect Secret block is encrypted by the Prefect server with a Fernet key. Without
# PREFECT_SERVER_ENCRYPTION_KEY in the server's environment, Prefect generates the key and
# stores it in its own database beside the ciphertext, so whoever can read that database can
# read the password: bounceback accepts a Secret block only where the key comes from outside.


def _check_prefect_server(name: str) -> str:
    """Where the block is read from, for messages; SecretError if the key could be in the DB."""
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    if settings.api.url:  # a separate server: its environment is its operator's (deployments/)
        from prefect._internal.urls import strip_auth_from_url

        return f"the Prefect server at {strip_auth_from_url(settings.api.url)}"
    if not settings.server.ephemeral.enabled:
        raise SecretError(
            f"no Prefect server is configured to read the Secret block {name} from; set "
            "PREFECT_API_URL to your Prefect server's API"
        )
    # Prefect starts a temporary server in a subprocess with this process's environment.
    require_encryption_key(f"the Prefect Secret block {name}")
    return "the temporary Prefect server"


def uses_prefect_secret(ref: str) -> bool:
    """True if the reference, or one inside an oauth2: reference, names a Secret block."""
    return ref.startswith(f"{PREFECT_SECRET}:") or (
        ref.startswith("oauth2:") and f"{PREFECT_SECRET}:" in urllib.parse.unquote(ref)
    )


def require_encryption_key(what: str) -> None:
    """SecretError unless PREFECT_SERVER_ENCRYPTION_KEY holds a Fernet key for a server that
    bounceback starts itself (else Prefect keeps the key in its own database)."""
    key = os.environ.get(ENCRYPTION_KEY_ENV, "")
    if not key:
        raise SecretError(
            f"{what} is refused because {ENCRYPTION_KEY_ENV} is not set, so Prefect would "
            "keep the key that decrypts it in its own database next to it; generate a key "
            f"with {_MAKE_KEY}, keep it outside that database (a 0600 file or your secret "
            f"store) and export it as {ENCRYPTION_KEY_ENV} before running bounceback"
        )
    from cryptography.fernet import Fernet

    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        raise SecretError(
            f"{ENCRYPTION_KEY_ENV} is not a Fernet key (32 url-safe base64-encoded bytes); "
            f"generate one with {_MAKE_KEY}"
        ) from None


def _prefect_secret(name: str) -> str:
    """The text in the Prefect Secret block `name`; SecretError in one sentence otherwise."""
    import httpx
    from prefect.blocks.system import Secret
    from prefect.exceptions import ObjectNotFound

    server = _check_prefect_server(name)
    try:
        # _sync: Prefect's dispatcher would return a coroutine inside an event loop.
        loaded = Secret.load(name, _sync=True)  # type: ignore[call-arg]
        block = cast("Secret[str]", loaded)
    except ValueError as exc:
        if isinstance(exc.__cause__, ObjectNotFound):
            raise _no_such_secret_block(name, server) from None
        raise _prefect_failure(name, server, exc) from None
    except (httpx.HTTPError, RuntimeError, OSError) as exc:
        raise _prefect_failure(name, server, exc) from None
    # Secret.get() would turn a password that looks like JSON ("1234", "true") into a number
    # or a bool: the raw text is the password.
    value = block.value.get_secret_value()
    if not isinstance(value, str) or not value:
        raise SecretError(
            f"the Prefect Secret block {name} holds no text; save the password in it as a string"
        )
    return value


def _save_prefect_secret(name: str, value: str) -> None:
    """Overwrite the value of the Prefect Secret block `name` (a rotated refresh token)."""
    import httpx
    from prefect.blocks.system import Secret

    server = _check_prefect_server(name)
    try:
        secret: Secret[str] = Secret(value=value)  # type: ignore[arg-type]  # it is wrapped
        secret.save(name, overwrite=True, _sync=True)  # type: ignore[call-arg]
    except (httpx.HTTPError, RuntimeError, OSError, ValueError) as exc:
        raise _prefect_failure(name, server, exc) from None


def _no_such_secret_block(name: str, server: str) -> SecretError:
    """Missing, or a block of another type under that name: which one, in a sentence."""
    from prefect.client.orchestration import get_client

    try:
        with get_client(sync_client=True) as client:
            response = client.request(
                "POST",
                "/block_documents/filter",
                json={
                    "block_documents": {"name": {"any_": [name]}},
                    "include_secrets": False,
                    "limit": 1,
                },
            )
            response.raise_for_status()
            other = [doc["block_type"]["slug"] for doc in response.json()]
    except Exception:  # only to word the message better; the block is missing either way
        other = []
    if other:
        return SecretError(
            f"the Prefect block {name} on {server} is a {other[0]} block, not a Secret; "
            f"save the password in a Secret block and connect with its name"
        )
    return SecretError(
        f"{server} has no Secret block named {name}; create it (Secret(value=...).save({name!r}) "
        "in Python, or in the Prefect UI) or connect again with the right name"
    )


def _prefect_failure(name: str, server: str, exc: Exception) -> SecretError:
    """One sentence for a Prefect server that failed: unreachable, refusing, or erring."""
    import httpx

    if isinstance(exc, httpx.HTTPStatusError):
        status = exc.response.status_code
        if status in (401, 403):
            return SecretError(
                f"{server} refused to give the Secret block {name} (HTTP {status}); set "
                "PREFECT_API_AUTH_STRING (or PREFECT_API_KEY) to credentials it accepts"
            )
        return SecretError(
            f"{server} failed to read the Secret block {name} (HTTP {status}); if the block was "
            f"saved under another {ENCRYPTION_KEY_ENV}, save it again, else see the server's log"
        )
    if isinstance(exc, httpx.TransportError | RuntimeError | OSError):
        return SecretError(
            f"{server} could not be reached to read the Secret block {name} "
            f"({type(exc).__name__}); start it, or check PREFECT_API_URL"
        )
    return SecretError(  # the type only: a message could quote what the server sent
        f"the Secret block {name} on {server} could not be used ({type(exc).__name__}); "
        "save it again with the password as its value"
    )
