"""What a re-run of ``mura train`` may do with the run folder it finds.

* nothing trained yet: train from the start;
* a run this package started (``run.json`` records it), killed or stopped at any
  instant: resume after its last committed epoch (none: from the start), the files of
  later epochs discarded (:func:`~mura_core.training.commits.reconcile`);
* training finished but not the evaluation (``status`` ``trained``): finish it;
* a complete run, trained epochs in a folder with no ``run.json`` (weights or a history
  this package did not start), or more trained epochs than the training state records
  plus the one in progress (a state deleted by hand; no kill leaves that): refuse,
  naming ``--overwrite``.

Whatever the state, the settings that shape training (:data:`RESUME_KEYS`) must be the
ones ``run.json`` records.
"""

from __future__ import annotations

from typing import Any

from mura_core.errors import MuraError
from mura_core.runs.artifacts import read_history
from mura_core.runs.layout import RunFolder, weights_files
from mura_core.training.commits import committed_epoch

__all__ = [
    "RESUME_KEYS",
    "check_resumable",
    "discard_aside_after_first_epoch",
    "last_trained_epoch",
]

#: Settings that must not change when a run is resumed or finished.
RESUME_KEYS = (
    "batch_size",
    "learning_rate",
    "seed",
    "validation_fraction",
    "class_weights",
    "limit",
    "monitor",
    "lr_factor",
    "lr_patience",
    "lr_min",
)


def last_trained_epoch(folder: RunFolder) -> int:
    """The latest epoch the folder's checkpoints or history rows show (0: none)."""
    history = read_history(folder.history)
    epochs = [item.epoch for item in weights_files(folder.path)]
    epochs += [int(history["epoch"].max())] if len(history) else []
    return max(epochs, default=0)


def check_resumable(folder: RunFolder, info: dict[str, Any], config: Any, name: str) -> None:
    """Refuse a re-run that would redo or lose work, or mix settings (see the module).

    Raises:
        MuraError: the run is complete, cannot be resumed, or its settings changed.
    """
    status = info.get("status")
    if status == "complete":
        raise MuraError(
            f"run {name} is already trained in {folder.path} (use --overwrite to train it again)"
        )
    previous = info.get("config")
    previous = previous if isinstance(previous, dict) else {}
    current = config.to_dict()
    for key in RESUME_KEYS:
        if key in previous and previous[key] != current[key]:
            raise MuraError(
                f"cannot resume {name}: {key} was {previous[key]!r}, now {current[key]!r} "
                "(use the same settings, or --overwrite)"
            )
    if status == "trained":
        return
    latest, committed = last_trained_epoch(folder), committed_epoch(folder.backup)
    if latest and not info:
        raise MuraError(
            f"cannot resume {name}: {folder.path} holds trained epochs but no run.json of a "
            "run this package started; use --overwrite to train it again"
        )
    if latest > committed + 1:  # more than the epoch in progress: the record was lost
        raise MuraError(
            f"cannot resume {name}: {folder.path} holds {latest} trained epochs but its "
            f"training state records {committed} (status {status or 'unknown'}); "
            "use --overwrite to train it again"
        )


def discard_aside_after_first_epoch(folder: RunFolder) -> Any:
    """A Keras callback deleting ``previous/`` once an epoch of the new run is committed.

    Append it after every other callback (after the commit of
    :class:`~mura_core.training.callbacks.TrainingStateBackup`).
    """
    import keras

    from mura_core.runs.aside import discard_aside, new_run_has_checkpoint

    class DiscardAside(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            if new_run_has_checkpoint(folder):
                discard_aside(folder)

    return DiscardAside()
