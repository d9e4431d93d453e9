"""The ranges of the numeric flags, defined once, stated in each flag's help and checked
before any command runs.

Every count has an upper bound, so that no flag asks for work or memory without end
(``mura synth --studies 10000000000000000000000`` is one line, not a hang). A command
may narrow or widen a range with ``parser.set_defaults(flag_limits=...)``.
:func:`document_limits` appends each flag's range to its help (and so to the CLI
reference of the docs); :func:`check_flags` refuses a value out of range (or not
finite) in one line naming the flag and its range. The selecting arguments are checked
too (:mod:`~mura_core.cli.selections`: never empty).
"""

from __future__ import annotations

import argparse
import math

from mura_core.cli.selections import check_selections
from mura_core.errors import MuraError
from registry.tokens import Limits

__all__ = ["check_text", "FLAG_LIMITS", "check_flags", "document_limits", "limits_of"]

#: Every numeric flag's range, whichever command takes it.
FLAG_LIMITS: dict[str, Limits] = {
    # training
    "--epochs": Limits(low=1, high=10_000),
    "--batch-size": Limits(low=1, high=4096),
    "--learning-rate": Limits(low=0, high=10, low_open=True),
    "--seed": Limits(low=0, high=2**32 - 1),
    "--validation-fraction": Limits(low=0, high=1, low_open=True, high_open=True),
    "--patience": Limits(low=0, high=10_000),
    "--lr-factor": Limits(low=0, high=1, low_open=True, high_open=True),
    "--lr-patience": Limits(low=0, high=10_000),
    "--lr-min": Limits(low=0, high=10),
    "--limit": Limits(low=1, high=10_000_000),  # images per subset; MURA has 40,005
    # evaluation and export
    "--resamples": Limits(low=0, high=100_000),
    "--parity-images": Limits(low=1, high=100_000),
    # many runs
    "--cpus-per-run": Limits(low=0, high=1024, low_open=True),
    "--gpus-per-run": Limits(low=0, high=64),
    "--max-concurrent": Limits(low=1, high=10_000),
    "--max-runs": Limits(low=1, high=100_000),
    "--grace-period": Limits(low=1, high=10_000),
    # synthetic data (MURA has 14,656 studies)
    "--studies": Limits(low=1, high=100_000),
    "--max-side": Limits(low=16, high=4096),
    "--workers": Limits(low=1, high=512),
    "--label-noise": Limits(low=0, high=0.5),
    "--valid-fraction": Limits(low=0, high=1, high_open=True),
}


def _attribute(flag: str) -> str:
    return flag.removeprefix("--").replace("-", "_")


def _in(limits: Limits) -> str:
    """``in [1, 4096]`` (or ``>= 0`` for a range open above)."""
    text = str(limits)
    return f"in {text}" if text[0] in "[(" else text


def limits_of(parser: argparse.ArgumentParser) -> dict[str, Limits]:
    """The ranges of ``parser``'s numeric flags: :data:`FLAG_LIMITS` and its own."""
    return {**FLAG_LIMITS, **(parser.get_default("flag_limits") or {})}


def document_limits(parser: argparse.ArgumentParser) -> None:
    """Append its range to the help of every numeric flag of ``parser`` and of its
    sub-commands (``default: 32`` becomes ``default: 32; in [1, 4096]``)."""
    limits = limits_of(parser)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                document_limits(child)
            continue
        flag = next((name for name in action.option_strings if name in limits), None)
        if flag is not None and action.help != argparse.SUPPRESS:
            action.help = "; ".join(filter(None, [action.help, _in(limits[flag])]))


def check_flags(args: argparse.Namespace) -> None:
    """Check the numeric flags of ``args`` against their ranges, and its selections.

    Raises:
        MuraError: a flag out of its range, or not a finite number; an empty selection.
    """
    check_selections(args)
    limits_by_flag = {**FLAG_LIMITS, **getattr(args, "flag_limits", {})}
    for flag, limits in limits_by_flag.items():
        value = getattr(args, _attribute(flag), None)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if not math.isfinite(value) or not limits.contains(value):
            raise MuraError(f"{flag} must be a finite number {_in(limits)} (got {value})")


def check_text(args: argparse.Namespace) -> None:
    """Refuse a NUL character in any argument: no name, path or value may hold one.

    Raises:
        MuraError: naming the argument.
    """
    for attribute, value in vars(args).items():
        values = value if isinstance(value, (list, tuple)) else [value]
        if any(isinstance(item, str) and "\x00" in item for item in values):
            raise MuraError(f"{attribute.replace('_', '-')}: holds a NUL character, which no "
                            "name, path or value may hold")  # fmt: skip
