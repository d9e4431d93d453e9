"""What a re-run of ``mura train`` may do with the run folder it finds.

* nothing trained yet: train from the start;
* a resumable state (``backup/state.json``): resume after its last committed epoch;
* training finished but not the evaluation (``status`` ``trained``): finish it;
* a complete run, or trained epochs with no state to resume from (a folder holding only
  weights, a history without a backup...): refuse, naming ``--overwrite``.

Whatever the state, the settings that shape training (:data:`RESUME_KEYS`) must be the
ones ``run.json`` records.
"""

from __future__ import annotations

from typing import Any

from mura_core.errors import MuraError
from mura_core.runs.artifacts import read_history
from mura_core.runs.layout import RunFolder, weights_files

__all__ = [
    "RESUME_KEYS",
    "check_resumable",
    "discard_aside_after_first_epoch",
    "has_trained_epochs",
]

#: Settings that must not change when a run is resumed or finished.
RESUME_KEYS = (
    "batch_size",
    "learning_rate",
    "seed",
    "validation_fraction",
    "class_weights",
    "limit",
)


def has_trained_epochs(folder: RunFolder) -> bool:
    """True when the folder holds checkpoints or history rows."""
    return bool(weights_files(folder.path)) or len(read_history(folder.history)) > 0


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
    resumable = (folder.backup / "state.json").exists() or status == "trained"
    if not resumable and has_trained_epochs(folder):
        raise MuraError(
            f"cannot resume {name}: {folder.path} holds trained epochs but no state to resume "
            f"from (status {status or 'unknown'}); use --overwrite to train it again"
        )


def discard_aside_after_first_epoch(folder: RunFolder) -> Any:
    """A Keras callback deleting ``previous/`` once an epoch of the new run is committed.

    Append it after every other callback (after :class:`TrainingStateBackup`'s commit).
    """
    import keras

    from mura_core.runs.aside import discard_aside, new_run_has_checkpoint

    class DiscardAside(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            if new_run_has_checkpoint(folder):
                discard_aside(folder)

    return DiscardAside()
