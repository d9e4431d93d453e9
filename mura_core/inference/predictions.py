"""A model's predictions on image rows, through the evaluation pipeline of its name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mura_core.errors import MuraError

if TYPE_CHECKING:
    from registry import ParsedName

__all__ = ["inference_batches", "predict_frame"]


def _progress_callback(bar: Any, batch_size: int, total: int) -> Any:
    """A Keras callback advancing a tqdm ``bar`` by each predicted batch."""
    import keras

    class ProgressBar(keras.callbacks.Callback):
        def on_predict_batch_end(self, batch: int, logs: Any = None) -> None:
            bar.update(min(batch_size, total - bar.n))

    return ProgressBar()


def inference_batches(name: str | ParsedName, frame: pd.DataFrame, batch_size: int) -> Any:
    """The evaluation pipeline of model ``name`` (a name or its parse) over ``frame``'s
    images, in row order.

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
    name: str | ParsedName,
    *,
    batch_size: int = 32,
    progress: bool = False,
) -> pd.DataFrame:
    """``frame`` with a ``probability`` column: the model's output for each image.

    Images go through the evaluation pipeline of the model ``name``, a name or its parse
    (its input size, channels and normalisation); rows keep their order. Columns the pipeline needs
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
