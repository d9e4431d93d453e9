"""The ``local`` engine: the sweep's runs one after the other, in this process.

What a machine without Ray runs; the same trial code as the Ray engine, so the run
folders are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mura_core.sweeps.trial import Outcome, limit_threads, run_trial

__all__ = ["run_local"]


def run_local(
    runs: Sequence[str],
    settings: dict[str, Any],
    *,
    cpus_per_run: float | None = None,
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run each of ``runs`` in turn with ``settings``; a failed run does not stop the rest."""
    limit_threads(cpus_per_run)
    outcomes = []
    for name in runs:
        outcome = run_trial(name, dict(settings))
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    return outcomes
