"""Class weights against label imbalance, over the whole training set or per body part.

``balanced`` (the report): one weight per class, ``n / (2 * n_c)``, as scikit-learn's
``compute_class_weight("balanced")``; pass :func:`class_weights` to keras'
``fit(class_weight=...)``.

``body_part`` (the MURA paper's per-study-type weights): the same formula within each
body part, so each part's abnormal and normal images weigh equally; the ratio of the two
weights is the paper's ``w_abnormal / w_normal = N_T / A_T``. Keras' ``class_weight``
cannot depend on the body part, so these go in as per-image weights:
:func:`sample_weights` gives one per row, for the pipeline's ``sample_weights`` argument.

With either mode the mean weight over the images it was computed on is 1, so the loss
keeps its scale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mura_core.vocabulary import WEIGHTINGS, Weighting

__all__ = [
    "WEIGHTINGS",
    "Weighting",
    "class_weights",
    "class_weights_by_body_part",
    "sample_weights",
]


def _balanced(labels: pd.Series) -> dict[int, float]:
    counts = labels.astype("int64").value_counts()
    total = int(counts.sum())
    # A class absent from the data gets weight 1 (it never occurs, so it never counts).
    return {c: (float(total / (2.0 * counts[c])) if counts.get(c, 0) else 1.0) for c in (0, 1)}


def class_weights(frame: pd.DataFrame) -> dict[int, float]:
    """``{0: w_normal, 1: w_abnormal}`` balanced over all rows of ``frame``."""
    if frame.empty:
        raise ValueError("cannot compute class weights of an empty frame")
    return _balanced(frame["label"])


def class_weights_by_body_part(frame: pd.DataFrame) -> dict[str, dict[int, float]]:
    """``{body_part: {0: w_normal, 1: w_abnormal}}``, balanced within each body part."""
    if frame.empty:
        raise ValueError("cannot compute class weights of an empty frame")
    return {
        str(part): _balanced(group["label"])
        for part, group in frame.groupby("body_part", sort=True)
    }


def sample_weights(frame: pd.DataFrame, weighting: Weighting = "balanced") -> np.ndarray:
    """One float32 weight per row of ``frame``, in its order.

    Raises:
        ValueError: an unknown ``weighting`` (see :data:`WEIGHTINGS`).
    """
    labels = frame["label"].astype("int64").to_numpy()
    if weighting == "balanced":
        table = class_weights(frame)
        return np.array([table[label] for label in labels], dtype=np.float32)
    if weighting == "body_part":
        tables = class_weights_by_body_part(frame)
        parts = frame["body_part"].astype(str).to_numpy()
        return np.array(
            [tables[part][label] for part, label in zip(parts, labels)], dtype=np.float32
        )
    raise ValueError(f"unknown weighting {weighting!r}; expected one of {', '.join(WEIGHTINGS)}")
