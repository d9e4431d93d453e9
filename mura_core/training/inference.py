"""Predictions of a model on image rows, and evaluation of a run on a subset."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mura_core.errors import MuraError
from mura_core.evaluation import Evaluation, evaluate_predictions, plot_roc
from mura_core.runs.artifacts import read_run_json
from mura_core.runs.layout import RunFolder
from mura_core.vocabulary import EVALUATION_SUBSETS

__all__ = ["SUBSETS", "RunEvaluation", "evaluate_run", "predict_frame", "subset_frame"]

SUBSETS = EVALUATION_SUBSETS


def _progress_callback(bar: Any, batch_size: int, total: int) -> Any:
    """A Keras callback advancing a tqdm ``bar`` by each predicted batch."""
    import keras

    class ProgressBar(keras.callbacks.Callback):
        def on_predict_batch_end(self, batch: int, logs: Any = None) -> None:
            bar.update(min(batch_size, total - bar.n))

    return ProgressBar()


def inference_batches(name: str, frame: pd.DataFrame, batch_size: int) -> Any:
    """The evaluation pipeline of model ``name`` over ``frame``'s images, in row order.

    Columns the pipeline needs but ``frame`` lacks (``label``, ``split``...) are filled in.
    """
    from mura_core.data.dataset import with_frame_columns
    from mura_core.data.pipeline import pipeline_for_model

    if batch_size < 1:
        raise MuraError(f"batch size must be at least 1 (got {batch_size})")
    return pipeline_for_model(name, with_frame_columns(frame), training=False,
                              batch_size=batch_size)  # fmt: skip


def predict_frame(
    model: Any,
    frame: pd.DataFrame,
    name: str,
    *,
    batch_size: int = 32,
    progress: bool = False,
) -> pd.DataFrame:
    """``frame`` with a ``probability`` column: the model's output for each image.

    Images go through the evaluation pipeline of the model ``name`` (its input size,
    channels and normalisation); rows keep their order. Columns the pipeline needs
    but ``frame`` lacks (``label``, ``split``, ``patient``...) are filled in.
    With ``progress``, a progress bar is drawn on stderr. An ensemble (an object with
    ``predict_rows``, such as a loaded ensemble run) predicts through its members; rows
    it does not cover are left out and listed in ``result.attrs["uncovered"]``.
    """
    import sys

    from tqdm import tqdm

    if frame.empty:
        raise MuraError("no images to predict")
    if hasattr(model, "predict_rows"):
        return model.predict_rows(frame, batch_size=batch_size, progress=progress)
    dataset = inference_batches(name, frame, batch_size)
    batches = dataset.map(lambda images, *rest: images)
    with tqdm(
        total=len(frame), unit="image", file=sys.stderr, disable=not progress, leave=False
    ) as bar:
        probabilities = model.predict(
            batches, verbose=0, callbacks=[_progress_callback(bar, batch_size, len(frame))]
        )
    result = frame.copy()
    result["probability"] = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    return result


def subset_frame(folder: RunFolder, data_root: str | Path, subset: str) -> pd.DataFrame:
    """The image rows of ``subset`` for the run in ``folder``.

    The run's own ``split.csv`` is used when present (the validation patients it
    trained against); otherwise the split is drawn again with the run's seed.
    """
    from mura_core.data.layout import resolve_root
    from mura_core.data.split import read_manifest

    if subset not in SUBSETS:
        raise MuraError(f"unknown subset {subset!r} (expected {' or '.join(SUBSETS)})")
    resolve_root(data_root)  # a data root that is not MURA fails here, in one line
    if folder.split.exists():
        split = read_manifest(folder.split, data_root)
    else:
        from mura_core.data.loader import load_mura
        from mura_core.data.split import split_by_patient

        config = read_run_json(folder.run_json).get("config", {})
        body_part = (read_run_json(folder.run_json).get("run_options") or {}).get("body_part")
        frame = load_mura(data_root, body_parts=body_part).frame
        split = split_by_patient(
            frame,
            validation_fraction=config.get("validation_fraction", 0.2),
            seed=config.get("seed", 0),
        )
    rows = split.subsets[subset]
    missing = [path for path in rows["path"] if not Path(path).is_file()]
    if missing:
        raise MuraError(
            f"{len(missing)} image(s) of the run's {subset} set are missing under "
            f"{data_root}, e.g. {missing[0]}"
        )
    if rows.empty:
        raise MuraError(f"the run's {subset} set is empty")
    return rows


@dataclass
class RunEvaluation:
    """The evaluation of a run on a subset and where it was written."""

    evaluation: Evaluation
    predictions: pd.DataFrame
    subset: str
    files: dict[str, Path]
    uncovered: list[str] = field(default_factory=list)


def evaluate_run(
    model: Any,
    folder: RunFolder,
    name: str,
    data_root: str | Path,
    *,
    subset: str = "test",
    batch_size: int = 32,
    resamples: int = 1000,
    seed: int = 0,
    write: bool = True,
    rows: pd.DataFrame | None = None,
    into: RunFolder | None = None,
) -> RunEvaluation:
    """Predict ``subset`` with ``model`` and score it per image and per study.

    With ``write``, saves ``evaluation[.<subset>].tsv``, ``predictions.<subset>.tsv``
    and ``roc_curve[.<subset>].png`` in the run folder (or in ``into``). An ensemble's
    predictions keep one probability column per member; images it does not cover
    (``route``) are left out of the scores and listed in ``uncovered``. ``rows`` are
    the images to evaluate, by default :func:`subset_frame`'s.
    """
    if rows is None:
        rows = subset_frame(folder, data_root, subset)
    target = into or folder
    predictions = predict_frame(model, rows, name, batch_size=batch_size)
    uncovered = list(predictions.attrs.get("uncovered", []))
    if predictions.empty:
        raise MuraError(f"{name} covers none of the {len(rows)} images of the {subset} set")
    evaluation = evaluate_predictions(predictions, resamples=resamples, seed=seed)
    files: dict[str, Path] = {}
    if write:
        target.path.mkdir(parents=True, exist_ok=True)
        columns = [
            c
            for c in ("path", "patient", "study", "body_part", "label", "probability")
            if c in predictions.columns
        ] + [c for c in predictions.columns if str(c).startswith("member.")]
        files["predictions"] = target.predictions_for(subset)
        predictions[columns].to_csv(files["predictions"], sep="\t", index=False)
        files["evaluation"] = evaluation.write_tsv(target.evaluation_for(subset))
        files["roc_curve"] = plot_roc(
            predictions, target.roc_curve_for(subset), title=f"{name} ({subset})"
        )
    return RunEvaluation(evaluation, predictions, subset, files, uncovered)
