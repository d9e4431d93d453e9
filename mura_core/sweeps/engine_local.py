"""The ``local`` engine: the sweep's runs one after the other, in this process.

What a machine without Ray runs; the same trial code as the Ray engine, so the run
folders are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mura_core.sweeps.trial import Outcome, Trial, limit_threads, run_trial

__all__ = ["run_local"]


def run_local(
    trials: Sequence[Trial],
    *,
    evaluate: bool = True,
    cpus_per_run: float | None = None,
    progress: Callable[[Outcome], None] | None = None,
    runner_options: dict[str, Any] | None = None,
) -> list[Outcome]:
    """Run each of ``trials`` in turn; a failed run does not stop the rest.

    ``runner_options`` go to each run's :class:`~mura_core.training.runner.Runner`.
    """
    limit_threads(cpus_per_run)
    outcomes = []
    for trial in trials:
        outcome = run_trial(trial, evaluate=evaluate, runner_options=runner_options)
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    return outcomes
