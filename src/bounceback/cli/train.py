"""`bounceback train`: retrain on your corrections, switch only if the new model is not worse."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from bounceback.nlp.taxonomy import LABELS
from bounceback.settings import load_settings

if TYPE_CHECKING:  # the retraining flow imports Prefect and the database layer
    from bounceback.flows.retrain import TrainResult


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
    from bounceback.flows.retrain import retrain

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


def render(result: TrainResult) -> str:
    """The before/after table printed by `bounceback train`."""
    from bounceback.flows.retrain import macro_f1, score

    lines = [
        f"held-out split: {result.after.email_count} emails "
        f"({result.held_out_user_emails} from your corrections), "
        f"{result.after.sentence_count} gap sentences ({result.held_out_user_gaps} yours)",
        f"{'':<24}{'before':>8}{'after':>8}",
    ]
    for label in LABELS:
        lines.append(
            f"{label + ' F1':<24}{result.before.labels[label][2]:8.3f}"
            f"{result.after.labels[label][2]:8.3f}"
        )
    lines.append(
        f"{'label macro F1':<24}{macro_f1(result.before):8.3f}{macro_f1(result.after):8.3f}"
    )
    lines.append(
        f"{'gap category accuracy':<24}{result.before.gap_accuracy:8.3f}"
        f"{result.after.gap_accuracy:8.3f}"
    )
    lines.append(f"{'score':<24}{score(result.before):8.3f}{score(result.after):8.3f}")
    lines.extend(result.notes)
    if result.accepted:
        lines.append(f"switched to the new model: {result.model_path}")
        lines.append("new mail is read with it; bounceback db reanalyse reads stored mail again")
    else:
        lines.append("kept the model in use: the new one scored lower on the held-out split")
    return "\n".join(lines)
