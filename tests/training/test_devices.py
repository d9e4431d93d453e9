"""Training under MirroredStrategy on two devices. (A run killed at any instant is
resumed in ``test_crash_consistency.py``.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

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
