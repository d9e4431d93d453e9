"""From ``mura sweep``'s arguments (and its ``--file``) to planned runs and their settings."""

from __future__ import annotations

import argparse
from typing import Any

from mura_core.errors import MuraError

__all__ = ["apply_train_table", "configs_from_args", "plan_from_args"]

#: Spellings of the sweep file's ``[train]`` keys that name another flag.
_ALIASES = {"out": "runs"}


def _train_actions() -> dict[str, argparse.Action]:
    """``mura train``'s flags (and ``--data``), by destination."""
    from mura_core.cli.train import add_train_flags

    probe = argparse.ArgumentParser(add_help=False)
    probe.add_argument("--data")
    add_train_flags(probe)
    return {action.dest: action for action in probe._actions}


def _checked(action: argparse.Action, key: str, value: Any, where: str) -> Any:
    """``value`` if it suits the flag of ``action``, else a one-line error."""
    flag = action.option_strings[0]
    if action.nargs == 0:  # a switch
        expected, good = "true or false", isinstance(value, bool)
    elif action.type is int:
        expected, good = "a whole number", isinstance(value, int) and not isinstance(value, bool)
    elif action.type is float:
        expected = "a number"
        good = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        expected, good = "a string", isinstance(value, str)
    if good and action.choices is not None and value not in action.choices:
        expected, good = f"one of {', '.join(map(str, action.choices))}", False
    if not good:
        raise MuraError(f"{where}: [train] {key} ({flag}) must be {expected} (got {value!r})")
    return float(value) if action.type is float else value


def apply_train_table(args: argparse.Namespace, train: dict[str, Any], where: str) -> None:
    """Set the flags the ``[train]`` table names, unless given on the command line."""
    actions = _train_actions()
    for key, value in train.items():
        dest = _ALIASES.get(key, key)
        action = actions.get(dest)
        if action is None or dest == "help":
            raise MuraError(
                f"{where}: [train] has no flag --{key.replace('_', '-')} "
                "(its keys are mura train's flags)"
            )
        value = _checked(action, key, value, where)
        if getattr(args, dest) == action.default:
            setattr(args, dest, value)


def plan_from_args(args: argparse.Namespace) -> list[Any]:
    """The sweep's runs, every name validated (all invalid names reported together).

    Raises:
        SweepPlanError: invalid names, one line each.
        MuraError: a bad sweep file, a missing ``--data``, a malformed pattern.
    """
    from mura_core.cli.flags import check_flags
    from mura_core.sweeps import DEFAULT_MAX_RUNS, plan_runs
    from mura_core.sweeps.sweepfile import read_sweep_file

    patterns = list(args.patterns)
    if args.file:
        sweep_file = read_sweep_file(args.file)
        patterns += sweep_file.patterns
        apply_train_table(args, sweep_file.train, args.file)
        check_flags(args)
    if args.data is None and not args.dry_run:
        raise MuraError("mura sweep needs --data ROOT (or data in the sweep file's [train])")
    return plan_runs(
        patterns,
        weight_classes=args.weight_classes or None,
        augment=args.augment or None,
        body_part=args.body_part,
        max_runs=args.max_runs or DEFAULT_MAX_RUNS,
    )


def configs_from_args(args: argparse.Namespace, names: list[str]) -> list[Any]:
    """The settings of each run ``names`` holds: the flags over the run's preset recipe,
    checked as ``mura train`` checks them, with the run's name."""
    from dataclasses import replace

    from mura_core.cli.train import config_from_args

    if not names:
        return []
    if args.data is None:  # a dry run without --data: its runs are checked without one
        args = argparse.Namespace(**{**vars(args), "data": "."})
    # runs side by side: the sweep reports progress instead of each run's epochs
    return [replace(config_from_args(args, name), verbose=0) for name in names]
