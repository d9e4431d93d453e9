"""Sweep patterns: run names with brace alternatives and integer ranges.

``cnn_in.64.64.1_cl.{3,4}.1_..._{ld,spdp}.0.25__{wc,wc_aug}`` expands to every
combination, left to right; ``{3..6}`` is an integer range (``{6..3}`` counts down,
``{01..10}`` keeps the zero padding) and groups may nest (``{a,b{1,2}}``). Every expanded
name is then resolved as ``mura train`` resolves it (the run flags merged into its suffix)
and validated before anything starts: all invalid names are reported together.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from mura_core.errors import MuraError

__all__ = ["DEFAULT_MAX_RUNS", "SweepPlanError", "expand", "expand_all", "plan_runs"]

#: How many names the patterns of one sweep may expand to unless ``--max-runs`` says more.
DEFAULT_MAX_RUNS = 1000

_RANGE = re.compile(r"^(-?\d+)\.\.(-?\d+)$")


class SweepPlanError(MuraError):
    """Several names of a sweep are invalid: one line each in :attr:`problems`."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(f"{count} invalid name{'s' * (count != 1)}: {self.problems[0]}")


def _closing(pattern: str, start: int) -> int:
    """Index of the brace closing the one opened at ``start``."""
    depth = 0
    for index in range(start, len(pattern)):
        if pattern[index] == "{":
            depth += 1
        elif pattern[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    raise MuraError(f"unbalanced '{{' at character {start + 1} of pattern {pattern!r}")


def _split_top(body: str) -> list[str]:
    """Split a group's body at its top-level commas."""
    parts, depth, current = [], 0, []
    for character in body:
        if character == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        depth += {"{": 1, "}": -1}.get(character, 0)
        current.append(character)
    parts.append("".join(current))
    return parts


def _alternatives(body: str, pattern: str) -> Iterator[str]:
    """The alternatives of one group: an integer range or comma-separated patterns."""
    match = _RANGE.match(body)
    if match:
        first, last = match.groups()
        low, high = int(first), int(last)
        width = max(len(first), len(last)) if first.startswith("0") and len(first) > 1 else 0
        step = 1 if high >= low else -1
        return (str(value).zfill(width) for value in range(low, high + step, step))
    parts = _split_top(body)
    if len(parts) < 2:
        raise MuraError(
            f"brace group {{{body}}} in pattern {pattern!r} needs a comma or a range a..b"
        )
    return itertools.chain.from_iterable(expand(part) for part in parts)


def expand(pattern: str) -> Iterator[str]:
    """The names ``pattern`` stands for, in order, lazily (a huge range costs nothing).

    Raises:
        MuraError: unbalanced braces, or a group that is neither a list nor a range.
    """
    start = pattern.find("{")
    stray = pattern.find("}")
    if stray != -1 and (start == -1 or stray < start):
        raise MuraError(f"unbalanced '}}' at character {stray + 1} of pattern {pattern!r}")
    if start == -1:
        yield pattern
        return
    end = _closing(pattern, start)
    head, body, tail = pattern[:start], pattern[start + 1 : end], pattern[end + 1 :]
    for alternative in _alternatives(body, pattern):
        for rest in expand(tail):
            yield head + alternative + rest


def expand_all(patterns: Sequence[str], max_runs: int = DEFAULT_MAX_RUNS) -> list[str]:
    """Every name of ``patterns``, in order; more than ``max_runs`` names is refused.

    Raises:
        MuraError: a malformed pattern, or too many names.
    """
    names: list[str] = []
    for pattern in patterns:
        names.extend(itertools.islice(expand(pattern.strip()), max_runs + 1 - len(names)))
        if len(names) > max_runs:
            raise MuraError(
                f"the patterns expand past {max_runs} names; narrow them or raise --max-runs"
            )
    return names


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
            first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            problems.append(first if given in first else f"{given}: {first}")
            continue
        planned.setdefault(parsed.full_name, PlannedRun(given, parsed.full_name))
    if problems:
        raise SweepPlanError(problems)
    return list(planned.values())
