"""`bounceback db reanalyse`: read stored mail again with the current reader and model."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer

from bounceback.cli.output import _sessions, out
from bounceback.errors import ConfigError
from bounceback.settings import load_settings


def reanalyse(
    account: Annotated[
        str | None, typer.Option(metavar="ADDRESS", help="Only this address.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Read the stored mail again with the current reader and model.

    For after an upgrade or `bounceback train`: labels, employer, role and gaps are worked
    out afresh and the applications rebuilt. Emails you reviewed or corrected keep what
    you said; your application moves, merges and renames are applied again.
    """
    from bounceback.flows.reanalyse import reanalyse_account
    from bounceback.nlp.registry import accepted_model_dir, load_analyzer
    from bounceback.storage import accounts

    settings = load_settings()
    sessions = _sessions(settings)
    with sessions.begin() as session:
        if account:
            chosen = [accounts.require_account(account, session=session)]
        else:
            chosen = accounts.list_accounts(session=session)
        targets = [(a.id, a.address) for a in chosen]
    if not targets:
        raise ConfigError("no account is connected yet, so there is no stored mail to read")
    analyzer = load_analyzer(accepted_model_dir(settings.models_dir))
    reports = {address: reanalyse_account(i, analyzer, sessions=sessions) for i, address in targets}
    if json_output:
        found = [{"account": a, "model": analyzer.version, **asdict(r)} for a, r in reports.items()]
        print(json.dumps({"accounts": found}))
        return
    for address, report in reports.items():
        out.print(
            f"{address}: read {report.messages} emails again with model {analyzer.version}: "
            f"{report.labels_changed} with different labels, gaps {report.gaps_before} -> "
            f"{report.gaps_after}; {report.kept} you reviewed or corrected left as you left "
            f"them; {report.applications} applications",
            markup=False,
            soft_wrap=True,
        )
