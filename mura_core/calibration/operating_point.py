"""The operating point: the study-probability threshold chosen by a documented rule.

A study is called abnormal when its probability is above the threshold. The candidate
thresholds are 0.5 and the midpoints between consecutive distinct study probabilities
(plus one below the lowest and one above the highest), so every distinct way of
splitting the studies is tried once. The rules (:data:`RULE_KINDS`):

* ``kappa``: the threshold of the highest Cohen's kappa (the MURA metric); among equal
  kappas, the one closest to 0.5;
* ``sensitivity=S``: the highest threshold whose sensitivity is at least ``S`` (the best
  specificity that keeps it);
* ``specificity=S``: the lowest threshold whose specificity is at least ``S`` (the best
  sensitivity that keeps it).
"""

from __future__ import annotations

import math
import typing
from dataclasses import dataclass
from typing import Literal

import numpy as np

from mura_core.errors import MuraError

__all__ = ["RULE_KINDS", "OperatingRule", "RuleKind", "choose_threshold"]

#: What an operating-point rule optimises or fixes.
RuleKind = Literal["kappa", "sensitivity", "specificity"]
#: The values of :data:`~mura_core.calibration.operating_point.RuleKind`, as a tuple.
RULE_KINDS: tuple[str, ...] = typing.get_args(RuleKind)


@dataclass(frozen=True)
class OperatingRule:
    """A rule choosing the threshold: ``kind`` and, for a fixed side, its ``target``."""

    kind: RuleKind
    target: float | None = None

    @classmethod
    def parse(cls, text: str) -> OperatingRule:
        """``kappa``, ``sensitivity=0.9`` or ``specificity=0.95``.

        Raises:
            MuraError: another form, naming what was expected.
        """
        kind, _, target = text.strip().partition("=")
        if kind == "kappa" and not target:
            return cls("kappa")
        if kind in ("sensitivity", "specificity") and target:
            try:
                value = float(target)
            except ValueError:
                value = math.nan
            if 0.0 < value <= 1.0:
                return cls(kind, value)  # type: ignore[arg-type]
            raise MuraError(f"--operating-point {text}: {kind} must be a number in (0, 1]")
        raise MuraError(f"--operating-point {text}: expected kappa, sensitivity=S or "
                        "specificity=S (S in (0, 1])")  # fmt: skip

    def __str__(self) -> str:
        return self.kind if self.target is None else f"{self.kind}={self.target:g}"


def _candidates(probabilities: np.ndarray) -> np.ndarray:
    distinct = np.unique(probabilities)
    middles = (distinct[1:] + distinct[:-1]) / 2
    ends = [max(distinct[0] - 1e-6, 0.0), min(distinct[-1] + 1e-6, 1.0)]
    return np.unique(np.concatenate([[0.5], middles, ends]))


def _rates(actual: np.ndarray, probabilities: np.ndarray, thresholds: np.ndarray) -> tuple:
    """Confusion counts (tn, fp, fn, tp) at each threshold."""
    predicted = probabilities[None, :] > thresholds[:, None]
    tp = (predicted & actual).sum(axis=1).astype(float)
    fp = (predicted & ~actual).sum(axis=1).astype(float)
    fn = actual.sum() - tp
    tn = (~actual).sum() - fp
    return tn, fp, fn, tp


def choose_threshold(labels: np.ndarray, probabilities: np.ndarray, rule: OperatingRule) -> float:
    """The threshold ``rule`` chooses on studies' ``labels`` and ``probabilities``.

    Raises:
        MuraError: no studies, a single class, or a target no threshold reaches.
    """
    from mura_core.evaluation.scores import kappa_from_confusion

    actual = np.asarray(labels).astype(int) > 0
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if actual.size == 0 or actual.all() or not actual.any():
        raise MuraError("choosing an operating point needs normal and abnormal studies")
    thresholds = _candidates(probabilities)
    tn, fp, fn, tp = _rates(actual, probabilities, thresholds)
    if rule.kind == "kappa":
        kappas = np.array([kappa_from_confusion(*row) for row in zip(tn, fp, fn, tp)])
        best = np.flatnonzero(np.isclose(kappas, kappas.max(), rtol=0, atol=1e-12))
        return float(thresholds[best[np.argmin(np.abs(thresholds[best] - 0.5))]])
    rate = tp / (tp + fn) if rule.kind == "sensitivity" else tn / (tn + fp)
    kept = np.flatnonzero(rate >= rule.target - 1e-12)
    if kept.size == 0:
        raise MuraError(f"no threshold reaches {rule} on these studies")
    return float(thresholds[kept.max() if rule.kind == "sensitivity" else kept.min()])
