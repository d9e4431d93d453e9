"""Fit a calibration on image logits and labels: the temperature first
(:mod:`~mura_core.calibration.temperature`), then the operating point on the calibrated
study probabilities (:mod:`~mura_core.calibration.operating_point`). Predicting a run's
validation rows is :mod:`mura_core.inference.calibrating`'s."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mura_core.calibration.operating_point import OperatingRule, choose_threshold
from mura_core.calibration.record import Calibration, FittedOn, OperatingPoint
from mura_core.calibration.temperature import fit_temperature, scaled_probabilities
from mura_core.errors import MuraError

__all__ = ["FITTED_SUBSET", "FittedCalibration", "check_calibratable", "fit_calibration"]

#: The subset a calibration is fitted on.
FITTED_SUBSET = "validation"


@dataclass(frozen=True)
class FittedCalibration:
    """A calibration and the validation figures before and after it."""

    calibration: Calibration
    ece_before: float
    ece_after: float


def check_calibratable(parsed: Any) -> None:
    """Refuse an ensemble (its members' runs are calibrated one by one).

    Raises:
        MuraError: ``parsed`` names an ensemble.
    """
    if parsed.is_ensemble:
        raise MuraError(f"{parsed.full_name} is an ensemble: calibration applies to single "
                        "runs (calibrate its members' runs)")  # fmt: skip


def fit_calibration(
    rows: pd.DataFrame, rule: OperatingRule | None, *, weights: str, fitted: str | None = None
) -> FittedCalibration:
    """Fit the temperature on ``rows`` (``study``, ``label``, ``logit`` per image) and,
    with ``rule``, choose the study threshold on the calibrated probabilities."""
    from mura_core.evaluation import aggregate_studies
    from mura_core.evaluation.reliability import expected_calibration_error

    values = rows["logit"].to_numpy(dtype=np.float64)
    temperature = fit_temperature(values, rows["label"].to_numpy(), rows["study"].to_numpy())
    before = aggregate_studies(rows.assign(probability=scaled_probabilities(values, 1.0)))
    after = aggregate_studies(rows.assign(probability=scaled_probabilities(values, temperature)))
    point = None
    if rule is not None:
        threshold = choose_threshold(after["label"], after["probability"], rule)
        point = OperatingPoint(rule=str(rule), threshold=threshold)
    calibration = Calibration(
        temperature=temperature,
        operating_point=point,
        weights=weights,
        fitted_on=FittedOn(subset=FITTED_SUBSET, images=len(rows), studies=len(after)),
        fitted=fitted,
    )
    return FittedCalibration(
        calibration,
        expected_calibration_error(before["label"], before["probability"]),
        expected_calibration_error(after["label"], after["probability"]),
    )
