"""Calibrated probabilities and a chosen operating point for a trained run.

``mura calibrate`` fits a temperature on the run's validation studies (never the test
set) and, with ``--operating-point``, chooses the study threshold; both are stored in
the run folder's ``calibration.json`` and applied wherever the run predicts. Importing
this package does not import TensorFlow.
"""

from mura_core.calibration.applying import apply_calibration, recorded_calibration, study_threshold
from mura_core.calibration.operating_point import RULE_KINDS, OperatingRule, choose_threshold
from mura_core.calibration.record import Calibration, read_calibration
from mura_core.calibration.temperature import fit_temperature, logits, scaled_probabilities

__all__ = [
    "RULE_KINDS",
    "Calibration",
    "OperatingRule",
    "apply_calibration",
    "choose_threshold",
    "fit_temperature",
    "logits",
    "read_calibration",
    "recorded_calibration",
    "scaled_probabilities",
    "study_threshold",
]
