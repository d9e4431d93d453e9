"""Binary classification scores with bootstrap intervals for Cohen's kappa, sensitivity
and specificity."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.metrics import roc_auc_score

from mura_core.evaluation.reliability import brier_score, expected_calibration_error

__all__ = [
    "BinaryScores",
    "bootstrap_confusions",
    "bootstrap_kappa",
    "bootstrap_rates",
    "kappa_from_confusion",
    "percentile_interval",
    "score_binary",
]

_EPSILON = 1e-7  # Keras' clipping of probabilities in binary cross-entropy


def kappa_from_confusion(
    tn: float, fp: float, fn: float, tp: float, *, undefined: float = 0.0
) -> float:
    """Cohen's kappa of a binary confusion matrix.

    Kappa is undefined when chance agreement is perfect (labels and predictions all
    the same single class) or there are no rows; ``undefined`` is returned then: 0.0 by
    default ("no agreement beyond chance", as the Keras metric), where scikit-learn
    returns NaN. Evaluation tables pass ``undefined=math.nan``.
    """
    total = tn + fp + fn + tp
    if total <= 0:
        return undefined
    observed = (tp + tn) / total
    expected = ((tp + fp) * (tp + fn) + (tn + fn) * (tn + fp)) / (total * total)
    if expected >= 1.0:
        return undefined
    return (observed - expected) / (1.0 - expected)


@dataclass(frozen=True)
class BinaryScores:
    """Scores of binary predictions (threshold 0.5) against labels.

    Undefined values (AUC or kappa with a single class, sensitivity without positives,
    ...) are NaN; ``loss`` is NaN when not computed (study level). ``brier`` and ``ece``
    (10 bins) measure calibration (:mod:`mura_core.evaluation.reliability`).
    """

    count: int
    positives: int
    loss: float
    auc: float
    brier: float
    ece: float
    accuracy: float
    kappa: float
    kappa_low: float
    kappa_high: float
    sensitivity: float
    specificity: float
    tn: int
    fp: int
    fn: int
    tp: int

    @property
    def confusion_matrix(self) -> list[list[int]]:
        """``[[tn, fp], [fn, tp]]``: rows are labels, columns predictions."""
        return [[self.tn, self.fp], [self.fn, self.tp]]

    def to_dict(self) -> dict[str, object]:
        """Plain, JSON-ready dictionary (NaN becomes ``None``)."""
        values = {
            key: (None if isinstance(value, float) and math.isnan(value) else value)
            for key, value in asdict(self).items()
        }
        values["kappa_ci"] = [values.pop("kappa_low"), values.pop("kappa_high")]
        values["confusion_matrix"] = self.confusion_matrix
        return values


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def bootstrap_confusions(
    actual: np.ndarray, predicted: np.ndarray, *, resamples: int = 1000, seed: int = 0
) -> np.ndarray:
    """Confusion counts ``[resamples, 4]`` (tn, fp, fn, tp) of rows resampled with
    replacement (empty without rows or resamples)."""
    count = len(actual)
    if count == 0 or resamples <= 0:
        return np.zeros((0, 4))
    rng = np.random.default_rng(seed)
    codes = np.asarray(actual).astype(np.int64) * 2 + np.asarray(predicted).astype(np.int64)
    counts = np.empty((resamples, 4))
    chunk = max(1, 4_000_000 // count)  # bound memory to a few million indices per step
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        sample = codes[rng.integers(0, count, size=(stop - start, count))]
        counts[start:stop] = np.stack([(sample == code).sum(axis=1) for code in range(4)], 1)
    return counts


def percentile_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """The percentile interval of ``values``, NaN left out (NaN when all are)."""
    values = np.asarray(values, dtype=np.float64)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return math.nan, math.nan
    tail = (1.0 - confidence) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def bootstrap_kappa(
    actual: np.ndarray,
    predicted: np.ndarray,
    *,
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of Cohen's kappa over resampled rows.

    Resamples where kappa is undefined (a single class throughout) are left out; the
    interval is NaN when every resample is.
    """
    counts = bootstrap_confusions(actual, predicted, resamples=resamples, seed=seed)
    kappas = [kappa_from_confusion(*row, undefined=math.nan) for row in counts]
    return percentile_interval(np.asarray(kappas), confidence)


def bootstrap_rates(
    actual: np.ndarray,
    predicted: np.ndarray,
    *,
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap intervals of ``sensitivity`` and ``specificity`` (resamples
    without positives, or without negatives, are left out of that rate's interval)."""
    counts = bootstrap_confusions(actual, predicted, resamples=resamples, seed=seed)
    tn, fp, fn, tp = counts.T if len(counts) else (np.zeros(0),) * 4
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "sensitivity": percentile_interval(tp / (tp + fn), confidence),
            "specificity": percentile_interval(tn / (tn + fp), confidence),
        }


def score_binary(
    labels: np.ndarray,
    probabilities: np.ndarray,
    *,
    with_loss: bool = True,
    resamples: int = 1000,
    seed: int = 0,
    threshold: float = 0.5,
) -> BinaryScores:
    """Score probabilities against 0/1 labels, called abnormal above ``threshold``.

    Args:
        labels: 0 (normal) or 1 (abnormal) per row.
        probabilities: predicted probability of abnormal per row.
        with_loss: also compute the mean binary cross-entropy.
        resamples: bootstrap resamples for kappa's interval (0 disables it).
        seed: seed of the bootstrap.
        threshold: the probability above which a row is predicted abnormal.
    """
    actual = np.asarray(labels).astype(int) > 0
    probabilities = np.asarray(probabilities, dtype=np.float64)
    predicted = probabilities > threshold
    tn = int(np.sum(~actual & ~predicted))
    fp = int(np.sum(~actual & predicted))
    fn = int(np.sum(actual & ~predicted))
    tp = int(np.sum(actual & predicted))
    count = len(actual)
    loss = math.nan
    if with_loss and count:
        clipped = np.clip(probabilities, _EPSILON, 1 - _EPSILON)
        loss = float(-np.mean(actual * np.log(clipped) + (~actual) * np.log(1 - clipped)))
    auc = float(roc_auc_score(actual, probabilities)) if 0 < tp + fn < count else math.nan
    low, high = bootstrap_kappa(actual, predicted, resamples=resamples, seed=seed)
    return BinaryScores(
        count=count,
        positives=tp + fn,
        loss=loss,
        auc=auc,
        brier=brier_score(actual, probabilities),
        ece=expected_calibration_error(actual, probabilities),
        accuracy=_ratio(tp + tn, count),
        kappa=kappa_from_confusion(tn, fp, fn, tp, undefined=math.nan),
        kappa_low=low,
        kappa_high=high,
        sensitivity=_ratio(tp, tp + fn),
        specificity=_ratio(tn, tn + fp),
        tn=tn,
        fp=fp,
        fn=fn,
        tp=tp,
    )
