"""Calibrate a run on its validation studies and record it (``mura calibrate``).

Only the run's validation subset (the held-out patients of its ``split.csv``) is
predicted: the test set is never seen. The fit itself is
:func:`mura_core.calibration.fitting.fit_calibration`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from mura_core.calibration.fitting import (
    FITTED_SUBSET,
    FittedCalibration,
    check_calibratable,
    fit_calibration,
)
from mura_core.calibration.operating_point import OperatingRule

__all__ = ["calibrate_run", "validation_logits"]


def validation_logits(loaded: Any, data: Any, batch_size: int = 32) -> pd.DataFrame:
    """The run's validation images with their model's ``logit`` (column ``probability``
    of :func:`~mura_core.inference.predict_frame`, renamed)."""
    from mura_core.calibration.folding import logit_model
    from mura_core.inference.predictions import predict_frame
    from mura_core.inference.subsets import subset_frame

    check_calibratable(loaded.parsed)
    rows = subset_frame(loaded.folder, data, FITTED_SUBSET)
    predicted = predict_frame(logit_model(loaded.model), rows, loaded.parsed,
                              batch_size=batch_size)  # fmt: skip
    return predicted.rename(columns={"probability": "logit"})


def calibrate_run(
    loaded: Any, data: Any, rule: OperatingRule | None, *, batch_size: int = 32
) -> FittedCalibration:
    """Fit the calibration of a loaded single run on its validation studies, write
    ``calibration.json`` in its folder and record it in ``run.json``."""
    from mura_core.runs.artifacts import update_run_json
    from mura_core.timestamps import utc_now

    rows = validation_logits(loaded, data, batch_size)
    fitted = fit_calibration(rows, rule, weights=loaded.weights.path.name, fitted=utc_now())
    fitted.calibration.write(loaded.folder.calibration)
    update_run_json(loaded.folder.run_json, calibration=fitted.calibration.summary())
    return fitted
