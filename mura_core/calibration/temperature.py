"""Temperature scaling: a model's logit ``z`` becomes the probability ``sigmoid(z / T)``.

The temperature ``T`` is fitted by minimising the binary cross-entropy of the study
probabilities (each study's mean of its images' scaled probabilities, as MURA scores a
study) against the study labels. ``T > 1`` softens an over-confident model; the order of
the image probabilities, hence image-level AUC, is unchanged (study means may reorder).
"""

from __future__ import annotations

import numpy as np

from mura_core.errors import MuraError

__all__ = ["TEMPERATURE_BOUNDS", "fit_temperature", "logits", "scaled_probabilities"]

#: The range a fitted temperature is searched in.
TEMPERATURE_BOUNDS = (0.05, 50.0)

_EPSILON = 1e-12


def logits(probabilities: np.ndarray) -> np.ndarray:
    """``log(p / (1 - p))`` of probabilities, clipped away from 0 and 1."""
    clipped = np.clip(np.asarray(probabilities, dtype=np.float64), _EPSILON, 1 - _EPSILON)
    return np.log(clipped) - np.log1p(-clipped)


def scaled_probabilities(values: np.ndarray, temperature: float) -> np.ndarray:
    """``sigmoid(values / temperature)`` of logits ``values``."""
    z = np.asarray(values, dtype=np.float64) / temperature
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # a sigmoid that does not overflow


def _group_means(probabilities: np.ndarray, codes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    return np.bincount(codes, weights=probabilities, minlength=len(counts)) / counts


def fit_temperature(
    values: np.ndarray, labels: np.ndarray, groups: np.ndarray | None = None
) -> float:
    """The temperature minimising the cross-entropy of scaled probabilities.

    Args:
        values: one logit per image.
        labels: 0/1 per image (its study's label).
        groups: the study of each image; the loss is then taken over the studies' mean
            probabilities (``None``: over the images).

    Raises:
        MuraError: no rows, mismatched lengths, or a single class (nothing to fit).
    """
    from scipy.optimize import minimize_scalar

    values = np.asarray(values, dtype=np.float64)
    labels = np.asarray(labels).astype(np.float64)
    if values.size == 0 or values.shape != labels.shape or not np.isfinite(values).all():
        raise MuraError("temperature scaling needs finite logits with one label each")
    codes = np.arange(len(values)) if groups is None else np.unique(groups, return_inverse=True)[1]
    counts = np.bincount(codes).astype(np.float64)
    targets = _group_means(labels, codes, counts)
    if np.all(targets == targets[0]):
        raise MuraError("temperature scaling needs both normal and abnormal studies")

    def loss(log_temperature: float) -> float:
        p = _group_means(scaled_probabilities(values, np.exp(log_temperature)), codes, counts)
        p = np.clip(p, _EPSILON, 1 - _EPSILON)
        return float(-np.mean(targets * np.log(p) + (1 - targets) * np.log1p(-p)))

    low, high = np.log(TEMPERATURE_BOUNDS)
    found = minimize_scalar(loss, bounds=(low, high), method="bounded",
                            options={"xatol": 1e-5})  # fmt: skip
    return float(np.exp(found.x))
