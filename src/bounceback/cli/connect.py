"""`bounceback connect`: verify a mailbox's IMAP and SMTP, then save it."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bounceback.cli.output import _sessions, out
from bounceback.errors import ConfigError
from bounceback.settings import load_settings

if TYPE_CHECKING:
    from bounceback.account.connect import ConnectRequest


class Security(StrEnum):
    """How a server is reached."""

    ssl = "ssl"
    starttls = "starttls"
    none = "none"


class OAuthProvider(StrEnum):
    """Whose OAuth2 token endpoint a client id belongs to."""

    google = "google"
    microsoft = "microsoft"


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


# One alias per option keeps the command's signature short; help text lives here.
ImapHostOption = Annotated[
    str | None,
    typer.Option(metavar="HOST", help="IMAP server; default from the provider preset."),
]
ImapPortOption = Annotated[
    int | None,
    typer.Option(metavar="PORT", help="IMAP port (993 for ssl, 143 for starttls)."),
]
ImapSecurityOption = Annotated[Security | None, typer.Option(help="How to reach IMAP.")]
SmtpHostOption = Annotated[
    str | None, typer.Option(metavar="HOST", help="SMTP server for the digest.")
]
SmtpPortOption = Annotated[
    int | None,
    typer.Option(metavar="PORT", help="SMTP port (465 for ssl, 587 for starttls)."),
]
SmtpSecurityOption = Annotated[Security | None, typer.Option(help="How to reach SMTP.")]
UsernameOption = Annotated[
    str | None, typer.Option(metavar="NAME", help="Login name; default: the address.")
]
PasswordEnvOption = Annotated[
    str | None,
    typer.Option(metavar="VAR", help="Environment variable holding the password."),
]
PasswordFileOption = Annotated[
    Path | None, typer.Option(metavar="PATH", help="File (mode 600) holding the password.")
]
PasswordPrefectSecretOption = Annotated[
    str | None,
    typer.Option(
        metavar="BLOCK",
        help="Prefect Secret block holding the password (needs "
        "PREFECT_SERVER_ENCRYPTION_KEY kept outside Prefect's database; see the README).",
    ),
]
DigestToOption = Annotated[
    str | None,
    typer.Option(metavar="ADDRESS", help="Where to send the digest; default: the address."),
]
FolderOption = Annotated[
    list[str] | None,
    typer.Option(metavar="NAME", help="Folder to watch (repeatable); default INBOX."),
]
TimezoneOption = Annotated[
    str, typer.Option(metavar="ZONE", help="Your time zone, e.g. Europe/London.")
]
AllowInsecureLoopbackOption = Annotated[
    bool,
    typer.Option("--allow-insecure-loopback", help="Allow security 'none' to a loopback host."),
]
UseKeyringOption = Annotated[
    bool,
    typer.Option(
        "--keyring",
        help="Keep the password in the OS keyring (read from --password-env, else asked).",
    ),
]
YesOption = Annotated[bool, typer.Option("--yes", help="Do not ask; fail if something is missing.")]
Oauth2TokenCommandOption = Annotated[
    str | None,
    typer.Option(metavar="COMMAND", help="OAuth2 (XOAUTH2): a command printing an access token."),
]
Oauth2ClientIdOption = Annotated[
    str | None,
    typer.Option(metavar="ID", help="OAuth2 for Google or Microsoft: your own client id."),
]
Oauth2ProviderOption = Annotated[
    OAuthProvider | None,
    typer.Option(help="Whose OAuth2; default from the provider preset."),
]
Oauth2RefreshTokenEnvOption = Annotated[
    str | None, typer.Option(metavar="VAR", help="Variable holding the refresh token.")
]
Oauth2RefreshTokenFileOption = Annotated[
    Path | None, typer.Option(metavar="PATH", help="File (600) holding the refresh token.")
]
Oauth2RefreshTokenPrefectSecretOption = Annotated[
    str | None,
    typer.Option(metavar="BLOCK", help="Prefect Secret block holding the refresh token."),
]
Oauth2ClientSecretEnvOption = Annotated[
    str | None, typer.Option(metavar="VAR", help="Variable holding the client secret.")
]
Oauth2ClientSecretFileOption = Annotated[
    Path | None, typer.Option(metavar="PATH", help="File (600) holding the client secret.")
]
Oauth2ClientSecretPrefectSecretOption = Annotated[
    str | None,
    typer.Option(metavar="BLOCK", help="Prefect Secret block holding the client secret."),
]
JsonOutputOption = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]


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

    address = check_address(address)
    yes = yes or not sys.stdin.isatty()  # nobody to ask: fail on what is missing instead
    preset = preset_for(address)
    sources = Sources(
        password_env,
        password_file,
        password_prefect_secret,
        use_keyring,
        _oauth2_ref(
            preset.oauth2 if preset else "",
            oauth2_token_command,
            oauth2_client_id,
            oauth2_provider and oauth2_provider.value,
            (oauth2_refresh_token_env, oauth2_refresh_token_file),
            (oauth2_client_secret_env, oauth2_client_secret_file),
            blocks=(oauth2_refresh_token_prefect_secret, oauth2_client_secret_prefect_secret),
        ),
    )
    if imap_host is None and preset is None and not yes:
        imap_host = typer.prompt("IMAP server host")
    imap, smtp = endpoints_for(
        address,
        ServerChoice(imap_host, imap_port, imap_security and imap_security.value),
        ServerChoice(smtp_host, smtp_port, smtp_security and smtp_security.value),
        username=username,
        allow_insecure_loopback=allow_insecure_loopback,
    )
    request = ConnectRequest(
        address=address,
        imap=imap,
        smtp=smtp,
        secret_ref=_secret_ref(address, sources, yes=yes),
        digest_to=check_address(digest_to, "address for the digest") if digest_to else address,
        folders=tuple(_folders(folder)),
        timezone=parse_timezone(timezone),
    )
    settings = load_settings()
    secret = resolve_secret(request.secret_ref)
    result = connect_account(request, secret, sessions=_sessions(settings))
    _report(request, result.smtp_auth, json_output=json_output)


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
