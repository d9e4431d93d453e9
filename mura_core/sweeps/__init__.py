"""Sweeps: many named runs at once, on Ray Tune or one after the other.

>>> from mura_core.sweeps import plan_runs, run_sweep                  # doctest: +SKIP
>>> planned = plan_runs(["cnn_in.64.64.1_cl.{3..5}.1_f.16_ck.3.3_p.max_ps.2.2_pstr.2.2"])
>>> records = run_sweep([run.name for run in planned], {"data_root": "data", "epochs": 5})

Modules: :mod:`~mura_core.sweeps.patterns` (brace patterns, validation),
:mod:`~mura_core.sweeps.trial` (one run, the runner of ``mura train``),
:mod:`~mura_core.sweeps.engine_local` and :mod:`~mura_core.sweeps.engine_ray` (where
the runs go), :mod:`~mura_core.sweeps.results` (the table and ``--json``). Importing this
package imports neither TensorFlow nor Ray.

Running a sweep again skips its complete and stopped runs, resumes interrupted ones from
their last committed epoch (the runner's backup) and retries failed ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mura_core.errors import MuraError
from mura_core.sweeps.engine_ray import RayOptions, ray_installed
from mura_core.sweeps.patterns import DEFAULT_MAX_RUNS, SweepPlanError, expand, plan_runs
from mura_core.sweeps.results import SweepRecord, collect, records_table, write_records
from mura_core.sweeps.trial import FINISHED, Outcome, prior_status
from mura_core.vocabulary import Engine

__all__ = [
    "DEFAULT_MAX_RUNS",
    "Outcome",
    "RayOptions",
    "SweepPlanError",
    "SweepRecord",
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


def _skipped(runs: Sequence[str], out: Path, overwrite: bool) -> dict[str, Outcome]:
    """Runs a re-run of the sweep leaves alone: complete or stopped (unless overwriting)."""
    if overwrite:
        return {}
    return {
        name: Outcome(name, "skipped")
        for name in runs
        if prior_status(out / name) in FINISHED
    }  # fmt: skip


def run_sweep(
    runs: Sequence[str],
    settings: dict[str, Any],
    *,
    engine: Engine | None = None,
    ray: RayOptions | None = None,
    progress: Callable[[Outcome], None] | None = None,
    notes: Callable[[str], None] | None = None,
) -> list[SweepRecord]:
    """Train every run of ``runs`` (canonical run names) with ``settings``.

    ``settings`` are :class:`~mura_core.training.context.TrainConfig` fields shared by
    every run (``data_root`` required, ``out`` the runs folder), plus ``evaluate``.
    ``progress`` hears of each run's outcome as it comes; ``notes`` of the engine's
    start-up.

    Returns:
        one record per run, in the order of ``runs``; also written as JSON under
        ``RUNS/.sweeps/``.
    """
    engine = engine or default_engine()
    settings = dict(settings)
    if "data_root" not in settings:
        raise MuraError("a sweep needs a data root")
    settings["data_root"] = str(Path(settings["data_root"]).resolve())
    out = Path(settings.get("out", "runs")).resolve()
    settings["out"] = str(out)
    settings.setdefault("verbose", 0)
    skipped = _skipped(runs, out, bool(settings.get("overwrite")))
    pending = [name for name in runs if name not in skipped]
    for outcome in skipped.values():
        if progress is not None:
            progress(outcome)
    if engine == "ray":
        from mura_core.sweeps.engine_ray import run_ray

        done = run_ray(pending, settings, ray or RayOptions(), progress=progress, notes=notes)
    else:
        from mura_core.sweeps.engine_local import run_local

        cpus = ray.cpus_per_run if ray is not None else None
        done = run_local(pending, settings, cpus_per_run=cpus, progress=progress)
    outcomes = {**skipped, **{outcome.run: outcome for outcome in done}}
    records = collect([outcomes[name] for name in runs], out)
    write_records(records, out / SWEEPS_FOLDER / time.strftime("sweep-%Y%m%d-%H%M%S.json"))
    return records
