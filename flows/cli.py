"""The `bounceback` command line: a thin adapter over the library, scriptable and interactive."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from bounceback.flows.errors import BouncebackError, ConfigError
from bounceback.flows.settings import Settings, load_settings

app = typer.Typer(
    name="bounceback",
    help="Turn the rejection emails in your mailbox into a weekly plan. Everything stays local.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Manage bounceback's database.", no_args_is_help=True)
app.add_typer(db_app, name="db")

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)
F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Turn known failures into one line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sqlalchemy.exc import OperationalError

        try:
            return func(*args, **kwargs)
        except BouncebackError as exc:
            err.print(f"bounceback: {exc}", markup=False)
            raise typer.Exit(1) from None
        except OperationalError as exc:
            err.print(
                f"bounceback: the database could not be used ({exc.orig}); check "
                "BOUNCEBACK_DATABASE_URL / BOUNCEBACK_HOME and free disk space",
                markup=False,
            )
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err.print("bounceback: interrupted; nothing half-written is kept")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _sessions(settings: Settings) -> Any:
    from bounceback.flows.runtime import sessions_for

    return sessions_for(settings.database_url)


@db_app.command("upgrade")
@friendly_errors
def db_upgrade() -> None:
    """Create the database or bring its schema up to date."""
    from bounceback.storage.db import upgrade

    settings = load_settings()
    upgrade(settings.database_url)
    out.print(f"database is up to date: {_redacted(settings.database_url)}")


@app.command()
@friendly_errors
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
    from bounceback.flows.connect import ConnectRequest, connect_account
    from bounceback.flows.imap import ImapEndpoint
    from bounceback.flows.providers import preset_for
    from bounceback.flows.secret_refs import env_ref, file_ref, prefect_secret_ref, resolve_secret
    from bounceback.flows.smtp import SmtpEndpoint

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
        from bounceback.flows.secret_refs import store_in_keyring

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
    from bounceback.flows.oauth import command_ref, refresh_ref
    from bounceback.flows.secret_refs import env_ref, file_ref, prefect_secret_ref

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


@app.command()
@friendly_errors
def poll(
    account: Annotated[str | None, typer.Option(help="Poll only this address.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    since: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Only fetch mail received on or after this day (YYYY-MM-DD), to bound a "
            "first sync; older mail in the folder is then skipped for good.",
        ),
    ] = None,
    now: Annotated[
        bool,
        typer.Option(
            "--now",
            help="Poll Gmail accounts even if they were polled less than 15 minutes ago.",
        ),
    ] = False,
) -> None:
    """Poll now: fetch new mail (read-only), analyse it, and print a summary."""
    from bounceback.flows.pipeline import poll_flow
    from bounceback.flows.runtime import prefect_context
    from bounceback.flows.sync import SINCE_ENV, progress_bar

    settings = load_settings()
    _sessions(settings)
    if since is not None:
        os.environ[SINCE_ENV] = since.date().isoformat()  # read where the sync options are built
    show_bar = not json_output and err.is_terminal
    with prefect_context(quiet=json_output), progress_bar(err, enabled=show_bar):
        results = poll_flow(account, gmail_pace=not now)
    if json_output:
        print(json.dumps({"accounts": results}))
        return
    for item in results:
        if item.get("skipped"):
            if item.get("reason") == "gmail-interval":
                allowed = str(item.get("next_poll_at") or "")[:16].replace("T", " ")
                out.print(
                    f"{item['address']}: skipped, polled less than 15 minutes ago; Gmail asks "
                    f"mail clients to wait that long between polls. Poll again after {allowed} "
                    "UTC, or now with --now"
                )
                continue
            until = str(item.get("held_until") or "")[:16].replace("T", " ")
            out.print(
                f"{item['address']}: skipped, another poll holds this account"
                + (f" until {until} UTC" if until else "")
                + " (the hold of a poll that was stopped lapses by itself)"
            )
            continue
        out.print(
            f"{item['address']}: {item['new_messages']} new messages, "
            f"{item['gaps']} feedback gaps, {item['postings']} new job postings"
        )


@app.command()
@friendly_errors
def status(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Show each account: messages, labels, gaps, postings, digests, last poll and error."""
    from bounceback.storage import queries

    sessions = _sessions(load_settings())
    with sessions.begin() as session:
        accounts = [
            queries.account_summary(a, session=session)
            for a in queries.list_accounts(session=session)
        ]
    if json_output:
        print(json.dumps({"accounts": accounts}))
        return
    if not accounts:
        out.print("no accounts yet: run bounceback connect (or bounceback demo to try it)")
    for item in accounts:
        labels = ", ".join(f"{k} {v}" for k, v in item["labels"].items()) or "none yet"
        out.print(f"[bold]{item['address']}[/bold]")
        out.print(f"  messages {item['messages']} ({labels})")
        out.print(
            f"  gaps {item['gaps']}, postings {item['postings']}, "
            f"digests sent {item['digests_sent']}"
        )
        out.print(
            f"  last poll {item['last_poll'] or 'never'}; last error {item['last_error'] or 'none'}"
        )


@app.command()
@friendly_errors
def digest(
    account: Annotated[str | None, typer.Option(help="Only this address.")] = None,
    preview: Annotated[
        Path | None,
        typer.Option(
            help="Write the digest here (.html; .eml and .txt beside it) instead of sending."
        ),
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Send the digest (at most once per ISO week).")
    ] = False,
    week: Annotated[
        str | None, typer.Option(help="ISO week, e.g. 2026-W47; default: the last complete week.")
    ] = None,
) -> None:
    """Preview or send the weekly digest."""
    if (preview is None) == (not send):
        raise ConfigError("choose one of --preview PATH or --send")
    settings = load_settings()
    sessions = _sessions(settings)
    if preview is not None:
        from bounceback.flows.preview import write_preview

        paths = write_preview(sessions, preview, address=account, week=week)
        for path in paths:
            out.print(f"wrote {path}")
        return
    from bounceback.flows.pipeline import digest_flow
    from bounceback.flows.runtime import prefect_context

    with prefect_context():
        results = digest_flow(account, week, True)
    for item in results:
        state = "sent" if item.get("sent") else "already sent earlier"
        out.print(f"digest {item['week']}: {state}")


@app.command()
@friendly_errors
def classify(
    files: Annotated[list[Path] | None, typer.Argument(help=".eml files to classify.")] = None,
    jsonl: Annotated[
        Path | None,
        typer.Option(
            "--jsonl", help='Lines of {"id","subject","from","body","html"}; "-" for stdin.'
        ),
    ] = None,
) -> None:
    """Classify emails and print one JSON object per input, in input order."""
    from bounceback.flows.classify import classify_stream, emails_from_eml, emails_from_jsonl
    from bounceback.flows.runtime import analyzer_for, model_dir

    if bool(files) == (jsonl is not None):
        raise ConfigError("give .eml files or --jsonl FILE, not both and not neither")
    analyzer = analyzer_for(model_dir(load_settings()))
    emails: Iterator[Any] = emails_from_eml(files or []) if files else emails_from_jsonl(jsonl)  # type: ignore[arg-type]
    write = sys.stdout.write
    for line in classify_stream(analyzer, emails):
        write(line + "\n")


@app.command()
@friendly_errors
def export(
    output: Annotated[
        Path, typer.Option(help="Folder to write the JSON and CSV files into.")
    ] = Path("bounceback-export"),
    account: Annotated[str | None, typer.Option(help="Only this address.")] = None,
) -> None:
    """Export everything stored for each account, except secrets, as JSON and CSV files."""
    from bounceback.flows.export import export_accounts

    for path in export_accounts(_sessions(load_settings()), output, address=account):
        out.print(f"wrote {path}")


@app.command()
@friendly_errors
def forget(
    account: Annotated[str, typer.Argument(help="The address to forget.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an account and everything stored for it. The mailbox itself is not touched."""
    from bounceback.flows.errors import NotFoundError
    from bounceback.storage import queries

    if not yes and not typer.confirm(f"Delete everything bounceback stored for {account}?"):
        raise typer.Exit(1)
    sessions = _sessions(load_settings())
    with sessions.begin() as session:
        found = queries.get_account(account, session=session)
        if found is None:
            raise NotFoundError(f"no account {account} is connected")
        queries.delete_account(found, session=session)
    out.print(f"forgot {account}: its messages, gaps, postings and digests are deleted")


@app.command()
@friendly_errors
def demo(
    output: Annotated[
        Path | None, typer.Option(help="Folder for the demo's database and digest.")
    ] = None,
) -> None:
    """Run the whole loop on an embedded mail server with bundled sample mail; no account needed."""
    from bounceback.flows.demo import run_demo

    settings = load_settings()
    run_demo(settings, output or settings.home / "demo", console=out)
    # Prefect's ephemeral server logs its shutdown when the interpreter exits, after the
    # summary; the demo's output ends with the digest paths instead.
    logging.getLogger("prefect").setLevel(logging.WARNING)


from bounceback.flows.serve import serve_command  # noqa: E402 (the command lives in its module)

app.command("serve")(friendly_errors(serve_command))

from bounceback.flows.retrain import train_command  # noqa: E402
from bounceback.flows.review.command import review_command  # noqa: E402

app.command("review")(friendly_errors(review_command))
app.command("train")(friendly_errors(train_command))

from bounceback.flows.user_profile import profile_command  # noqa: E402

app.command("profile")(friendly_errors(profile_command))


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main() -> None:
    """Entry point of the console script."""
    app()
