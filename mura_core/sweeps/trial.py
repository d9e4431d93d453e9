"""One run of a sweep, whichever engine runs it: the same runner as ``mura train``.

:func:`run_trial` trains one :class:`Trial` (a named run) into its folder and returns its
:class:`Outcome`; it never raises for a run's own failure (bad data, out of memory, a
plugin error): the run is recorded as failed in its ``run.json`` with a one-line reason
and the sweep goes on. A run its scheduler stops early is recorded as ``stopped``: it
keeps its artifacts and a later sweep does not resume it.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mura_core.errors import MuraError
from mura_core.vocabulary import SweepStatus

if TYPE_CHECKING:
    from mura_core.training.callbacks import EpochObserver
    from mura_core.training.context import TrainConfig

__all__ = ["FINISHED", "Outcome", "SweepStopped", "Trial", "mark", "prior_status", "run_trial"]

#: ``run.json`` statuses a sweep does not run again.
FINISHED = ("complete", "stopped")


class SweepStopped(Exception):
    """Raised by an epoch observer when the sweep's scheduler stops the run."""


@dataclass(frozen=True)
class Trial:
    """One run of a sweep: its settings (whose ``name`` is the run's canonical name, or
    its parse), the folder it trains into (a sweep's run folder under the runs folder,
    an ensemble member's ``members/<KEY>``) and the weights it starts from (an
    ensemble's warm start). It pickles, for Ray."""

    config: TrainConfig
    folder: str
    initial_weights: str | None = None

    @property
    def run(self) -> str:
        """The run's name (what the sweep's records and progress call it)."""
        return str(self.config.name)


@dataclass
class Outcome:
    """What one run of a sweep came to (the rest is read from its run folder)."""

    run: str
    status: SweepStatus
    seconds: float = 0.0
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return asdict(self)


def _one_line(error: BaseException, limit: int = 300) -> str:
    """The error's first line; named by its type unless it is the package's own."""
    from registry.errors import RegistryError

    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else ""
    if not isinstance(error, (MuraError, RegistryError)) or not text:
        text = f"{type(error).__name__}: {text}".rstrip(": ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def mark(folder: Path, status: str, **fields: Any) -> None:
    """Record ``status`` (and ``fields``) in the ``run.json`` of ``folder``, if it exists;
    a stopped run also records its best checkpoint and the epochs it trained."""
    from mura_core.runs.artifacts import progress_record, update_run_json
    from mura_core.runs.layout import RunFolder

    run_json = RunFolder(folder).run_json
    if run_json.exists():
        progress = progress_record(folder) if status == "stopped" else {}
        update_run_json(run_json, status=status, **progress, **fields)


def prior_status(folder: Path) -> str | None:
    """The status a run folder records, or ``None`` for no (readable) run."""
    from mura_core.runs.artifacts import read_run_json
    from mura_core.runs.layout import RunFolder

    try:
        return read_run_json(RunFolder(folder).run_json).get("status")
    except Exception:  # a damaged run.json: the runner will say what is wrong
        return None


def limit_threads(cpus: float | None) -> None:
    """Keep this process's TensorFlow to ``cpus`` threads (before TensorFlow starts)."""
    if not cpus:
        return
    import tensorflow as tf

    threads = max(1, int(cpus))
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:  # TensorFlow already started in this process: keep its pools
        pass


def run_trial(
    trial: Trial,
    *,
    evaluate: bool = True,
    on_epoch: EpochObserver | None = None,
    runner_options: dict[str, Any] | None = None,
) -> Outcome:
    """Train (or resume) ``trial`` (and, with ``evaluate``, evaluate it); ``runner_options``
    go to the :class:`Runner` (``callbacks``, ``data``).

    Raises:
        SweepStopped: the scheduler stopped the run (its folder is marked ``stopped``).
    """
    from mura_core.runs.lock import LOCK_NAME
    from mura_core.training.runner import Runner

    started = time.perf_counter()
    folder = Path(trial.folder)
    runner = Runner(trial.config, evaluate=evaluate, on_epoch=on_epoch, folder=folder,
                    initial_weights=trial.initial_weights, **(runner_options or {}))  # fmt: skip
    try:
        runner.run()
    except SweepStopped as stop:
        mark(folder, "stopped", stopped=str(stop))
        raise
    except Exception as error:  # the run failed: record it, the sweep goes on
        reason = _one_line(error)
        if not (folder / LOCK_NAME).exists():  # else another process holds the run: hands off
            mark(folder, "failed", error=reason)
        return Outcome(trial.run, "failed", round(time.perf_counter() - started, 3), reason)
    return Outcome(trial.run, "complete", round(time.perf_counter() - started, 3))
