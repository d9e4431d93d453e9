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
WEIGHTINGS: tuple[str, ...] = typing.get_args(Weighting)

#: How training is spread over devices.
Strategy = Literal["default", "mirrored"]
STRATEGIES: tuple[str, ...] = typing.get_args(Strategy)

#: How thoroughly the loader checks image files: existence, PNG structure, full decode.
Check = Literal["exists", "verify", "full"]
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

__all__ = [
    "CHECKS",
    "EVALUATION_SUBSETS",
    "FILL_MODES",
    "STRATEGIES",
    "SUBSETS",
    "WEIGHTINGS",
    "XLA_MODES",
    "Check",
    "EvaluationSubset",
    "FillMode",
    "Strategy",
    "Subset",
    "Weighting",
    "XlaMode",
]
