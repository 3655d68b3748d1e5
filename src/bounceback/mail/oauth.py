"""OAuth2 access tokens for XOAUTH2 logins: from a token command or a refresh-token exchange.

The database keeps only an `oauth2:` reference (the command, or the provider, client id and
where the client secret and refresh token live). Access tokens live in memory until they
expire and are never logged or stored. When the provider rotates the refresh token (Microsoft
does on every exchange), the new one is written back to its file or keyring entry, or, for an
environment variable, kept in memory for the rest of the process.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from bounceback.errors import ConfigError, MailServerError, SecretError
from bounceback.mail.secret_store import read_secret, replace_secret

log = logging.getLogger(__name__)

PREFIX = "oauth2:"
#: Token endpoints of the providers bounceback knows.
TOKEN_ENDPOINTS = {
    "google": "https://oauth2.googleapis.com/token",
    "microsoft": "https://login.microsoftonline.com/common/oauth2/v2.0/token",
}
#: Scopes asked for on refresh (Google keeps the scopes of the original grant).
SCOPES = {
    "microsoft": "https://outlook.office.com/IMAP.AccessAsUser.All "
    "https://outlook.office.com/SMTP.Send offline_access",
}
#: For tests only: send refresh-token exchanges to this URL instead of the provider's.
TOKEN_URL_ENV = "BOUNCEBACK_OAUTH2_TOKEN_URL_FOR_TESTS"
COMMAND_TIMEOUT = 60.0
_MAX_REF = 400  # the width of accounts.secret_ref
_cache: dict[str, tuple[str, float]] = {}
#: Rotated refresh tokens by the reference of their source: (what the source held after the
#: rotation, the newest token). The newest is used while the source still holds that value.
_rotated: dict[str, tuple[str, str]] = {}
_warned_env: set[str] = set()
#: One exchange at a time in a process, so two threads never spend the same refresh token.
_exchange_lock = threading.Lock()


class OAuth2Token(str):
    """An access token (a str, so it travels where a password does); logins use XOAUTH2."""

    def __repr__(self) -> str:
        return "OAuth2Token(...)"


def is_oauth2_ref(ref: str) -> bool:
    """True if the secret reference names an OAuth2 token source."""
    return ref.startswith(PREFIX)


def _ref(fields: dict[str, str]) -> str:
    ref = PREFIX + urllib.parse.urlencode(fields)
    if len(ref) > _MAX_REF:
        raise ConfigError(
            "the OAuth2 settings are too long to keep; wrap the token command in a short script"
        )
    return ref


def command_ref(command: str) -> str:
    """A reference to a token command (run without a shell; its first output line is the token)."""
    if not shlex.split(command):
        raise ConfigError("the OAuth2 token command is empty; give the command that prints a token")
    return _ref({"command": command})


def refresh_ref(
    provider: str, client_id: str, refresh_token_ref: str, client_secret_ref: str | None = None
) -> str:
    """A reference to a refresh-token exchange with the user's own client id."""
    if provider not in TOKEN_ENDPOINTS:
        raise ConfigError(
            f"OAuth2 refresh is available for {' and '.join(TOKEN_ENDPOINTS)}, not {provider!r}; "
            "use --oauth2-token-command for other providers"
        )
    fields = {"provider": provider, "client_id": client_id, "refresh_token": refresh_token_ref}
    if client_secret_ref:
        fields["client_secret"] = client_secret_ref
    return _ref(fields)


def access_token(ref: str) -> OAuth2Token:
    """A current access token for the reference; cached in memory until shortly before expiry."""
    fields = dict(urllib.parse.parse_qsl(ref.removeprefix(PREFIX)))
    if "command" in fields:
        return OAuth2Token(run_token_command(fields["command"]))
    if {"provider", "client_id", "refresh_token"} <= fields.keys():
        with _exchange_lock:
            cached = _cache.get(ref)
            if cached and cached[1] > time.monotonic():
                return OAuth2Token(cached[0])
            grant = _exchange(fields)
            _cache[ref] = (grant.access_token, time.monotonic() + max(grant.lifetime - 60.0, 0.0))
        return OAuth2Token(grant.access_token)
    raise SecretError("the account's OAuth2 reference is incomplete; run bounceback connect again")


def run_token_command(command: str) -> str:
    """Run the command without a shell; its first stdout line is the access token."""
    argv = shlex.split(command)
    shown = shlex.join(argv)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise SecretError(
            f"the OAuth2 token command {argv[0]!r} was not found; check its path"
        ) from None
    except subprocess.TimeoutExpired:
        raise SecretError(
            f"the OAuth2 token command {shown!r} gave no token within {COMMAND_TIMEOUT:g} s; "
            "run it yourself to see what it waits for"
        ) from None
    except OSError as exc:
        raise SecretError(f"the OAuth2 token command could not run: {exc.strerror}") from None
    if done.returncode != 0:
        raise SecretError(
            f"the OAuth2 token command {shown!r} failed with exit status {done.returncode}; "
            "run it yourself to see why (it may need you to re-authorise)"
        )
    lines = done.stdout.strip().splitlines()
    token = lines[0].strip() if lines else ""
    if not token:
        raise SecretError(
            f"the OAuth2 token command {shown!r} printed nothing; it must print the access "
            "token on its first line"
        )
    return token


@dataclass(frozen=True)
class Grant:
    """What a refresh-token exchange returned (its repr hides the tokens)."""

    access_token: str = field(repr=False)
    lifetime: float  # seconds
    refresh_token: str | None = field(default=None, repr=False)  # a rotated one, if sent


def _exchange(fields: dict[str, str]) -> Grant:
    """Refresh with the newest refresh token known, and keep the one the provider rotates in."""
    source = fields["refresh_token"]
    stored = read_secret(source)
    # A source that changed since our rotation (another process rotated it, or the user stored
    # a fresh token) is newer than what this process remembers. Two processes rotating at
    # once each save their own token whole; the last writer's stays, and the other process
    # switches to it at its next exchange, since the file no longer holds what it wrote.
    rotated = _rotated.get(source)
    current = rotated[1] if rotated and rotated[0] == stored else stored
    grant = refresh(fields, current)
    if grant.refresh_token and grant.refresh_token != current:
        saved = _save_rotated(fields["provider"], source, grant.refresh_token)
        _rotated[source] = (grant.refresh_token if saved else stored, grant.refresh_token)
    return grant


def _save_rotated(provider: str, source: str, token: str) -> bool:
    """Write a rotated refresh token back to its source; False, after a warning, if it can't be."""
    kind, _, where = source.partition(":")
    if kind == "env":
        if where not in _warned_env:
            _warned_env.add(where)
            log.warning(
                "the %s token endpoint sent a new refresh token, and bounceback cannot update "
                "the environment variable %s: it uses the new token until this process ends, "
                "so before the old one stops working set %s to a freshly authorised refresh "
                "token, or keep it in a file (--oauth2-refresh-token-file) that bounceback "
                "can update",
                provider,
                where,
                where,
            )
        return False
    try:
        replace_secret(source, token)
    except SecretError as exc:  # its message names the place, never the token
        log.warning(
            "the %s token endpoint sent a new refresh token that could not be saved (%s): "
            "bounceback uses it until this process ends, so make that place writable for "
            "bounceback, and if the saved token stops working, re-authorise and store a fresh "
            "refresh token there",
            provider,
            exc,
        )
        return False
    log.debug("saved the refresh token %s rotated", provider)
    return True


def refresh(fields: dict[str, str], refresh_token: str) -> Grant:
    """Exchange the refresh token at the provider's token endpoint for an access token."""
    provider = fields["provider"]
    form = {
        "grant_type": "refresh_token",
        "client_id": fields["client_id"],
        "refresh_token": refresh_token,
    }
    if fields.get("client_secret"):
        form["client_secret"] = read_secret(fields["client_secret"])
    if provider in SCOPES:
        form["scope"] = SCOPES[provider]
    url = os.environ.get(TOKEN_URL_ENV) or TOKEN_ENDPOINTS[provider]
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        reason = _error_code(exc)
        if exc.code in (400, 401):
            raise SecretError(
                f"the {provider} token endpoint refused the refresh token ({reason}): it may be "
                "expired or revoked, or the client id may be wrong; re-authorise and store a "
                "new refresh token, then run bounceback connect again"
            ) from None
        raise MailServerError(
            f"the {provider} token endpoint answered {exc.code} ({reason}); try again later"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        raise MailServerError(
            f"the {provider} token endpoint could not be reached ({exc}); try again later"
        ) from None
    except ValueError:
        raise MailServerError(f"the {provider} token endpoint sent no valid JSON") from None
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise MailServerError(f"the {provider} token endpoint sent no access token")
    try:
        lifetime = float(body.get("expires_in", 3600))
    except (TypeError, ValueError):
        lifetime = 3600.0
    rotated = body.get("refresh_token")
    return Grant(token, lifetime, rotated if isinstance(rotated, str) and rotated else None)


def _error_code(exc: urllib.error.HTTPError) -> str:
    """The OAuth2 `error` field of a refusal (never the body, which may echo secrets)."""
    try:
        code = json.loads(exc.read().decode("utf-8")).get("error")
    except (ValueError, AttributeError, OSError):
        code = None
    return code if isinstance(code, str) and code.isidentifier() else f"HTTP {exc.code}"


def refused(kind: str, where: str, username: str) -> str:
    """The sentence for a server that refused an XOAUTH2 login."""
    return (
        f"the {kind} server {where} refused the login for {username}: the OAuth2 token was "
        "refused: it may be expired or revoked; run your token command yourself to check "
        "it, or re-authorise bounceback with the provider, then try again"
    )


def xoauth2_string(username: str, token: str) -> str:
    """The XOAUTH2 initial client response (before base64)."""
    return f"user={username}\x01auth=Bearer {token}\x01\x01"
