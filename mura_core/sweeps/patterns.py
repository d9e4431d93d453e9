"""Sweep patterns: run names with brace alternatives and integer ranges.

``cnn_in.64.64.1_cl.{3,4}.1_..._{ld,spdp}.0.25__{wc,wc_aug}`` expands to every
combination, left to right; ``{3..6}`` is an integer range (``{6..3}`` counts down,
``{01..10}`` keeps the zero padding) and groups may nest (``{a,b{1,2}}``); the brace
grammar and its bounds are ``mura_core.sweeps.braces``. The names of a sweep are
counted before any is expanded, and more than ``--max-runs`` is refused. Every expanded
name is then resolved as ``mura train`` resolves it (the run flags merged into its suffix)
and validated before anything starts: all invalid names are reported together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mura_core.errors import InputProblems, MuraError
from mura_core.sweeps.braces import count_names, expand, names_of, parse_pattern

__all__ = ["DEFAULT_MAX_RUNS", "PlannedRun", "SweepPlanError", "expand", "expand_all", "plan_runs"]

#: How many names the patterns of one sweep may expand to unless ``--max-runs`` says more.
DEFAULT_MAX_RUNS = 1000


class SweepPlanError(InputProblems):
    """Several names of a sweep are invalid: one line each in ``problems``."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(list(problems), "invalid name")


def expand_all(patterns: Sequence[str], max_runs: int = DEFAULT_MAX_RUNS) -> list[str]:
    """Every name of ``patterns``, in order; more than ``max_runs`` names is refused,
    counted before any pattern is expanded.

    Raises:
        MuraError: a malformed pattern, or too many names.
    """
    trees = [parse_pattern(pattern.strip()) for pattern in patterns]
    total = 0
    for tree in trees:
        total += count_names(tree)
        if total > max_runs:
            raise MuraError(
                f"the patterns expand past {max_runs} names; narrow them or raise --max-runs"
            )
    return [name for tree in trees for name in names_of(tree)]


@dataclass(frozen=True)
class PlannedRun:
    """One run of a sweep: the name as expanded and its canonical run name."""

    given: str
    name: str


def plan_runs(
    patterns: Sequence[str],
    *,
    weight_classes: bool | None = None,
    augment: bool | None = None,
    body_part: str | None = None,
    max_runs: int = DEFAULT_MAX_RUNS,
) -> list[PlannedRun]:
    """Expand, resolve and validate the names of a sweep; duplicates run once.

    Each name is resolved as ``mura train`` does (the run flags merged into its suffix)
    and its model checked against the family's size limit.

    Raises:
        SweepPlanError: one or more invalid names (each on its own line).
        MuraError: a malformed pattern, or too many names.
    """
    import registry
    from mura_core.training.context import resolve_run_name

    if not patterns:
        raise MuraError("give at least one pattern (or --file with a patterns list)")
    planned: dict[str, PlannedRun] = {}
    problems: list[str] = []
    for given in expand_all(patterns, max_runs):
        try:
            parsed = resolve_run_name(
                given, weight_classes=weight_classes, augment=augment, body_part=body_part
            )
            registry.get_registry().check_size(parsed)
        except (MuraError, registry.RegistryError) as error:
            problems.append(InputProblems.line(given, error))
            continue
        planned.setdefault(parsed.full_name, PlannedRun(given, parsed.full_name))
    if problems:
        raise SweepPlanError(problems)
    return list(planned.values())
