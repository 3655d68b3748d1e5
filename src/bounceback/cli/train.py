"""`bounceback train`: retrain on your corrections, switch only if the new model is not worse."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console

from bounceback.flows.retrain import render, retrain
from bounceback.settings import load_settings


def train(
    folds: Annotated[
        int, typer.Option(help="Folds for tuning label thresholds (0: use 0.5; faster).")
    ] = 4,
    max_steps: Annotated[
        int, typer.Option(help="Stop each training run after this many steps (0: the config's).")
    ] = 0,
    force: Annotated[
        bool, typer.Option("--force", help="Switch to the new model even if it scores lower.")
    ] = False,
    tolerance: Annotated[
        float,
        typer.Option(help="Accept a new model scoring up to this much lower (default 0: never)."),
    ] = 0.0,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Retrain the models with your review corrections; switch only if the new one is not worse.

    Builds the training set from the shipped corpus plus every correction made on the
    review page, scores the current and the new model on a held-out split (the shipped
    dev set plus about a fifth of your corrections), and keeps the better one.
    """
    console = Console(stderr=json_output, highlight=False)
    overrides: dict[str, Any] = {}
    if max_steps > 0:
        overrides = {
            "training.max_steps": max_steps,
            "training.eval_frequency": max(1, min(50, max_steps // 2)),
        }
    result = retrain(
        load_settings(),
        folds=folds,
        overrides=overrides,
        force=force,
        tolerance=max(tolerance, 0.0),
        progress=lambda line: console.print(line, markup=False),
    )
    if json_output:
        print(json.dumps(result.to_json()))
    else:
        console.print(render(result), markup=False)
