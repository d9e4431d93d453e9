"""What ``mura evaluate`` adds for calibration: the figures before and after a run's
temperature, the study decisions at 0.5 and at its operating point, and (``--plot``)
the reliability diagram."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["CalibrationReport"]

#: ``(level, figure)`` rows of the before/after table.
_FIGURES = ("brier", "ece", "auc", "kappa")


class CalibrationReport:
    """The calibration sections of one evaluation ``result`` (``evaluate_run``) of a run
    with ``calibration`` (``None``: not calibrated, and the sections are empty)."""

    def __init__(self, result: Any, calibration: Any, resamples: int) -> None:
        from mura_core.evaluation import STUDY_THRESHOLD
        from mura_core.evaluation.operating import score_thresholds

        self.result, self.calibration = result, calibration
        thresholds = {} if calibration is None else {"0.5": STUDY_THRESHOLD}
        point = None if calibration is None else calibration.operating_point
        if point is not None:
            thresholds[f"chosen ({point.rule})"] = point.threshold
        self.thresholds = score_thresholds(result.predictions, thresholds, resamples=resamples)

    def to_dict(self) -> dict[str, Any]:
        """``calibration`` (the run's, or ``None``), ``uncalibrated`` scores and the
        ``operating_points``."""
        before = self.result.uncalibrated
        return {
            "calibration": None if self.calibration is None else self.calibration.summary(),
            "uncalibrated": None if before is None else before.to_dict(),
            "operating_points": [row.to_dict() for row in self.thresholds],
        }

    def text(self) -> str:
        """The before/after table (calibrated runs) and the decisions table."""
        from mura_core.evaluation import format_table
        from mura_core.evaluation.operating import operating_table

        sections = []
        before, after = self.result.uncalibrated, self.result.evaluation
        if before is not None:
            rows = [[level, figure, getattr(getattr(before, level), figure),
                     getattr(getattr(after, level), figure)]
                    for level in ("image", "study") for figure in _FIGURES]  # fmt: skip
            table = format_table(rows, ["level", "figure", "before", "after"])
            temperature = self.calibration.temperature
            sections.append(f"temperature {temperature:.3f} (fitted on validation studies)"
                            f"\n{table}")
        if self.thresholds:
            sections.append(operating_table(self.thresholds))
        return "\n\n".join(sections)

    def plot(self, path: Path, title: str) -> Path:
        """The reliability diagram of image and study probabilities (before and after
        calibration, for a calibrated run)."""
        from mura_core.evaluation import aggregate_studies
        from mura_core.evaluation.reliability import plot_reliability

        predictions = self.result.predictions
        columns = {"": "probability"}
        if self.result.uncalibrated is not None:
            columns = {" before": "uncalibrated", " after": "probability"}
        curves = {}
        for suffix, column in columns.items():
            images = predictions.assign(probability=predictions[column])
            studies = aggregate_studies(images)
            for level, frame in (("image", images), ("study", studies)):
                curves[f"{level}{suffix}"] = (frame["label"].to_numpy(),
                                              frame["probability"].to_numpy())  # fmt: skip
        return plot_reliability(curves, path, title=title)

