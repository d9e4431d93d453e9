"""A calibrated run as the commands that use it see it: temperature folded into its
model, the study threshold of its operating point."""

from __future__ import annotations

import logging
from typing import Any

from mura_core.calibration.record import Calibration, read_calibration
from mura_core.evaluation.studies import STUDY_THRESHOLD

__all__ = ["apply_calibration", "recorded_calibration", "study_threshold"]

logger = logging.getLogger("mura.runs")


def recorded_calibration(loaded: Any) -> Calibration | None:
    """The calibration recorded for the loaded run's weights (``None``: none, an
    ensemble, or one fitted for other weights, with a note on stderr)."""
    if hasattr(loaded, "predict_rows"):  # ensembles are not calibrated as a whole
        return None
    calibration = read_calibration(loaded.folder.calibration)
    if calibration is not None and calibration.weights != loaded.weights.path.name:
        logger.warning("mura: note: the run's calibration was fitted for weights %s, not "
                       "%s; probabilities are not calibrated", calibration.weights,
                       loaded.weights.path.name)  # fmt: skip
        return None
    return calibration


def apply_calibration(loaded: Any) -> Calibration | None:
    """Fold the recorded temperature into ``loaded.model`` (once) and return the
    calibration (``None``: uncalibrated, the model unchanged)."""
    from mura_core.calibration.folding import fold_temperature

    if getattr(loaded, "calibration", None) is not None:
        return loaded.calibration
    calibration = recorded_calibration(loaded)
    if calibration is not None:
        fold_temperature(loaded.model, calibration.temperature)
        loaded.calibration = calibration
    return calibration


def study_threshold(calibration: Calibration | None) -> float:
    """The threshold a study's probability is called abnormal above."""
    return STUDY_THRESHOLD if calibration is None else calibration.threshold
