"""Study-level aggregation: MURA is scored per study, not per image."""

from __future__ import annotations

import pandas as pd

from mura_core.errors import MuraError

__all__ = ["STUDY_THRESHOLD", "aggregate_studies"]

#: A study (and an image) is called abnormal when its probability is above this value.
STUDY_THRESHOLD = 0.5

_KEYS = ("body_part", "patient", "study")


def aggregate_studies(images: pd.DataFrame, threshold: float = STUDY_THRESHOLD) -> pd.DataFrame:
    """Collapse image predictions into one row per study.

    A study's probability is the mean of its images' probabilities (as in the MURA
    paper) and it is predicted abnormal when that mean is above ``threshold`` (0.5, or
    a calibrated run's operating point).

    Args:
        images: one row per image with columns ``study``, ``probability`` and,
            when known, ``label``, ``body_part`` and ``patient``.
        threshold: the study probability above which a study is called abnormal.

    Returns:
        One row per study, in order of first appearance, with the key columns
        present in ``images``, ``label`` (if given), ``probability``,
        ``prediction`` (0/1) and ``images`` (the number of images).

    Raises:
        MuraError: a study whose images disagree on its label, or missing columns.
    """
    missing = {"study", "probability"} - set(images.columns)
    if missing:
        raise MuraError(f"predictions lack column(s) {', '.join(sorted(missing))}")
    keys = [key for key in _KEYS if key in images.columns]
    aggregations: dict[str, tuple[str, str]] = {
        "probability": ("probability", "mean"),
        "images": ("probability", "size"),
    }
    if "label" in images.columns:
        aggregations["label"] = ("label", "first")
        aggregations["label_values"] = ("label", "nunique")
    studies = images.groupby(keys, sort=False, dropna=False).agg(**aggregations).reset_index()
    if "label" in images.columns:
        conflicting = studies[studies["label_values"] > 1]
        if len(conflicting):
            raise MuraError(
                f"study {conflicting['study'].iloc[0]} has images with different labels"
            )
        studies = studies.drop(columns="label_values")
        studies["label"] = studies["label"].astype(int)
    studies["prediction"] = (studies["probability"] > threshold).astype(int)
    columns = [*keys, *(["label"] if "label" in studies else []), "probability", "prediction"]
    return studies[[*columns, "images"]]
