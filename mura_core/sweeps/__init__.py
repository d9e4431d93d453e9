"""Sweeps: many named runs at once, on Ray Tune or one after the other.

>>> from mura_core.sweeps import plan_runs, run_sweep                  # doctest: +SKIP
>>> planned = plan_runs(["cnn_in.64.64.1_cl.{3..5}.1_f.16_ck.3.3_p.max_ps.2.2_pstr.2.2"])
>>> records = run_sweep([run.name for run in planned], {"data_root": "data", "epochs": 5})

Modules: :mod:`~mura_core.sweeps.patterns` (brace patterns, validation),
``mura_core.sweeps.trial`` (one run, the runner of ``mura train``),
``mura_core.sweeps.engine_local`` and ``mura_core.sweeps.engine_ray`` (where
the runs go), :mod:`~mura_core.sweeps.cluster` (starting or joining Ray),
:mod:`~mura_core.sweeps.results` (the table and ``--json``). Importing this
package imports neither TensorFlow nor Ray.

Running a sweep again skips its complete and stopped runs, resumes interrupted ones from
their last committed epoch (the runner's backup) and retries failed ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mura_core.errors import MuraError
from mura_core.sweeps.engine_ray import RayOptions, ray_installed
from mura_core.sweeps.patterns import DEFAULT_MAX_RUNS, SweepPlanError, expand, plan_runs
from mura_core.sweeps.results import SweepRecord, collect, records_table, write_records
from mura_core.sweeps.trial import FINISHED, Outcome, Trial, prior_status
from mura_core.timestamps import local_stamp
from mura_core.vocabulary import Engine

if TYPE_CHECKING:
    from mura_core.training.context import TrainConfig

__all__ = [
    "DEFAULT_MAX_RUNS",
    "Outcome",
    "RayOptions",
    "SweepPlanError",
    "SweepRecord",
    "Trial",
    "default_engine",
    "expand",
    "plan_runs",
    "ray_installed",
    "records_table",
    "run_sweep",
]

#: Where each sweep's records are kept, under the runs folder.
SWEEPS_FOLDER = ".sweeps"


def default_engine() -> Engine:
    """``ray`` when Ray is installed, else ``local``."""
    return "ray" if ray_installed() else "local"


def _skipped(trials: Sequence[Trial]) -> dict[str, Outcome]:
    """Runs a re-run of the sweep leaves alone: complete or stopped (unless overwriting)."""
    return {
        trial.run: Outcome(trial.run, "skipped")
        for trial in trials
        if not trial.config.overwrite and prior_status(Path(trial.folder)) in FINISHED
    }  # fmt: skip


def _configs(
    runs: Sequence[str | TrainConfig | Trial], settings: Mapping[str, Any] | None
) -> tuple[list[TrainConfig | Trial], bool | None]:
    """``runs`` with each run name made a :class:`TrainConfig` of ``settings`` (its fields,
    and ``evaluate``, returned apart); a sweep's runs train without per-epoch output
    unless ``settings`` say otherwise."""
    from mura_core.training.context import TrainConfig

    if not any(isinstance(run, str) for run in runs):
        return list(runs), None
    fields = {"verbose": 0, **(settings or {})}
    if "data_root" not in fields:
        raise MuraError("a sweep needs a data root")
    evaluate = fields.pop("evaluate", None)
    configs = [TrainConfig(name=run, **fields) if isinstance(run, str) else run for run in runs]
    return configs, evaluate


def _trials(runs: Sequence[TrainConfig | Trial]) -> list[Trial]:
    """``runs`` as trials with absolute data and runs folders: a run's settings train
    into its run folder under their runs folder.

    Raises:
        MuraError: the runs do not share one runs folder (where the sweep's records go).
    """
    from mura_core.runs.layout import RunFolder

    trials = []
    for run in runs:
        trial = run if isinstance(run, Trial) else Trial(run, "")
        config = trial.config
        config = replace(config, data_root=config.data_root.resolve(), out=config.out.resolve())
        folder = trial.folder or str(RunFolder.for_run(config.out, str(config.name)).path)
        trials.append(replace(trial, config=config, folder=folder))
    if len({trial.config.out for trial in trials}) > 1:
        raise MuraError("the runs of a sweep share one runs folder (their settings' out)")
    return trials


def _check_before_start(trials: Sequence[Trial], runner_options: dict[str, Any]) -> None:
    """What every run would refuse (its name, weights, size, the data root unless a
    data factory replaces it), refused before the first run starts, one line each."""
    from mura_core.training.context import check_runs

    check_runs([trial.config for trial in trials], data_root="data" not in runner_options)


def run_sweep(
    runs: Sequence[str | TrainConfig | Trial],
    settings: Mapping[str, Any] | None = None,
    *,
    evaluate: bool = True,
    engine: Engine | None = None,
    ray: RayOptions | None = None,
    progress: Callable[[Outcome], None] | None = None,
    notes: Callable[[str], None] | None = None,
    runner_options: dict[str, Any] | None = None,
) -> list[SweepRecord]:
    """Train every run of ``runs`` (and, with ``evaluate``, evaluate it).

    ``runs`` are the runs' settings (:class:`~mura_core.training.context.TrainConfig`,
    named by their canonical run name or its parse, sharing one runs folder ``out``),
    each trained into its run folder under ``out``; :class:`Trial` objects, naming their
    own folder (an ensemble's members); or canonical run names, trained with
    ``settings``: TrainConfig fields shared by every run (``data_root`` required, ``out``
    the runs folder; ``evaluate`` in them replaces the argument). ``progress`` hears of
    each run's outcome as it comes; ``notes`` of the engine's start-up. ``runner_options``
    (``callbacks``, ``data``) go to each run's :class:`~mura_core.training.runner.Runner`;
    they stay in this process, so they need the local engine.

    Returns:
        one record per run, in the order of ``runs``; also written as JSON under
        ``RUNS/.sweeps/``.
    """
    engine = engine or default_engine()
    configs, given = _configs(runs, settings)
    evaluate = evaluate if given is None else bool(given)
    if runner_options and engine != "local":
        raise MuraError("custom callbacks or data need the local engine")
    trials = _trials(configs)
    out = trials[0].config.out if trials else Path((settings or {}).get("out", "runs")).resolve()
    skipped = _skipped(trials)
    pending = [trial for trial in trials if trial.run not in skipped]
    _check_before_start(pending, runner_options or {})
    for outcome in skipped.values():
        if progress is not None:
            progress(outcome)
    if engine == "ray":
        from mura_core.sweeps.engine_ray import run_ray

        done = run_ray(pending, ray or RayOptions(), evaluate=evaluate, progress=progress,
                       notes=notes)  # fmt: skip
    else:
        from mura_core.sweeps.engine_local import run_local

        cpus = ray.cpus_per_run if ray is not None else None
        done = run_local(pending, evaluate=evaluate, cpus_per_run=cpus, progress=progress,
                         runner_options=runner_options)  # fmt: skip
    outcomes = {**skipped, **{outcome.run: outcome for outcome in done}}
    folders = {trial.run: Path(trial.folder) for trial in trials}
    records = collect([outcomes[trial.run] for trial in trials], folders)
    write_records(records, out / SWEEPS_FOLDER / f"sweep-{local_stamp()}.json")
    return records
