"""OAuth2 access tokens for XOAUTH2 logins: from a token command or a refresh-token exchange.

The database keeps only an `oauth2:` reference (the command, or the provider, client id and
where the client secret and refresh token live). Access tokens live in memory until they
expire and are never logged or stored.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

from bounceback.flows.errors import ConfigError, MailServerError, SecretError

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
        cached = _cache.get(ref)
        if cached and cached[1] > time.monotonic():
            return OAuth2Token(cached[0])
        token, lifetime = refresh(fields)
        _cache[ref] = (token, time.monotonic() + max(lifetime - 60.0, 0.0))
        return OAuth2Token(token)
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


def refresh(fields: dict[str, str]) -> tuple[str, float]:
    """Exchange the refresh token for an access token; returns it and its lifetime in seconds."""
    from bounceback.flows.secret_refs import resolve_secret

    provider = fields["provider"]
    form = {
        "grant_type": "refresh_token",
        "client_id": fields["client_id"],
        "refresh_token": resolve_secret(fields["refresh_token"]),
    }
    if fields.get("client_secret"):
        form["client_secret"] = resolve_secret(fields["client_secret"])
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
    return token, lifetime


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
