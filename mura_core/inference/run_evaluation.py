"""The evaluation of a run on a subset: predictions, scores and the files written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from mura_core.errors import MuraError
from mura_core.evaluation import Evaluation, evaluate_predictions, plot_roc
from mura_core.inference.predictions import predict_frame
from mura_core.inference.subsets import subset_frame
from mura_core.runs.layout import RunFolder

if TYPE_CHECKING:
    from registry import ParsedName

__all__ = ["RunEvaluation", "evaluate_run"]


@dataclass
class RunEvaluation:
    """The evaluation of a run on a subset and where it was written."""

    evaluation: Evaluation
    predictions: pd.DataFrame
    subset: str
    files: dict[str, Path]
    uncovered: list[str] = field(default_factory=list)
    #: The scores before calibration, for a calibrated run (``probability`` is then the
    #: calibrated one and ``uncalibrated`` a column of ``predictions``).
    uncalibrated: Evaluation | None = None


def evaluate_run(
    model: Any,
    folder: RunFolder,
    name: str | ParsedName,
    data_root: str | Path,
    *,
    subset: str = "test",
    batch_size: int = 32,
    resamples: int = 1000,
    seed: int = 0,
    write: bool = True,
    rows: pd.DataFrame | None = None,
    into: RunFolder | None = None,
    temperature: float | None = None,
) -> RunEvaluation:
    """Predict ``subset`` with ``model`` and score it per image and per study.

    With ``write``, saves ``evaluation[.<subset>].tsv``, ``predictions.<subset>.tsv``
    and ``roc_curve[.<subset>].png`` in the run folder (or in ``into``). An ensemble's
    predictions keep one probability column per member; images it does not cover
    (``route``) are left out of the scores and listed in ``uncovered``. ``rows`` are
    the images to evaluate, by default :func:`subset_frame`'s. With ``temperature`` (a
    calibrated single run), ``probability`` is the calibrated one and the scores before
    calibration are kept as well.
    """
    if rows is None:
        rows = subset_frame(folder, data_root, subset)
    target = into or folder
    predictions = _predict(model, rows, name, batch_size, temperature)
    uncovered = list(predictions.attrs.get("uncovered", []))
    if predictions.empty:
        raise MuraError(f"{name} covers none of the {len(rows)} images of the {subset} set")
    evaluation = evaluate_predictions(predictions, resamples=resamples, seed=seed)
    uncalibrated = None
    if temperature is not None:
        before = predictions.assign(probability=predictions["uncalibrated"])
        uncalibrated = evaluate_predictions(before, resamples=resamples, seed=seed)
    files: dict[str, Path] = {}
    if write:
        target.path.mkdir(parents=True, exist_ok=True)
        columns = [
            c
            for c in ("path", "patient", "study", "body_part", "label", "probability",
                      "uncalibrated")
            if c in predictions.columns
        ] + [c for c in predictions.columns if str(c).startswith("member.")]
        files["predictions"] = target.predictions_for(subset)
        predictions[columns].to_csv(files["predictions"], sep="\t", index=False)
        files["evaluation"] = evaluation.write_tsv(target.evaluation_for(subset))
        files["roc_curve"] = plot_roc(
            predictions, target.roc_curve_for(subset), title=f"{name} ({subset})"
        )
    return RunEvaluation(evaluation, predictions, subset, files, uncovered, uncalibrated)


def _predict(
    model: Any, rows: pd.DataFrame, name: Any, batch_size: int, temperature: float | None
) -> pd.DataFrame:
    """``rows`` with the model's ``probability`` and, with ``temperature``, the calibrated
    one as ``probability`` and the model's own as ``uncalibrated`` (from one logit)."""
    if temperature is None:
        return predict_frame(model, rows, name, batch_size=batch_size)
    from mura_core.calibration import scaled_probabilities
    from mura_core.calibration.folding import logit_model

    predicted = predict_frame(logit_model(model), rows, name, batch_size=batch_size)
    values = predicted["probability"].to_numpy()
    return predicted.assign(probability=scaled_probabilities(values, temperature),
                            uncalibrated=scaled_probabilities(values, 1.0))  # fmt: skip
