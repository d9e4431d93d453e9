"""The ranges of the numeric flags, defined once and checked before any command runs.

:func:`check_flags` looks at every flag of :data:`FLAG_LIMITS` that the parsed command
has; a command may narrow or widen a range with ``parser.set_defaults(flag_limits=...)``.
A value out of range (or not finite) is one line naming the flag and its range. The
selecting arguments are checked too (:mod:`~mura_core.cli.selections`: never empty).
"""

from __future__ import annotations

import argparse
import math

from mura_core.cli.selections import check_selections
from mura_core.errors import MuraError
from registry.tokens import Limits

__all__ = ["FLAG_LIMITS", "check_flags"]

#: Every numeric flag's range, whichever command takes it.
FLAG_LIMITS: dict[str, Limits] = {
    "--epochs": Limits(low=1),
    "--batch-size": Limits(low=1),
    "--learning-rate": Limits(low=0, low_open=True),
    "--seed": Limits(low=0, high=2**32 - 1),
    "--validation-fraction": Limits(low=0, high=1, low_open=True, high_open=True),
    "--patience": Limits(low=0),
    "--limit": Limits(low=1),
    "--resamples": Limits(low=0),
    "--cpus-per-run": Limits(low=0, low_open=True),
    "--gpus-per-run": Limits(low=0),
    "--max-concurrent": Limits(low=1),
    "--max-runs": Limits(low=1),
    "--grace-period": Limits(low=1),
    "--parity-images": Limits(low=1),
}


def _attribute(flag: str) -> str:
    return flag.removeprefix("--").replace("-", "_")


def check_flags(args: argparse.Namespace) -> None:
    """Check the numeric flags of ``args`` against their ranges, and its selections.

    Raises:
        MuraError: a flag out of its range, or not a finite number; an empty selection.
    """
    check_selections(args)
    limits_of = {**FLAG_LIMITS, **getattr(args, "flag_limits", {})}
    for flag, limits in limits_of.items():
        value = getattr(args, _attribute(flag), None)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if not math.isfinite(value) or not limits.contains(value):
            text = str(limits)
            where = f"in {text}" if text[0] in "[(" else text
            raise MuraError(f"{flag} must be a finite number {where} (got {value})")
