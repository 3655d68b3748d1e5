"""`bounceback connect`: verify a mailbox's IMAP and SMTP, then save it."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bounceback.cli.connect_options import (
    AllowInsecureLoopbackOption,
    ConnectOptions,
    DigestToOption,
    FolderOption,
    ImapHostOption,
    ImapPortOption,
    ImapSecurityOption,
    JsonOutputOption,
    Oauth2ClientIdOption,
    Oauth2ClientSecretEnvOption,
    Oauth2ClientSecretFileOption,
    Oauth2ClientSecretPrefectSecretOption,
    Oauth2ProviderOption,
    Oauth2RefreshTokenEnvOption,
    Oauth2RefreshTokenFileOption,
    Oauth2RefreshTokenPrefectSecretOption,
    Oauth2TokenCommandOption,
    PasswordEnvOption,
    PasswordFileOption,
    PasswordPrefectSecretOption,
    SmtpHostOption,
    SmtpPortOption,
    SmtpSecurityOption,
    TimezoneOption,
    UseKeyringOption,
    UsernameOption,
    YesOption,
)
from bounceback.cli.output import _sessions, out
from bounceback.errors import ConfigError
from bounceback.settings import load_settings

if TYPE_CHECKING:
    from bounceback.account.connect import ConnectRequest


@dataclass(frozen=True, slots=True)
class Sources:
    """Where the password or OAuth2 secrets live, as the options gave them."""

    password_env: str | None = None
    password_file: Path | None = None
    password_prefect_secret: str | None = None
    keyring: bool = False
    oauth_ref: str | None = None

    def password_sources(self) -> list[str]:
        given = [
            ("--password-env", self.password_env),
            ("--password-file", self.password_file),
            ("--password-prefect-secret", self.password_prefect_secret),
        ]
        return [name for name, value in given if value]


def connect(
    address: Annotated[str, typer.Argument(metavar="ADDRESS", help="Your email address.")],
    imap_host: ImapHostOption = None,
    imap_port: ImapPortOption = None,
    imap_security: ImapSecurityOption = None,
    smtp_host: SmtpHostOption = None,
    smtp_port: SmtpPortOption = None,
    smtp_security: SmtpSecurityOption = None,
    username: UsernameOption = None,
    password_env: PasswordEnvOption = None,
    password_file: PasswordFileOption = None,
    password_prefect_secret: PasswordPrefectSecretOption = None,
    digest_to: DigestToOption = None,
    folder: FolderOption = None,
    timezone: TimezoneOption = "UTC",
    allow_insecure_loopback: AllowInsecureLoopbackOption = False,
    use_keyring: UseKeyringOption = False,
    yes: YesOption = False,
    oauth2_token_command: Oauth2TokenCommandOption = None,
    oauth2_client_id: Oauth2ClientIdOption = None,
    oauth2_provider: Oauth2ProviderOption = None,
    oauth2_refresh_token_env: Oauth2RefreshTokenEnvOption = None,
    oauth2_refresh_token_file: Oauth2RefreshTokenFileOption = None,
    oauth2_refresh_token_prefect_secret: Oauth2RefreshTokenPrefectSecretOption = None,
    oauth2_client_secret_env: Oauth2ClientSecretEnvOption = None,
    oauth2_client_secret_file: Oauth2ClientSecretFileOption = None,
    oauth2_client_secret_prefect_secret: Oauth2ClientSecretPrefectSecretOption = None,
    json_output: JsonOutputOption = False,
) -> None:
    """Connect a mailbox: verifies the IMAP login and SMTP before saving anything.

    The password is never stored by bounceback: give the environment variable or the
    file that holds it, and keep it there.
    """
    # Every parameter above as one value the steps share (typer needs them spelt out).
    _connect(ConnectOptions(**locals()))


def _connect(given: ConnectOptions) -> None:
    """Check the options, ask for what is missing, verify the servers, save the account."""
    from bounceback.account.connect import (
        ConnectRequest,
        ServerChoice,
        check_address,
        connect_account,
        endpoints_for,
    )
    from bounceback.account.schedule import parse_timezone
    from bounceback.mail.credentials import resolve_secret
    from bounceback.mail.providers import preset_for

    address = check_address(given.address)
    yes = given.yes or not sys.stdin.isatty()  # nobody to ask: fail on what is missing instead
    preset = preset_for(address)
    sources = _sources(given, preset.oauth2 if preset else "")
    imap_host = given.imap_host
    if imap_host is None and preset is None and not yes:
        imap_host = typer.prompt("IMAP server host")
    imap_security, smtp_security = given.imap_security, given.smtp_security
    imap, smtp = endpoints_for(
        address,
        ServerChoice(imap_host, given.imap_port, imap_security and imap_security.value),
        ServerChoice(given.smtp_host, given.smtp_port, smtp_security and smtp_security.value),
        username=given.username,
        allow_insecure_loopback=given.allow_insecure_loopback,
    )
    digest_to = given.digest_to
    request = ConnectRequest(
        address=address,
        imap=imap,
        smtp=smtp,
        secret_ref=_secret_ref(address, sources, yes=yes),
        digest_to=check_address(digest_to, "address for the digest") if digest_to else address,
        folders=tuple(_folders(given.folder)),
        timezone=parse_timezone(given.timezone),
    )
    settings = load_settings()
    secret = resolve_secret(request.secret_ref)
    result = connect_account(request, secret, sessions=_sessions(settings))
    _report(request, result.smtp_auth, json_output=given.json_output)


def _sources(given: ConnectOptions, preset_oauth2: str) -> Sources:
    """Where the secrets live, from the password and OAuth2 options."""
    provider = given.oauth2_provider
    return Sources(
        given.password_env,
        given.password_file,
        given.password_prefect_secret,
        given.use_keyring,
        _oauth2_ref(
            preset_oauth2,
            given.oauth2_token_command,
            given.oauth2_client_id,
            provider and provider.value,
            (given.oauth2_refresh_token_env, given.oauth2_refresh_token_file),
            (given.oauth2_client_secret_env, given.oauth2_client_secret_file),
            blocks=(
                given.oauth2_refresh_token_prefect_secret,
                given.oauth2_client_secret_prefect_secret,
            ),
        ),
    )


def _folders(given: list[str] | None) -> list[str]:
    folders = [name.strip() for name in (given or ["INBOX"])]
    if any(not name for name in folders):
        raise ConfigError("a --folder name cannot be empty; give e.g. --folder INBOX")
    return list(dict.fromkeys(folders))


def _secret_ref(address: str, sources: Sources, *, yes: bool) -> str:
    """The reference to store for the account's secret, asking for what is missing."""
    from bounceback.mail.credentials import resolve_secret
    from bounceback.mail.secret_store import (
        env_ref,
        file_ref,
        prefect_secret_ref,
        store_in_keyring,
    )

    given = sources.password_sources()
    if sources.oauth_ref and (given or sources.keyring):
        raise ConfigError("give either a password source or OAuth2 options, not both")
    if len(given) > 1:
        raise ConfigError(f"give one password source, not {' and '.join(given)}")
    if sources.oauth_ref:
        return sources.oauth_ref
    if sources.password_prefect_secret:
        if sources.keyring:
            raise ConfigError("--keyring takes the password from --password-env, not a block")
        return prefect_secret_ref(sources.password_prefect_secret)
    if sources.password_file is not None and not sources.keyring:
        return file_ref(sources.password_file.expanduser().resolve())
    variable = sources.password_env
    if sources.keyring:
        if variable is None and yes:
            raise ConfigError("with --keyring and --yes, give the password in --password-env")
        secret = (
            resolve_secret(env_ref(variable))
            if variable
            else typer.prompt("Mail password (kept in the OS keyring)", hide_input=True)
        )
        return store_in_keyring(address, secret)
    if variable is None:
        if yes:
            raise ConfigError(
                "say where the password is: --password-env VAR, --password-file PATH, "
                "--keyring or the OAuth2 options"
            )
        variable = typer.prompt("Environment variable that holds the password")
    return env_ref(variable)


def _report(request: ConnectRequest, smtp_auth: bool, *, json_output: bool) -> None:
    if json_output:
        print(
            json.dumps(
                {
                    "address": request.address,
                    "imap": f"{request.imap.host}:{request.imap.port}",
                    "smtp": f"{request.smtp.host}:{request.smtp.port}",
                    "folders": list(request.folders),
                    "smtp_auth": smtp_auth,
                    "timezone": request.timezone,
                }
            )
        )
        return
    out.print(
        f"connected {request.address}: IMAP login and SMTP verified; "
        f"watching {', '.join(request.folders)}",
        markup=False,
    )
    if not smtp_auth:
        out.print(
            "note: the SMTP server offered no AUTH; digests go out unauthenticated (a local relay?)"
        )


def _oauth2_ref(
    preset_provider: str,
    command: str | None,
    client_id: str | None,
    provider: str | None,
    refresh_token: tuple[str | None, Path | None],
    client_secret: tuple[str | None, Path | None],
    blocks: tuple[str | None, str | None] = (None, None),
) -> str | None:
    """The `oauth2:` secret reference the OAuth2 options describe, or None without them."""
    from bounceback.mail.oauth import command_ref, refresh_ref
    from bounceback.mail.secret_store import env_ref, file_ref, prefect_secret_ref

    def one_ref(source: tuple[str | None, Path | None], block: str | None) -> str | None:
        env, path = source
        if block:  # a Prefect Secret block (refresh_token and client_secret, in that order)
            return prefect_secret_ref(block)
        return env_ref(env) if env else (file_ref(path) if path else None)

    token_ref, secret_ref = one_ref(refresh_token, blocks[0]), one_ref(client_secret, blocks[1])
    if command and (client_id or token_ref or secret_ref):
        raise ConfigError("give --oauth2-token-command or --oauth2-client-id, not both")
    if command:
        return command_ref(command)
    if client_id is None:
        if token_ref or secret_ref or provider:
            raise ConfigError("the OAuth2 refresh-token options need --oauth2-client-id")
        return None
    if token_ref is None:
        raise ConfigError(
            "with --oauth2-client-id, say where the refresh token is: "
            "--oauth2-refresh-token-env VAR, --oauth2-refresh-token-file PATH or "
            "--oauth2-refresh-token-prefect-secret BLOCK"
        )
    chosen = provider or preset_provider
    if not chosen:
        raise ConfigError("say whose OAuth2 this is: --oauth2-provider google or microsoft")
    return refresh_ref(chosen, client_id, token_ref, secret_ref)
