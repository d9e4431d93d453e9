"""Plug a custom Keras callback into the training runner, two ways.

Run with ``python examples/custom_callback.py [WORKDIR]``. It trains a tiny CNN for two
epochs on a small synthetic MURA tree.

1. A *callback factory* passed to ``train(..., callbacks=...)``: a callable
   ``factory(run) -> list[keras.callbacks.Callback]`` receiving the run's
   :class:`~mura_core.training.context.RunContext` (name, settings, run folder). Start
   from :func:`~mura_core.training.callbacks.default_callbacks` to keep the report's
   set-up (early stopping, learning-rate schedule, checkpoints, history, backup).
2. A *plugin* implementing the ``extend_callbacks(callbacks, run)`` hook, which edits
   the list of every run in the process (or, installed through an entry point, of every
   run anywhere).

Keep the runner's backup callback last: insert before it (``insert(-1, ...)``), so that
what your callback writes for an epoch is on disk before the epoch is committed.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

import registry  # noqa: E402
from mura_core.training.callbacks import default_callbacks  # noqa: E402

NAME = "cnn_in.64.64.1_cl.3.1_f.8_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"


class EpochJournal(keras.callbacks.Callback):
    """Append one JSON line per epoch (its number and validation kappa) to a file."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        line = {
            "epoch": epoch + 1,
            "val_kappa": float(logs.get("val_kappa", float("nan"))),
        }
        with self.path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(line) + "\n")


def journal_callbacks(run: Any) -> list[keras.callbacks.Callback]:
    """Way 1: a callback factory: the defaults without TensorBoard, plus the journal."""
    callbacks = default_callbacks(run, tensorboard=False)
    callbacks.insert(-1, EpochJournal(run.folder.path / "journal.jsonl"))
    return callbacks


class CountEpochs(keras.callbacks.Callback):
    """Counts the epochs it sees."""

    def __init__(self) -> None:
        super().__init__()
        self.epochs = 0

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epochs += 1


class EpochCounterPlugin:
    """Way 2: a plugin whose ``extend_callbacks`` hook adds a callback to every run."""

    def __init__(self) -> None:
        self.counters: dict[str, CountEpochs] = {}

    @registry.hookimpl
    def extend_callbacks(self, callbacks: list[Any], run: Any) -> None:
        counter = CountEpochs()
        self.counters[run.name] = counter
        callbacks.insert(-1, counter)


def run(workdir: Path) -> None:
    from mura_core.data import synthesize
    from mura_core.training.runner import train

    synthesize(
        workdir / "data", studies=80, seed=0, min_side=96, max_side=128, overwrite=True
    )

    plugin = EpochCounterPlugin()
    plugin_name = registry.get_registry().register_plugin(plugin, name="epoch-counter")
    try:
        result = train(
            NAME,
            workdir / "data",
            out=workdir / "runs",
            epochs=2,
            batch_size=16,
            verbose=0,
            evaluate=False,
            overwrite=True,
            callbacks=journal_callbacks,
        )
    finally:
        registry.get_registry().unregister_plugin(plugin_name)

    journal = (
        (result.folder.path / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    )
    print(f"run: {result.name}")
    print("journal.jsonl, written by the factory's callback:")
    for line in journal:
        print(f"  {line}")
    print(
        f"epochs seen by the plugin's callback: {plugin.counters[result.name].epochs}"
    )
    assert len(journal) == plugin.counters[result.name].epochs == len(result.history)


def main() -> int:
    if len(sys.argv) > 1:
        run(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
