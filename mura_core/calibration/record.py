"""``calibration.json``: a run's temperature and operating point, one validated schema.

``mura calibrate`` writes it in the run folder (:attr:`RunFolder.calibration
<mura_core.runs.layout.RunFolder.calibration>`) (and a summary under ``calibration`` in
``run.json``); ``predict``, ``submit``, ``explain`` and ``export`` read it through
:func:`read_calibration`, which refuses a damaged file in one line naming the field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mura_core.errors import MuraError
from mura_core.evaluation.studies import STUDY_THRESHOLD

__all__ = ["Calibration", "FittedOn", "OperatingPoint", "read_calibration"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OperatingPoint(_Record):
    """The study threshold chosen by ``rule`` (on calibrated probabilities)."""

    rule: str = Field(min_length=1, max_length=64)
    threshold: float = Field(ge=0.0, le=1.0)


class FittedOn(_Record):
    """The rows the calibration was fitted on: the run's validation subset."""

    subset: str
    images: int = Field(ge=1)
    studies: int = Field(ge=1)


class Calibration(_Record):
    """A run's temperature (applied to its logit) and, if chosen, its operating point."""

    temperature: float = Field(gt=0.0, le=1000.0)
    operating_point: OperatingPoint | None = None
    weights: str = Field(min_length=1)
    fitted_on: FittedOn
    fitted: str | None = None

    @property
    def threshold(self) -> float:
        """The study threshold: the operating point's, else 0.5."""
        return STUDY_THRESHOLD if self.operating_point is None else self.operating_point.threshold

    def summary(self) -> dict[str, Any]:
        """What ``run.json``, ``export.json`` and the model card record of it."""
        return {
            "temperature": self.temperature,
            "threshold": self.threshold,
            "rule": None if self.operating_point is None else self.operating_point.rule,
            "weights": self.weights,
            "fitted_on": self.fitted_on.subset,
        }

    def write(self, path: str | Path) -> Path:
        """Write the record to ``path`` at once (a temporary file renamed)."""
        from mura_core.runs.artifacts import write_json_atomic

        return write_json_atomic(path, self.model_dump(mode="json"))


def read_calibration(path: str | Path) -> Calibration | None:
    """The validated calibration record at ``path`` (``None``: the run is not calibrated).

    Raises:
        MuraError: unreadable, not JSON, or a field that is wrong, named.
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        return Calibration.model_validate(content)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        if isinstance(error, ValidationError):
            first = error.errors(include_url=False)[0]
            where = ".".join(str(part) for part in first["loc"]) or "the record"
            raise MuraError(f"{path}: {where}: {first['msg']}") from None
        raise MuraError(f"{path}: unreadable ({type(error).__name__})") from None
