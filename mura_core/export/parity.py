"""Parity of an artifact with its run: the same images through both.

``mura export`` measures it on a sample of whole studies from the run's test set (MURA
``valid``): the largest difference in probability over the images, and the study-level
kappa of the run's and of the artifact's predictions against the labels.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from mura_core.errors import MuraError

__all__ = ["Parity", "measure_parity", "parity_sample", "run_probabilities"]


@dataclass(frozen=True)
class Parity:
    """How closely an artifact reproduces its run."""

    format: str
    quantize: str
    images: int
    studies: int
    max_abs_difference: float
    run_study_kappa: float
    artifact_study_kappa: float
    tolerance: float

    @property
    def passed(self) -> bool:
        """The difference is within the format's tolerance."""
        return self.max_abs_difference <= self.tolerance

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}

    def line(self) -> str:
        """One line for the terminal."""
        verdict = "within" if self.passed else "BEYOND"
        label = self.format if self.quantize == "none" else f"{self.format} {self.quantize}"
        return (
            f"parity {label}: max |p_artifact - p_run| = {self.max_abs_difference:.2e} on "
            f"{self.images} images ({verdict} tolerance {self.tolerance:g}); study kappa "
            f"run {self.run_study_kappa:.3f}, artifact {self.artifact_study_kappa:.3f} "
            f"({self.studies} studies)"
        )


def parity_sample(rows: pd.DataFrame, images: int, seed: int = 0) -> pd.DataFrame:
    """Whole studies of ``rows`` drawn at random until about ``images`` images."""
    if images < 1:
        raise MuraError(f"the parity sample needs at least 1 image (got {images})")
    sizes = rows.groupby("study").size()
    chosen, total = set(), 0
    for study in rows["study"].drop_duplicates().sample(frac=1.0, random_state=seed):
        if total >= images:
            break
        chosen.add(study)
        total += int(sizes[study])
    return rows[rows["study"].isin(chosen)]


def run_probabilities(loaded: Any, rows: pd.DataFrame, batch_size: int = 32) -> np.ndarray:
    """A loaded run's probabilities of ``rows`` in row order (NaN for images an ensemble
    does not cover, or whose body part is unknown)."""
    from mura_core.inference import predict_frame

    predicted = predict_frame(loaded.model, rows.fillna({"body_part": ""}), loaded.parsed,
                              batch_size=batch_size)  # fmt: skip
    return predicted["probability"].reindex(rows.index).to_numpy(dtype=np.float64)


def _study_kappa(rows: pd.DataFrame, probabilities: np.ndarray) -> float:
    from mura_core.evaluation import aggregate_studies
    from mura_core.evaluation.scores import score_binary

    frame = rows[["study", "label"]].assign(probability=probabilities).dropna()
    if frame.empty:
        return float("nan")
    studies = aggregate_studies(frame)
    return score_binary(studies["label"], studies["probability"],
                        with_loss=False, resamples=0).kappa  # fmt: skip


def measure_parity(
    run_probabilities: np.ndarray,
    artifact_probabilities: np.ndarray,
    rows: pd.DataFrame,
    *,
    format: str,
    quantize: str,
    tolerance: float,
) -> Parity:
    """Compare the two sets of probabilities of ``rows`` (NaN where uncovered in both)."""
    run = np.asarray(run_probabilities, dtype=np.float64)
    artifact = np.asarray(artifact_probabilities, dtype=np.float64)
    if not np.array_equal(np.isnan(run), np.isnan(artifact)):
        difference = float("inf")  # one covers images the other does not
    else:
        known = ~np.isnan(run)
        difference = float(np.max(np.abs(run[known] - artifact[known]))) if known.any() else 0.0
    return Parity(
        format=format,
        quantize=quantize,
        images=len(rows),
        studies=int(rows["study"].nunique()),
        max_abs_difference=difference,
        run_study_kappa=float(_study_kappa(rows, run)),
        artifact_study_kappa=float(_study_kappa(rows, artifact)),
        tolerance=tolerance,
    )
