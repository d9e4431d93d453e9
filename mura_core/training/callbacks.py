"""Training callbacks as an interface: one default factory, open to users and plugins.

A *callback factory* is any callable ``factory(run) -> list[keras.callbacks.Callback]``
taking the :class:`~mura_core.training.context.RunContext`. :func:`default_callbacks`
is the report's set-up; :func:`make_callbacks` calls a factory and then lets every
plugin edit the list through the ``extend_callbacks(callbacks, run)`` hook.

Extend the defaults::

    def my_callbacks(run):
        callbacks = default_callbacks(run, patience=5)
        callbacks.insert(-1, keras.callbacks.TerminateOnNaN())
        return callbacks

or, from a plugin::

    @registry.hookimpl
    def extend_callbacks(callbacks, run):
        callbacks.insert(-1, MyCallback(run.folder.path))

Keep :class:`TrainingStateBackup` last, so everything an epoch writes is on disk
before the epoch is committed as finished.
"""

from __future__ import annotations

import importlib.util
import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keras
import pandas as pd

from mura_core.runs.artifacts import HISTORY_COLUMNS, read_history, write_json_atomic

if TYPE_CHECKING:
    from mura_core.training.context import RunContext

__all__ = [
    "CallbackFactory",
    "EpochObserver",
    "EpochObserverCallback",
    "HistoryTSV",
    "TrainingStateBackup",
    "default_callbacks",
    "make_callbacks",
]

#: ``factory(run) -> callbacks``: how a run gets its Keras callbacks.
CallbackFactory = Callable[["RunContext"], list[keras.callbacks.Callback]]

#: ``on_epoch(epoch, logs)``: told of each committed epoch (numbered from 1).
EpochObserver = Callable[[int, dict[str, float]], None]

#: Order of the history columns the report kept; other logged values follow.
_HISTORY_ORDER = (*HISTORY_COLUMNS, "learning_rate", "seconds")


def _current_learning_rate(model: Any) -> float | None:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return None
    try:
        return float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    except (TypeError, ValueError):
        return None


class HistoryTSV(keras.callbacks.Callback):
    """Write the training history to a TSV at the end of every epoch.

    Each write keeps the rows of earlier epochs and replaces any row of this epoch or
    later, so a resumed run has one row per epoch: none lost, none repeated. Epochs are
    numbered from 1, as in the checkpoint file names. ``learning_rate`` is the rate the
    epoch trained with; ``seconds`` its wall time.
    """

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        self._started = 0.0
        self._learning_rate: float | None = None

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._started = time.perf_counter()
        self._learning_rate = _current_learning_rate(self.model)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        row: dict[str, Any] = {"epoch": epoch + 1}
        row.update({key: float(value) for key, value in (logs or {}).items()})
        row["learning_rate"] = self._learning_rate
        row["seconds"] = round(time.perf_counter() - self._started, 3)
        history = read_history(self.path)
        if "epoch" in history and len(history):
            history = history[history["epoch"] < epoch + 1]
        frames = [frame for frame in (history, pd.DataFrame([row])) if len(frame)]
        history = pd.concat(frames, ignore_index=True)
        known = [column for column in _HISTORY_ORDER if column in history]
        history = history[known + [column for column in history if column not in known]]
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        history.to_csv(temporary, sep="\t", index=False)
        os.replace(temporary, self.path)


class EpochObserverCallback(keras.callbacks.Callback):
    """Pass each finished epoch (numbered from 1) and its logs to ``on_epoch``.

    The runner appends it after :class:`TrainingStateBackup`, so the epoch is committed
    before the observer hears of it (a sweep's scheduler may stop the run there).
    """

    def __init__(self, on_epoch: EpochObserver) -> None:
        super().__init__()
        self.on_epoch = on_epoch

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.on_epoch(epoch + 1, {key: float(value) for key, value in (logs or {}).items()})


class TrainingStateBackup(keras.callbacks.BackupAndRestore):
    """``BackupAndRestore`` that commits each epoch atomically, with its callbacks' state.

    At the end of every epoch it writes the weights and optimizer state to a new file,
    then commits the epoch by atomically replacing ``state.json`` (which names that
    file and records the state of ``stateful`` callbacks: EarlyStopping's patience
    counter, ReduceLROnPlateau's plateau counter, ModelCheckpoint's best value). A run
    killed at any instant (Ctrl-C, ``kill -9``, a crash) restarts at the first epoch
    not committed: no epoch lost or repeated, and early stopping, learning-rate
    reduction and best-only checkpointing continue as if uninterrupted.

    The backup folder is removed when training ends normally.
    """

    #: Attributes saved from each stateful callback, when it has them.
    STATE_ATTRIBUTES = ("wait", "best", "best_epoch", "stopped_epoch", "cooldown_counter")

    def __init__(
        self,
        backup_dir: str | Path,
        stateful: Sequence[keras.callbacks.Callback] = (),
        *,
        delete_checkpoint: bool = True,
    ) -> None:
        super().__init__(str(backup_dir), save_freq="epoch", delete_checkpoint=delete_checkpoint)
        self.stateful = list(stateful)
        self._state_path = Path(backup_dir) / "state.json"

    def restored_epoch(self) -> int:
        """Number of epochs committed in the backup (0 when there is none)."""
        if not self._state_path.exists():
            return 0
        return int(json.loads(self._state_path.read_text(encoding="utf-8"))["epoch"])

    def _callback_states(self) -> list[dict[str, Any]]:
        states = []
        for callback in self.stateful:
            values = {}
            for attribute in self.STATE_ATTRIBUTES:
                value = getattr(callback, attribute, None)
                if isinstance(value, (int, float)) or hasattr(value, "item"):
                    values[attribute] = float(value)
            states.append({"type": type(callback).__name__, "values": values})
        return states

    def _load_model(self) -> None:
        if not self._state_path.exists():
            return
        state = json.loads(self._state_path.read_text(encoding="utf-8"))
        optimizer = self.model.optimizer
        if optimizer is not None and not optimizer.built:
            optimizer.build(self.model.trainable_variables)
        self.model.load_weights(str(self._state_path.parent / state["weights"]))
        self.model._initial_epoch = int(state["epoch"])
        for callback, saved in zip(self.stateful, state.get("callbacks", []), strict=False):
            if saved["type"] != type(callback).__name__:
                continue
            for attribute, value in saved["values"].items():
                current = getattr(callback, attribute, None)
                setattr(callback, attribute, int(value) if isinstance(current, int) else value)

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._load_model()

    def _save_model(self) -> None:
        folder = self._state_path.parent
        folder.mkdir(parents=True, exist_ok=True)
        weights = f"epoch-{self._current_epoch:04d}.weights.h5"
        self.model.save_weights(str(folder / weights), overwrite=True)
        state = {
            "epoch": self._current_epoch,
            "weights": weights,
            "callbacks": self._callback_states(),
        }
        write_json_atomic(self._state_path, state)  # the commit point
        for stale in folder.glob("epoch-*.weights.h5"):
            if stale.name != weights:
                stale.unlink(missing_ok=True)


def default_callbacks(
    run: RunContext,
    *,
    patience: int | None = None,
    lr_factor: float = 0.2,
    lr_patience: int | None = None,
    tensorboard: bool = True,
) -> list[keras.callbacks.Callback]:
    """The report's callbacks, writing into the run folder.

    EarlyStopping on ``val_loss`` (patience from the run's config, 10 by default;
    restores the best weights); ReduceLROnPlateau (factor 0.2, down to 0, patience half
    of early stopping's so it can act before training stops); best-only ModelCheckpoint
    to :data:`~mura_core.runs.layout.WEIGHTS_TEMPLATE` (the report's file names);
    TensorBoard (when the ``tensorboard`` package is installed, else a note in
    ``run.notes``); :class:`HistoryTSV`; and :class:`TrainingStateBackup` last.
    """
    folder = run.folder
    patience = run.config.patience if patience is None else patience
    lr_patience = max(1, patience // 2) if lr_patience is None else lr_patience
    early_stopping = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=patience, restore_best_weights=True, verbose=0
    )
    reduce_lr = keras.callbacks.ReduceLROnPlateau(
        monitor="val_loss", factor=lr_factor, patience=lr_patience, min_lr=0.0, verbose=0
    )
    checkpoint = keras.callbacks.ModelCheckpoint(
        folder.weights_template,
        monitor="val_loss",
        save_best_only=True,
        save_weights_only=True,
        verbose=0,
    )
    callbacks: list[keras.callbacks.Callback] = [early_stopping, reduce_lr, checkpoint]
    if tensorboard and importlib.util.find_spec("tensorboard") is None:
        note = "TensorBoard logs not written: tensorboard is not installed"
        if note not in run.notes:
            run.notes.append(note)
    elif tensorboard:
        callbacks.append(
            keras.callbacks.TensorBoard(
                log_dir=str(folder.tensorboard), write_graph=False, profile_batch=0
            )
        )
    callbacks.append(HistoryTSV(folder.history))
    callbacks.append(
        TrainingStateBackup(folder.backup, stateful=[early_stopping, reduce_lr, checkpoint])
    )
    return callbacks


def make_callbacks(
    run: RunContext, factory: CallbackFactory = default_callbacks
) -> list[keras.callbacks.Callback]:
    """Callbacks of ``run``: ``factory(run)``, then every plugin's ``extend_callbacks``."""
    import registry

    callbacks = list(factory(run))
    registry.get_registry().call_hook("extend_callbacks", callbacks=callbacks, run=run)
    return callbacks
