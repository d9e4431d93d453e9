"""The fixed sets of values the package accepts, each defined once as a ``Literal``.

Everything else (validation, the CLI's ``choices``, messages, docs) derives from these
with :func:`typing.get_args`. Body parts and preprocessing modes belong to the registry
(:data:`registry.BodyPart`, :data:`registry.Preprocessing`). This module imports
nothing heavy, so the CLI can build its parser from it instantly.
"""

from __future__ import annotations

import typing
from typing import Literal

#: How ``--weight-classes`` balances the classes: over all images (the report) or
#: within each body part (the MURA paper).
Weighting = Literal["balanced", "body_part"]
#: The values of :data:`~mura_core.vocabulary.Weighting`, as a tuple.
WEIGHTINGS: tuple[str, ...] = typing.get_args(Weighting)

#: How training is spread over devices.
Strategy = Literal["default", "mirrored"]
STRATEGIES: tuple[str, ...] = typing.get_args(Strategy)

#: How thoroughly the loader checks image files: existence, PNG structure, full decode.
Check = Literal["exists", "verify", "full"]
#: The values of :data:`~mura_core.vocabulary.Check`, as a tuple.
CHECKS: tuple[str, ...] = typing.get_args(Check)

#: Subsets of a patient-level split.
Subset = Literal["train", "validation", "test"]
SUBSETS: tuple[str, ...] = typing.get_args(Subset)

#: Subsets a run is evaluated on: ``test`` is MURA ``valid``, ``validation`` the
#: held-out patients of MURA ``train``.
EvaluationSubset = Literal["test", "validation"]
EVALUATION_SUBSETS: tuple[str, ...] = typing.get_args(EvaluationSubset)

#: How pixels warped in from outside the image are filled by augmentation.
FillMode = Literal["constant", "reflect", "wrap", "nearest"]
FILL_MODES: tuple[str, ...] = typing.get_args(FillMode)

#: XLA compilation of the train step (``auto``: Keras decides).
XlaMode = Literal["auto", "on", "off"]
XLA_MODES: tuple[str, ...] = typing.get_args(XlaMode)

#: Where ``mura sweep`` runs its trials: Ray Tune, or one after the other in-process.
Engine = Literal["ray", "local"]
ENGINES: tuple[str, ...] = typing.get_args(Engine)

#: How a sweep decides which trials go on: all to the end, or ASHA early stopping.
Scheduler = Literal["fifo", "asha"]
SCHEDULERS: tuple[str, ...] = typing.get_args(Scheduler)

#: Validation metrics a sweep's scheduler may compare runs by (``val_loss`` is minimised).
SweepMetric = Literal["val_kappa", "val_auc", "val_accuracy", "val_loss"]
SWEEP_METRICS: tuple[str, ...] = typing.get_args(SweepMetric)

#: What became of one run of a sweep.
SweepStatus = Literal["complete", "failed", "stopped", "skipped"]
SWEEP_STATUSES: tuple[str, ...] = typing.get_args(SweepStatus)

#: Formats ``mura export`` writes: a TensorFlow SavedModel, a LiteRT (TFLite) flatbuffer,
#: an ONNX graph.
ExportFormat = Literal["savedmodel", "tflite", "onnx"]
EXPORT_FORMATS: tuple[str, ...] = typing.get_args(ExportFormat)

#: Post-training quantisation of a TFLite export (``none``: float32 weights).
Quantize = Literal["none", "float16", "int8"]
QUANTIZATIONS: tuple[str, ...] = typing.get_args(Quantize)

__all__ = [
    "EXPORT_FORMATS",
    "QUANTIZATIONS",
    "ExportFormat",
    "Quantize",
    "CHECKS",
    "ENGINES",
    "SCHEDULERS",
    "SWEEP_METRICS",
    "SWEEP_STATUSES",
    "EVALUATION_SUBSETS",
    "FILL_MODES",
    "STRATEGIES",
    "SUBSETS",
    "WEIGHTINGS",
    "XLA_MODES",
    "Check",
    "Engine",
    "EvaluationSubset",
    "FillMode",
    "Strategy",
    "Scheduler",
    "Subset",
    "SweepMetric",
    "SweepStatus",
    "Weighting",
    "XlaMode",
]
