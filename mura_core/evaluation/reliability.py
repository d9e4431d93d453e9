"""Calibration of probabilities: Brier score, expected calibration error (ECE) and the
reliability diagram.

The ECE uses :data:`ECE_BINS` equal-width bins of predicted probability over [0, 1]: the
mean over the rows of ``|fraction abnormal - mean probability|`` of each row's bin (bins
weighted by their share of rows).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import numpy as np

__all__ = [
    "ECE_BINS",
    "ReliabilityBins",
    "brier_score",
    "expected_calibration_error",
    "plot_reliability",
    "reliability_bins",
]

#: Equal-width probability bins of the expected calibration error.
ECE_BINS = 10


class ReliabilityBins(NamedTuple):
    """Per non-empty bin: its row count, mean probability and fraction of abnormal rows."""

    counts: np.ndarray
    confidence: np.ndarray
    frequency: np.ndarray


def reliability_bins(labels: np.ndarray, probabilities: np.ndarray,
                     bins: int = ECE_BINS) -> ReliabilityBins:  # fmt: skip
    """Rows grouped into ``bins`` equal-width bins of probability (1.0 in the last)."""
    actual = np.asarray(labels, dtype=np.float64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    index = np.minimum((probabilities * bins).astype(np.int64), bins - 1)
    counts = np.bincount(index, minlength=bins)
    sums = np.bincount(index, weights=probabilities, minlength=bins)
    hits = np.bincount(index, weights=actual, minlength=bins)
    kept = counts > 0
    return ReliabilityBins(counts[kept], sums[kept] / counts[kept], hits[kept] / counts[kept])


def expected_calibration_error(labels: np.ndarray, probabilities: np.ndarray,
                               bins: int = ECE_BINS) -> float:  # fmt: skip
    """The ECE of ``probabilities`` against 0/1 ``labels`` (NaN without rows)."""
    found = reliability_bins(labels, probabilities, bins)
    total = int(found.counts.sum())
    if total == 0:
        return math.nan
    gaps = np.abs(found.frequency - found.confidence)
    return float(np.sum(found.counts * gaps) / total)


def brier_score(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Mean squared difference between probability and 0/1 label (NaN without rows)."""
    actual = np.asarray(labels, dtype=np.float64)
    if actual.size == 0:
        return math.nan
    return float(np.mean((np.asarray(probabilities, dtype=np.float64) - actual) ** 2))


def plot_reliability(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
    path: str | Path,
    *,
    title: str = "",
    metadata: dict[str, str] | None = None,
) -> Path:
    """A reliability diagram: one line per ``label -> (labels, probabilities)``, marker
    areas proportional to the rows of each bin, with the diagonal of perfect calibration."""
    from mura_core.plotting import colour_cycle, fit_titles, new_figure

    figure, axis = new_figure(1, 1, figsize=(5.5, 5.0))
    axis.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfectly calibrated")
    colours = colour_cycle()
    for index, (label, (actual, probabilities)) in enumerate(curves.items()):
        found = reliability_bins(actual, probabilities)
        ece = expected_calibration_error(actual, probabilities)
        colour = colours[index % len(colours)]
        axis.plot(found.confidence, found.frequency, color=colour, marker="",
                  label=f"{label} (ECE {ece:.3f})")  # fmt: skip
        sizes = 200 * found.counts / max(1, int(found.counts.sum()))
        axis.scatter(found.confidence, found.frequency, s=sizes + 8, color=colour,
                     clip_on=False)  # markers at 0 and 1 are drawn whole
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    axis.set_xlabel("predicted probability of abnormal (bin mean)")
    axis.set_ylabel("fraction abnormal")
    axis.set_title(title, fontsize="small")
    axis.legend(fontsize="small", loc="upper left")
    fit_titles(figure)
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, dpi=90, metadata=metadata)
    return path
