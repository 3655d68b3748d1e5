"""`bounceback connect`: verify a mailbox's IMAP and SMTP, then save it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bounceback.cli.output import _sessions, out
from bounceback.errors import ConfigError
from bounceback.settings import load_settings


def connect(
    address: Annotated[str, typer.Argument(help="Your email address.")],
    imap_host: Annotated[
        str | None, typer.Option(help="IMAP server; default from the provider preset.")
    ] = None,
    imap_port: Annotated[
        int | None, typer.Option(help="IMAP port (993 for ssl, 143 for starttls).")
    ] = None,
    imap_security: Annotated[str | None, typer.Option(help="ssl, starttls or none.")] = None,
    smtp_host: Annotated[str | None, typer.Option(help="SMTP server for the digest.")] = None,
    smtp_port: Annotated[
        int | None, typer.Option(help="SMTP port (465 for ssl, 587 for starttls).")
    ] = None,
    smtp_security: Annotated[str | None, typer.Option(help="ssl, starttls or none.")] = None,
    username: Annotated[str | None, typer.Option(help="Login name; default: the address.")] = None,
    password_env: Annotated[
        str | None, typer.Option(help="Environment variable holding the password.")
    ] = None,
    password_file: Annotated[
        Path | None, typer.Option(help="File (mode 600) holding the password.")
    ] = None,
    password_prefect_secret: Annotated[
        str | None,
        typer.Option(
            help="Prefect Secret block holding the password (needs PREFECT_SERVER_ENCRYPTION_KEY"
            " kept outside Prefect's database; see the README)."
        ),
    ] = None,
    digest_to: Annotated[
        str | None, typer.Option(help="Where to send the digest; default: the address.")
    ] = None,
    folder: Annotated[
        list[str] | None, typer.Option(help="Folder to watch (repeatable); default INBOX.")
    ] = None,
    timezone: Annotated[str, typer.Option(help="Your time zone, for the weekly digest.")] = "UTC",
    allow_insecure_loopback: Annotated[
        bool, typer.Option(help="Allow security 'none' to a loopback host.")
    ] = False,
    use_keyring: Annotated[
        bool,
        typer.Option(
            "--keyring",
            help="Keep the password in the OS keyring (read from --password-env, else asked).",
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask; fail if something is missing.")
    ] = False,
    oauth2_token_command: Annotated[
        str | None,
        typer.Option(help="OAuth2 (XOAUTH2): a command printing an access token (no shell)."),
    ] = None,
    oauth2_client_id: Annotated[
        str | None,
        typer.Option(help="OAuth2 (XOAUTH2) for Google/Microsoft: your own client id."),
    ] = None,
    oauth2_provider: Annotated[
        str | None, typer.Option(help="google or microsoft; default from the provider preset.")
    ] = None,
    oauth2_refresh_token_env: Annotated[
        str | None, typer.Option(help="Environment variable holding the OAuth2 refresh token.")
    ] = None,
    oauth2_refresh_token_file: Annotated[
        Path | None, typer.Option(help="File (mode 600) holding the OAuth2 refresh token.")
    ] = None,
    oauth2_refresh_token_prefect_secret: Annotated[
        str | None, typer.Option(help="Prefect Secret block holding the OAuth2 refresh token.")
    ] = None,
    oauth2_client_secret_env: Annotated[
        str | None, typer.Option(help="Environment variable holding the OAuth2 client secret.")
    ] = None,
    oauth2_client_secret_file: Annotated[
        Path | None, typer.Option(help="File (mode 600) holding the OAuth2 client secret.")
    ] = None,
    oauth2_client_secret_prefect_secret: Annotated[
        str | None, typer.Option(help="Prefect Secret block holding the OAuth2 client secret.")
    ] = None,
) -> None:
    """Connect a mailbox: verifies the IMAP login and SMTP before saving anything.

    The password is never stored by bounceback: give the environment variable or the
    file that holds it, and keep it there.
    """
    from bounceback.account.connect import ConnectRequest, connect_account
    from bounceback.mail.credentials import resolve_secret
    from bounceback.mail.imap import ImapEndpoint
    from bounceback.mail.providers import preset_for
    from bounceback.mail.secret_store import env_ref, file_ref, prefect_secret_ref
    from bounceback.mail.smtp import SmtpEndpoint

    preset = preset_for(address)
    oauth_ref = _oauth2_ref(
        preset.oauth2 if preset else "",
        oauth2_token_command,
        oauth2_client_id,
        oauth2_provider,
        (oauth2_refresh_token_env, oauth2_refresh_token_file),
        (oauth2_client_secret_env, oauth2_client_secret_file),
        blocks=(oauth2_refresh_token_prefect_secret, oauth2_client_secret_prefect_secret),
    )
    if oauth_ref and (password_env or password_file or password_prefect_secret or use_keyring):
        raise ConfigError("give either a password source or OAuth2 options, not both")
    if password_prefect_secret and (password_env or password_file or use_keyring):
        raise ConfigError(
            "give one password source: --password-prefect-secret, --password-env or --password-file"
        )
    if imap_host is None and preset is None:
        if yes:
            raise ConfigError(f"no preset for {address}; give --imap-host and --smtp-host")
        imap_host = typer.prompt("IMAP server host")
    if (
        password_env is None
        and password_file is None
        and password_prefect_secret is None
        and not use_keyring
        and not oauth_ref
    ):
        if yes:
            raise ConfigError(
                "say where the password is: --password-env VAR or --password-file PATH"
            )
        password_env = typer.prompt("Environment variable that holds the password")
    imap_security = imap_security or (
        preset.imap_security if preset and imap_host is None else "ssl"
    )
    smtp_security = smtp_security or (
        preset.smtp_security if preset and smtp_host is None else "ssl"
    )
    imap = ImapEndpoint(
        host=imap_host or (preset.imap_host if preset else ""),
        port=imap_port
        or (
            preset.imap_port
            if preset and imap_host is None
            else _default_port("imap", imap_security)
        ),
        security=imap_security,
        username=username or address,
        allow_insecure_loopback=allow_insecure_loopback,
    )
    smtp = SmtpEndpoint(
        host=smtp_host or (preset.smtp_host if preset else imap.host),
        port=smtp_port
        or (
            preset.smtp_port
            if preset and smtp_host is None
            else _default_port("smtp", smtp_security)
        ),
        security=smtp_security,
        username=username or address,
        allow_insecure_loopback=allow_insecure_loopback,
    )
    ref = env_ref(password_env) if password_env else file_ref(Path(password_file or ""))
    if password_prefect_secret:
        ref = prefect_secret_ref(password_prefect_secret)
    ref = oauth_ref or ref
    if use_keyring:
        from bounceback.mail.secret_store import store_in_keyring

        if password_env is None and yes:
            raise ConfigError("with --keyring and --yes, give the password in --password-env")
        secret = (
            resolve_secret(ref)
            if password_env
            else typer.prompt("Mail password (kept in the OS keyring)", hide_input=True)
        )
        ref = store_in_keyring(address, secret)
    request = ConnectRequest(
        address=address.lower(),
        imap=imap,
        smtp=smtp,
        secret_ref=ref,
        digest_to=digest_to or address,
        folders=tuple(folder or ["INBOX"]),
        timezone=timezone,
    )
    settings = load_settings()
    result = connect_account(request, resolve_secret(ref), sessions=_sessions(settings))
    out.print(
        f"connected {address}: IMAP login and SMTP verified; watching {', '.join(request.folders)}"
    )
    if not result.smtp_auth:
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


def _default_port(kind: str, security: str) -> int:
    if kind == "imap":
        return 993 if security == "ssl" else 143
    return {"ssl": 465, "starttls": 587}.get(security, 25)
