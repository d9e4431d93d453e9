"""The ``ray`` engine: each run of a sweep is a Ray Tune trial.

By default an embedded Ray starts on this machine (no dashboard) and stops with the
sweep; ``address`` joins a running cluster instead (``auto``, or ``HOST:PORT``), whose
workers must see the data root and the runs folder at the same paths (shared storage).
Starting or joining Ray, bounded in time, and keeping what Ray prints off standard
output are :mod:`mura_core.sweeps.cluster`'s.
Each trial gets ``cpus_per_run`` CPUs (its TensorFlow keeps to as many threads) and
``gpus_per_run`` GPUs (Ray pins it to them through ``CUDA_VISIBLE_DEVICES``); without
early stopping, a worker serves trial after trial, so TensorFlow starts once per worker,
not once per run. Each
trial runs the same trial code as the local engine, so it writes the same run folder as
``mura train``. Per-epoch validation metrics go to Tune, whose ASHA scheduler may stop
poor runs. Tune's own records go to ``RUNS/.ray_results``; Ray's temporary files to
``temp_dir`` (Ray's default ``/tmp/ray`` when not given). Ray is imported only here
and in :mod:`~mura_core.sweeps.cluster`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mura_core.sweeps.cluster import INSTALL_HINT, RayOptions, import_ray, ray_installed
from mura_core.sweeps.trial import Outcome, Trial, mark
from mura_core.timestamps import local_stamp

__all__ = ["INSTALL_HINT", "RayOptions", "import_ray", "ray_installed", "run_ray"]

#: Where Tune's own records go, under the runs folder.
RESULTS_FOLDER = ".ray_results"

_OUTCOME = "sweep_outcome"


def _trainable(
    config: dict[str, Any], trials: dict[str, Trial], evaluate: bool, cpus: float
) -> None:
    """One trial: run the sweep's trial code, reporting each epoch to Tune.

    Tune may reuse the worker for the sweep's next trial once this one has returned, so
    TensorFlow starts once per worker; the previous run's Keras state is dropped first.
    """
    from ray import tune

    from mura_core.sweeps.trial import SweepStopped, limit_threads, run_trial

    limit_threads(cpus)  # a reused worker keeps the thread pools of its first trial
    import keras

    keras.backend.clear_session(free_memory=True)
    last: dict[str, float] = {}

    def report(epoch: int, logs: dict[str, float]) -> None:
        last.update(logs)
        try:
            tune.report({"epoch": epoch, **logs})
        except SystemExit as stop:  # how Tune tells a function trial to stop
            raise SweepStopped(f"by the scheduler after epoch {epoch}") from stop

    try:
        outcome = run_trial(trials[config["run"]], evaluate=evaluate, on_epoch=report)
    except SweepStopped:
        return
    final = {key: value for key, value in last.items() if key.startswith("val_")}
    with contextlib.suppress(SystemExit):  # a stop now changes nothing: the run is done
        tune.report({**final, _OUTCOME: json.dumps(outcome.to_dict())})


def _scheduler(tune: Any, options: RayOptions, epochs: int) -> Any:
    if options.scheduler == "fifo":
        return tune.schedulers.FIFOScheduler()
    return tune.schedulers.ASHAScheduler(
        time_attr="epoch",
        metric=options.metric,
        mode="min" if options.metric == "val_loss" else "max",
        max_t=epochs + 1,  # reaching the last epoch is finishing, not being stopped
        grace_period=max(1, min(options.grace_period, epochs)),
        reduction_factor=2,
    )


def _error_line(trial: Any) -> str:
    """The last line of the error Tune recorded for ``trial`` (its worker died, mostly)."""
    try:
        text = trial.get_error()
    except Exception:  # the record is unreadable: say what is known
        text = None
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return (lines[-1] if lines else "the trial's worker died")[:300]


def _collector(
    tune: Any, folders: dict[str, Path], progress: Callable[[Outcome], None] | None
) -> Any:
    """A Tune callback turning finished trials into :class:`Outcome` objects."""

    class Collector(tune.Callback):
        def __init__(self) -> None:
            self.outcomes: dict[str, Outcome] = {}
            self.started: dict[str, float] = {}

        def on_trial_start(self, iteration, trials, trial, **info) -> None:
            self.started[trial.config["run"]] = time.perf_counter()

        def _seconds(self, name: str) -> float:
            return round(time.perf_counter() - self.started.get(name, time.perf_counter()), 3)

        def _done(self, outcome: Outcome) -> None:
            self.outcomes[outcome.run] = outcome
            if progress is not None:
                progress(outcome)

        def on_trial_complete(self, iteration, trials, trial, **info) -> None:
            name = trial.config["run"]
            text = (trial.last_result or {}).get(_OUTCOME)
            if text:  # timed here: the worker's start-up is part of the run's time
                outcome = Outcome(**json.loads(text))
                outcome.seconds = self._seconds(name)
                self._done(outcome)
                return
            mark(folders[name], "stopped")  # the worker may have died before marking it
            self._done(Outcome(name, "stopped", self._seconds(name)))

        def on_trial_error(self, iteration, trials, trial, **info) -> None:
            name = trial.config["run"]
            reason = _error_line(trial)
            mark(folders[name], "failed", error=reason)  # its worker could not say so
            self._done(Outcome(name, "failed", self._seconds(name), reason))

    return Collector()


def _wait_unlocked(folder: Path, timeout: float = 60.0) -> None:
    """Wait until no process trains in ``folder`` (its run lock is gone), at most
    ``timeout`` seconds: a stopped trial's worker records its end as it exits, and the
    sweep's ``stopped`` must come after that."""
    from mura_core.runs.lock import LOCK_NAME

    deadline = time.monotonic() + timeout
    while (folder / LOCK_NAME).exists() and time.monotonic() < deadline:
        time.sleep(0.2)


def _tuner(
    tune: Any, trials: Sequence[Trial], evaluate: bool, options: RayOptions, collector: Any
) -> Any:
    """The Tune tuner running ``trials``, one grid point per run (their settings, whose
    runs folder they share, go to the workers pickled)."""
    cpus = options.cpus_per_run or 1.0
    resources = {"cpu": cpus, "gpu": options.gpus_per_run}
    by_run = {trial.run: trial for trial in trials}
    epochs = max(trial.config.epochs for trial in trials)
    out = trials[0].config.out
    trainable = tune.with_parameters(_trainable, trials=by_run, evaluate=evaluate, cpus=cpus)
    return tune.Tuner(
        tune.with_resources(trainable, resources),
        param_space={"run": tune.grid_search(list(by_run))},
        tune_config=tune.TuneConfig(
            scheduler=_scheduler(tune, options, epochs),
            max_concurrent_trials=options.max_concurrent,
            # a worker, and its TensorFlow, serves trial after trial; not under ASHA,
            # where Tune may end a stopped trial's worker while it hands over (and hang)
            reuse_actors=options.scheduler == "fifo",
        ),
        run_config=tune.RunConfig(
            name=f"sweep-{local_stamp()}",
            storage_path=str((Path(out) / RESULTS_FOLDER).resolve()),
            verbose=0,
            callbacks=[collector],
            failure_config=tune.FailureConfig(max_failures=0),
        ),
    )


def _fit(tuner: Any) -> None:
    """Run ``tuner`` with Tune's loggers quiet: a failed trial is one line of the
    results, not Tune's traceback."""
    loggers = [logging.getLogger(name) for name in ("ray", "ray.tune")]
    levels = [item.level for item in loggers]
    for item in loggers:
        item.setLevel(logging.CRITICAL)
    try:
        tuner.fit()
    finally:
        for item, level in zip(loggers, levels):
            item.setLevel(level)


def run_ray(
    trials: Sequence[Trial],
    options: RayOptions,
    *,
    evaluate: bool = True,
    progress: Callable[[Outcome], None] | None = None,
    notes: Callable[[str], None] | None = None,
) -> list[Outcome]:
    """Run ``trials`` as Tune trials; returns their outcomes in order.

    ``progress`` hears of each finished run; ``notes`` of Ray's start-up time. Whatever
    Ray prints while it runs goes to standard error (:func:`~.cluster.ray_session`).

    Raises:
        MuraError: the cluster of ``options.address`` cannot be joined.
    """
    from mura_core.sweeps.cluster import ray_session

    _, tune = import_ray()
    if not trials:
        return []
    folders = {trial.run: Path(trial.folder) for trial in trials}
    collector = _collector(tune, folders, progress)
    with ray_session(options, notes):
        _fit(_tuner(tune, trials, evaluate, options, collector))
    for outcome in collector.outcomes.values():
        if outcome.status == "stopped":  # again, once the stopped run's worker let go of it
            _wait_unlocked(folders[outcome.run])
            mark(folders[outcome.run], "stopped")
    for trial in trials:  # a trial Tune never finished (the sweep was interrupted)
        if trial.run not in collector.outcomes:
            collector.outcomes[trial.run] = Outcome(
                trial.run, "failed", 0.0, "the trial did not finish"
            )
    return [collector.outcomes[trial.run] for trial in trials]
