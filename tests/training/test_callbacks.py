"""The callback factory, the history writer and the atomic training-state backup."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest

import registry
from mura_core.metrics import CohenKappa
from mura_core.runs.layout import WEIGHTS_TEMPLATE, RunFolder
from mura_core.training.callbacks import (
    HistoryTSV,
    TrainingStateBackup,
    default_callbacks,
    make_callbacks,
)
from mura_core.training.context import RunContext, TrainConfig, resolve_run_name

TINY_CNN = "cnn_in.32.32.1_cl.2.1_f.8_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"


def make_run(tmp_path: Path, **settings) -> RunContext:
    parsed = resolve_run_name(TINY_CNN)
    config = TrainConfig(name=TINY_CNN, data_root=tmp_path, out=tmp_path / "runs", **settings)
    return RunContext(parsed, config, RunFolder.create(config.out, parsed.full_name))


def small_model() -> keras.Model:
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(
        keras.optimizers.Adam(0.05),
        "binary_crossentropy",
        metrics=[
            keras.metrics.AUC(name="auc"),
            keras.metrics.BinaryAccuracy(name="accuracy"),
            CohenKappa(),
        ],
    )
    return model


def toy_data():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(64, 4)).astype("float32")
    labels = (features[:, 0] + 0.3 * rng.normal(size=64) > 0).astype("float32")
    return features, labels


class StopAt(keras.callbacks.Callback):
    """Simulates a crash at the start of an epoch."""

    def __init__(self, epoch: int) -> None:
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt


def test_default_callbacks_follow_the_report(tmp_path):
    run = make_run(tmp_path, patience=10)
    callbacks = default_callbacks(run)
    by_type = {type(callback).__name__: callback for callback in callbacks}
    early = by_type["EarlyStopping"]
    assert (early.monitor, early.patience, early.restore_best_weights) == ("val_loss", 10, True)
    reduce_lr = by_type["ReduceLROnPlateau"]
    assert (reduce_lr.monitor, reduce_lr.factor, reduce_lr.min_lr) == ("val_loss", 0.2, 0.0)
    checkpoint = by_type["ModelCheckpoint"]
    assert checkpoint.save_best_only and checkpoint.save_weights_only
    assert checkpoint.filepath == str(run.folder.path / WEIGHTS_TEMPLATE)
    assert isinstance(callbacks[-1], TrainingStateBackup), "the backup commits each epoch last"
    assert isinstance(callbacks[-2], HistoryTSV)
    has_tensorboard = "TensorBoard" in by_type
    assert has_tensorboard != any("tensorboard" in note for note in run.notes)


def test_plugins_extend_callbacks_through_the_hook(tmp_path):
    seen = {}

    class Plugin:
        @registry.hookimpl
        def extend_callbacks(self, callbacks, run):
            seen["run"] = run.name
            callbacks.insert(-1, keras.callbacks.TerminateOnNaN())

    name = registry.get_registry().register_plugin(Plugin(), name="test-extend-callbacks")
    try:
        callbacks = make_callbacks(make_run(tmp_path))
    finally:
        registry.get_registry().unregister_plugin(name)
    assert seen["run"] == TINY_CNN
    assert isinstance(callbacks[-2], keras.callbacks.TerminateOnNaN)
    assert isinstance(callbacks[-1], TrainingStateBackup)
    assert not any(
        isinstance(callback, keras.callbacks.TerminateOnNaN)
        for callback in make_callbacks(make_run(tmp_path))
    )


def test_a_replacement_factory_is_used_as_is(tmp_path):
    only = keras.callbacks.TerminateOnNaN()
    assert make_callbacks(make_run(tmp_path), lambda run: [only]) == [only]


def test_history_rows_of_a_replayed_epoch_are_replaced(tmp_path):
    path = tmp_path / "history.tsv"
    writer = HistoryTSV(path)
    writer.set_model(small_model())
    for epoch in (0, 1, 2):
        writer.on_epoch_begin(epoch)
        writer.on_epoch_end(epoch, {"loss": 1.0 - epoch / 10, "val_loss": 2.0})
    writer.on_epoch_begin(1)  # a resumed run replays epoch index 1
    writer.on_epoch_end(1, {"loss": 0.5, "val_loss": 1.5})
    history = pd.read_csv(path, sep="\t")
    assert list(history["epoch"]) == [1, 2]
    assert history["loss"].iloc[-1] == pytest.approx(0.5)
    assert list(history.columns[:3]) == ["epoch", "loss", "val_loss"]
    assert history["learning_rate"].iloc[0] == pytest.approx(0.05)


def test_interrupted_fit_resumes_with_no_epoch_lost_or_repeated(tmp_path):
    features, labels = toy_data()
    run = make_run(tmp_path, patience=50)
    model = small_model()
    with pytest.raises(KeyboardInterrupt):
        model.fit(
            features,
            labels,
            validation_data=(features, labels),
            batch_size=16,
            epochs=6,
            verbose=0,
            callbacks=make_callbacks(run) + [StopAt(3)],
        )
    backup = next(c for c in make_callbacks(run) if isinstance(c, TrainingStateBackup))
    assert backup.restored_epoch() == 3
    assert sorted(p.name for p in run.folder.backup.iterdir()) == [
        "epoch-0003.weights.h5",
        "state.json",
    ]

    resumed = small_model()
    callbacks = make_callbacks(run)
    history = resumed.fit(
        features,
        labels,
        validation_data=(features, labels),
        batch_size=16,
        epochs=6,
        verbose=0,
        callbacks=callbacks,
    )
    assert history.epoch == [3, 4, 5]
    rows = pd.read_csv(run.folder.history, sep="\t")
    assert list(rows["epoch"]) == [1, 2, 3, 4, 5, 6]
    # The optimizer state came back too: Adam counted every step of all six epochs.
    assert int(resumed.optimizer.iterations) == 6 * 4
    # The backup outlives fit: the runner removes it once run.json records the training.
    assert json.loads(run.folder.state.read_text())["epoch"] == 6


def test_callback_state_survives_the_interruption(tmp_path):
    features, labels = toy_data()
    run = make_run(tmp_path, patience=50)
    with pytest.raises(KeyboardInterrupt):
        small_model().fit(
            features,
            labels,
            validation_data=(features, labels),
            batch_size=16,
            epochs=5,
            verbose=0,
            callbacks=make_callbacks(run) + [StopAt(2)],
        )
    callbacks = make_callbacks(run)
    early, reduce_lr, checkpoint = callbacks[0], callbacks[1], callbacks[2]
    model = small_model()
    callbacks[-1].set_model(model)
    early.set_model(model)
    reduce_lr.set_model(model)
    for callback in (early, reduce_lr, callbacks[-1]):
        callback.on_train_begin()
    rows = pd.read_csv(run.folder.history, sep="\t")
    best = rows["val_loss"].min()
    assert early.best == pytest.approx(best)
    assert early.best_epoch == int(rows["val_loss"].idxmin())
    assert reduce_lr.best == pytest.approx(best)
    assert checkpoint.best == pytest.approx(best)
