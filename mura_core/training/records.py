"""What a run records of its training in its folder: the split manifest and the
fingerprint of its images, and the start of training and each session in ``run.json``
(the epochs' own commits are :mod:`~mura_core.training.commits`)."""

from __future__ import annotations

import time
from typing import Any

from mura_core.data.fingerprint import fingerprint_split, write_fingerprint
from mura_core.errors import MuraError
from mura_core.runs.artifacts import (
    read_history,
    read_run_json,
    update_run_json,
    write_model_plot,
    write_model_summary,
)
from mura_core.timestamps import utc_now
from mura_core.training.commits import committed_epoch
from mura_core.training.context import RunContext
from mura_core.training.data import RunData
from mura_core.versions import package_versions

__all__ = ["record_session", "write_split", "write_start"]


def write_split(run: RunContext, data: RunData) -> None:
    """Write the split manifest and the fingerprint of its images; a resumed run must
    see the split it started with, and keeps the fingerprint taken when it started."""
    if data.split is None:
        return
    split_hash = data.split.manifest_hash()
    previous = read_run_json(run.folder.run_json).get("split_hash")
    resuming = committed_epoch(run.folder.backup) > 0
    if resuming and previous and previous != split_hash:
        raise MuraError(
            f"cannot resume {run.name}: the data split changed (hash {split_hash[:12]}, "
            f"was {previous[:12]}); use the same data and settings, or --overwrite"
        )
    data.split.write_manifest(run.folder.split)
    if not (resuming and run.folder.fingerprint.exists()):
        write_fingerprint(fingerprint_split(data.split), run.folder.fingerprint)


def write_start(
    run: RunContext, data: RunData, policy: str, strategy: Any, committed: int
) -> None:
    """Record in ``run.json`` everything known when training starts, and write the
    model's summary and plot."""
    model = run.model
    folder = run.folder
    write_model_summary(model, folder.model_summary)
    plot_note = write_model_plot(model, folder.model_plot)
    if plot_note and plot_note not in run.notes:
        run.notes.append(plot_note)
    import keras

    trainable = sum(int(keras.ops.size(v)) for v in model.trainable_weights)
    total = sum(int(keras.ops.size(v)) for v in model.weights)
    previous = read_run_json(folder.run_json)
    update_run_json(
        folder.run_json,
        name=run.name,
        model_name=run.model_name,
        family=run.parsed.family.name,
        provider=run.provider,
        pretrained=run.weights,
        preprocessing=run.parsed.family.preprocessing,
        input_shape=list(run.parsed.input_shape),
        run_options=run.options.model_dump(),
        config=run.config.to_dict(),
        seed=run.config.seed,
        split_hash=data.split_hash,
        split_manifest=folder.split.name if folder.split.exists() else None,
        data={"images": data.counts, **data.extra},
        parameters={"trainable": trainable, "total": total},
        precision=policy,
        strategy={
            "name": run.config.strategy,
            "replicas": int(strategy.num_replicas_in_sync),
        },
        packages=package_versions(),
        created=previous.get("created", utc_now()),
        status="running",
        resumed_from_epoch=committed or None,
        notes=run.notes,
        timings=previous.get("timings", {"sessions": [], "train_seconds": 0.0}),
    )


def record_session(run: RunContext, committed: int, started: float, status: str) -> None:
    """Append a training session (its epochs, seconds and outcome) to ``run.json``."""
    seconds = round(time.perf_counter() - started, 3)
    history = read_history(run.folder.history)
    last = int(history["epoch"].max()) if len(history) else committed
    info = read_run_json(run.folder.run_json)
    timings = info.get("timings") or {"sessions": [], "train_seconds": 0.0}
    timings["sessions"].append(
        {
            "finished": utc_now(),
            "status": status,
            "first_epoch": committed + 1,
            "last_epoch": last,
            "seconds": seconds,
        }
    )
    timings["train_seconds"] = round(timings.get("train_seconds", 0.0) + seconds, 3)
    update_run_json(run.folder.run_json, timings=timings, status=status)
