"""Resume after a real ``kill -9``, and training under MirroredStrategy on two devices."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd

from mura_core.runs import read_run_json, weights_files

CHILD = textwrap.dedent(
    """
    import os, sys, time
    import keras
    from mura_core.training.callbacks import default_callbacks
    from mura_core.training.context import TrainConfig
    from mura_core.training.runner import Runner

    name, root, out, marker = sys.argv[1:5]

    class HangMidEpoch(keras.callbacks.Callback):
        # Signals the parent in the middle of the third epoch, then waits to be killed.
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if self.epoch == 2 and batch == 1:
                open(marker, "w").close()
                time.sleep(120)

    def callbacks(run):
        found = default_callbacks(run)
        if os.environ.get("HANG"):
            found.insert(0, HangMidEpoch())
        return found

    config = TrainConfig(name=name, data_root=root, out=out, epochs=4, batch_size=16,
                         patience=50, verbose=0)
    Runner(config, callbacks=callbacks, evaluate=False).run()
    """
)


def test_run_killed_mid_epoch_resumes_with_no_epoch_lost_or_repeated(tmp_path, mura_root, tiny_cnn):
    out, marker = tmp_path / "runs", tmp_path / "hanging"
    args = [sys.executable, "-c", CHILD, tiny_cnn, str(mura_root), str(out), str(marker)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    child = subprocess.Popen(args, env={**env, "HANG": "1"}, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180
    while not marker.exists():
        assert child.poll() is None, child.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline, "the child never reached the third epoch"
        time.sleep(0.2)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    folder = out / tiny_cnn
    state = json.loads((folder / "backup" / "state.json").read_text())
    assert state["epoch"] == 2, "two epochs were committed before the kill"
    assert read_run_json(folder / "run.json")["status"] == "running"

    again = subprocess.run(args, env=env, capture_output=True, text=True, timeout=240)
    assert again.returncode == 0, again.stderr[-2000:]
    history = pd.read_csv(folder / "history.tsv", sep="\t")
    assert list(history["epoch"]) == [1, 2, 3, 4]
    info = read_run_json(folder / "run.json")
    assert info["status"] == "complete"
    assert info["resumed_from_epoch"] == 2
    assert [(s["first_epoch"], s["last_epoch"]) for s in info["timings"]["sessions"]] == [(3, 4)]
    assert all(item.epoch <= 4 for item in weights_files(folder))
    assert not (folder / "backup").exists()


MIRRORED = textwrap.dedent(
    """
    import json, sys
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from sklearn.metrics import cohen_kappa_score
    from mura_core.inference import predict_frame, subset_frame
    from mura_core.training.runner import train

    name, root, out = sys.argv[1:4]
    result = train(name, root, out=out, epochs=1, batch_size=16, strategy="mirrored",
                   evaluate=False, verbose=0)
    rows = predict_frame(result.model, subset_frame(result.folder, root, "validation"), name)
    print(json.dumps({
        "replicas": json.load(open(result.folder.run_json))["strategy"]["replicas"],
        "history_val_kappa": float(result.history["val_kappa"].iloc[-1]),
        "sklearn_val_kappa": float(cohen_kappa_score(rows["label"], rows["probability"] > 0.5)),
        "epochs": result.history["epoch"].tolist(),
    }))
    """
)


def test_mirrored_strategy_on_two_logical_cpus(tmp_path, mura_root, tiny_cnn):
    completed = subprocess.run(
        [sys.executable, "-c", MIRRORED, tiny_cnn, str(mura_root), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["replicas"] == 2
    assert report["epochs"] == [1]
    # The kappa metric, summed over both replicas, equals kappa over all predictions.
    assert abs(report["history_val_kappa"] - report["sklearn_val_kappa"]) < 1e-4
