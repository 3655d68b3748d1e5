"""The options of `bounceback connect`: each with its help text, and all of them as one value."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Security(StrEnum):
    """How a server is reached."""

    ssl = "ssl"
    starttls = "starttls"
    none = "none"


class OAuthProvider(StrEnum):
    """Whose OAuth2 token endpoint a client id belongs to."""

    google = "google"
    microsoft = "microsoft"


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


@dataclass(frozen=True, slots=True)
class ConnectOptions:
    """The options of `connect`, as the command line gave them."""

    address: str
    imap_host: str | None
    imap_port: int | None
    imap_security: Security | None
    smtp_host: str | None
    smtp_port: int | None
    smtp_security: Security | None
    username: str | None
    password_env: str | None
    password_file: Path | None
    password_prefect_secret: str | None
    digest_to: str | None
    folder: list[str] | None
    timezone: str
    allow_insecure_loopback: bool
    use_keyring: bool
    yes: bool
    oauth2_token_command: str | None
    oauth2_client_id: str | None
    oauth2_provider: OAuthProvider | None
    oauth2_refresh_token_env: str | None
    oauth2_refresh_token_file: Path | None
    oauth2_refresh_token_prefect_secret: str | None
    oauth2_client_secret_env: str | None
    oauth2_client_secret_file: Path | None
    oauth2_client_secret_prefect_secret: str | None
    json_output: bool
