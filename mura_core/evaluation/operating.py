"""Study-level decisions at given thresholds: confusion matrix, sensitivity and
specificity with bootstrap 95% intervals (``mura evaluate`` on a run with an operating
point: at 0.5 and at the chosen threshold)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from mura_core.evaluation.scores import bootstrap_rates, score_binary
from mura_core.evaluation.studies import aggregate_studies
from mura_core.evaluation.tables import format_table

__all__ = ["ThresholdScores", "operating_table", "score_thresholds"]


@dataclass(frozen=True)
class ThresholdScores:
    """Study-level figures at one threshold (``name``: where it comes from)."""

    name: str
    threshold: float
    tn: int
    fp: int
    fn: int
    tp: int
    kappa: float
    sensitivity: float
    sensitivity_low: float
    sensitivity_high: float
    specificity: float
    specificity_low: float
    specificity_high: float

    def to_dict(self) -> dict[str, object]:
        """JSON-ready (NaN becomes ``None``), with ``confusion_matrix`` ``[[tn, fp], [fn, tp]]``."""
        values = {key: None if isinstance(value, float) and math.isnan(value) else value
                  for key, value in asdict(self).items()}  # fmt: skip
        values["confusion_matrix"] = [[self.tn, self.fp], [self.fn, self.tp]]
        return values


def score_thresholds(
    predictions: pd.DataFrame,
    thresholds: Mapping[str, float],
    *,
    resamples: int = 1000,
    seed: int = 0,
) -> list[ThresholdScores]:
    """Score the studies of image ``predictions`` at each named threshold."""
    studies = aggregate_studies(predictions)
    labels = studies["label"].to_numpy()
    probabilities = studies["probability"].to_numpy(dtype=np.float64)
    found = []
    for name, threshold in thresholds.items():
        scores = score_binary(labels, probabilities, with_loss=False, resamples=0,
                              threshold=threshold)  # fmt: skip
        rates = bootstrap_rates(labels > 0, probabilities > threshold, resamples=resamples,
                                seed=seed)  # fmt: skip
        found.append(ThresholdScores(
            name, float(threshold), scores.tn, scores.fp, scores.fn, scores.tp, scores.kappa,
            scores.sensitivity, *rates["sensitivity"], scores.specificity, *rates["specificity"],
        ))  # fmt: skip
    return found


def _interval(value: float, low: float, high: float) -> str:
    if math.isnan(value):
        return "-"
    if math.isnan(low) or math.isnan(high):
        return f"{value:.3f}"
    return f"{value:.3f} [{low:.3f}, {high:.3f}]"


def operating_table(rows: list[ThresholdScores]) -> str:
    """One line per threshold: confusion counts, kappa, sensitivity and specificity with
    their 95% intervals."""
    return format_table(
        [[row.name, row.threshold, row.tn, row.fp, row.fn, row.tp, row.kappa,
          _interval(row.sensitivity, row.sensitivity_low, row.sensitivity_high),
          _interval(row.specificity, row.specificity_low, row.specificity_high)]
         for row in rows],
        ["study threshold", "value", "tn", "fp", "fn", "tp", "kappa",
         "sensitivity (95% CI)", "specificity (95% CI)"],
        digits=4,
    )  # fmt: skip
