"""The retraining flow: learn from review corrections, switch models only if not worse."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from bounceback.settings import Settings


@flow(name="bounceback-retrain")
def retrain_flow(folds: int = 4, settings: Settings | None = None) -> dict[str, Any]:
    """Retrain on the shipped corpus plus review corrections (as `bounceback train` does).

    Polls pick up an accepted model on their next run.
    """
    from bounceback.flows.retrain import retrain

    logger = get_run_logger()
    result = retrain(settings or Settings(), folds=folds, progress=logger.info)
    logger.info(
        "new model %s", f"accepted: {result.model_path}" if result.accepted else "not better: kept"
    )
    return result.to_json()
