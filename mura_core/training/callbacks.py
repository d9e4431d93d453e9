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
before the epoch is committed as finished (the history row is written after the commit,
from the commit record: see :mod:`~mura_core.training.commits`).
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keras

from mura_core.runs.artifacts import write_history_row
from mura_core.training.commits import (
    commit,
    committed_epoch,
    drop_stale_weights,
    read_state,
    weights_name,
)

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

#: How a run gets its Keras callbacks, as ``factory(run) -> callbacks``.
CallbackFactory = Callable[["RunContext"], list[keras.callbacks.Callback]]

#: ``on_epoch(epoch, logs)``: told of each committed epoch (numbered from 1).
EpochObserver = Callable[[int, dict[str, float]], None]


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

    With ``deferred``, the row is only computed (``row``): a
    :class:`TrainingStateBackup` given this writer records the row in its commit and
    writes it after the commit, so the file never shows an epoch that is not committed.
    """

    def __init__(self, path: str | Path, *, deferred: bool = False) -> None:
        super().__init__()
        self.path = Path(path)
        self.deferred = deferred
        self.row: dict[str, Any] | None = None
        self._started = 0.0
        self._learning_rate: float | None = None

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._started = time.perf_counter()
        self._learning_rate = _current_learning_rate(self.model)
        self.row = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        row: dict[str, Any] = {"epoch": epoch + 1}
        row.update({key: float(value) for key, value in (logs or {}).items()})
        row["learning_rate"] = self._learning_rate
        row["seconds"] = round(time.perf_counter() - self._started, 3)
        self.row = row
        if not self.deferred:
            write_history_row(self.path, row)


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

    At the end of every epoch it writes the weights and optimizer state to a new file
    (through a temporary name), then commits the epoch by atomically replacing
    ``state.json`` (:mod:`~mura_core.training.commits`: it names that file, records the
    state of ``stateful`` callbacks (EarlyStopping's patience counter,
    ReduceLROnPlateau's plateau counter, ModelCheckpoint's best value) and the epoch's
    history row), and only then writes the row to the history of a deferred
    :class:`HistoryTSV`. A run killed at any instant (Ctrl-C, ``kill -9``, a crash)
    restarts after the last committed epoch: at most the epoch in progress is trained
    again, and early stopping, learning-rate reduction and best-only checkpointing
    continue as if uninterrupted.

    With ``delete_checkpoint`` the backup folder is removed when training ends normally;
    the runner keeps it until the run records that training finished.
    """

    #: Attributes saved from each stateful callback, when it has them.
    STATE_ATTRIBUTES = ("wait", "best", "best_epoch", "stopped_epoch", "cooldown_counter")

    def __init__(
        self,
        backup_dir: str | Path,
        stateful: Sequence[keras.callbacks.Callback] = (),
        *,
        history: HistoryTSV | None = None,
        delete_checkpoint: bool = True,
    ) -> None:
        super().__init__(str(backup_dir), save_freq="epoch", delete_checkpoint=delete_checkpoint)
        self.stateful = list(stateful)
        self.history = history
        self._folder = Path(backup_dir)

    def restored_epoch(self) -> int:
        """Number of epochs committed in the backup (0 when there is none)."""
        return committed_epoch(self._folder)

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
        state = read_state(self._folder)
        if state is None:
            return
        optimizer = self.model.optimizer
        if optimizer is not None and not optimizer.built:
            optimizer.build(self.model.trainable_variables)
        self.model.load_weights(str(self._folder / state["weights"]))
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
        self._folder.mkdir(parents=True, exist_ok=True)
        weights = weights_name(self._current_epoch)
        temporary = self._folder / f".{weights}.tmp.weights.h5"
        self.model.save_weights(str(temporary), overwrite=True)
        os.replace(temporary, self._folder / weights)
        row = self.history.row if self.history is not None else None
        commit(
            self._folder,
            epoch=self._current_epoch,
            weights=weights,
            callbacks=self._callback_states(),
            history_row=row,
        )
        if row is not None:
            write_history_row(self.history.path, row)
        drop_stale_weights(self._folder, keep=weights)


def default_callbacks(
    run: RunContext,
    *,
    patience: int | None = None,
    lr_factor: float | None = None,
    lr_patience: int | None = None,
    tensorboard: bool = True,
) -> list[keras.callbacks.Callback]:
    """The report's callbacks, writing into the run folder.

    EarlyStopping on the config's ``monitor`` (``val_loss`` and patience 10 by default;
    restores the best weights); ReduceLROnPlateau on ``val_loss`` (the config's factor,
    patience and floor: 0.2, half of early stopping's patience so it can act before
    training stops, and 0 by default; the arguments override them); best-only ModelCheckpoint
    to :data:`~mura_core.runs.layout.WEIGHTS_TEMPLATE` (the report's file names);
    TensorBoard (when the ``tensorboard`` package is installed, else a note in
    ``run.notes``); :class:`HistoryTSV`; and :class:`TrainingStateBackup` last.
    """
    folder = run.folder
    config = run.config
    if lr_patience is None:
        lr_patience = config.plateau_patience if patience is None else max(1, patience // 2)
    patience = config.patience if patience is None else patience
    lr_factor = config.lr_factor if lr_factor is None else lr_factor
    monitor = config.monitor
    early_stopping = keras.callbacks.EarlyStopping(
        monitor=monitor,
        mode="min" if monitor.endswith("loss") else "max",
        patience=patience,
        restore_best_weights=True,
        verbose=0,
    )
    reduce_lr = keras.callbacks.ReduceLROnPlateau(
        monitor="val_loss", factor=lr_factor, patience=lr_patience, min_lr=config.lr_min,
        verbose=0,
    )  # fmt: skip
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
    history = HistoryTSV(folder.history, deferred=True)
    callbacks.append(history)
    callbacks.append(
        TrainingStateBackup(
            folder.backup,
            stateful=[early_stopping, reduce_lr, checkpoint],
            history=history,
            delete_checkpoint=False,  # the runner removes it once training is recorded
        )
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
