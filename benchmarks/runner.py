"""Training-runner overhead: ``mura train``'s runner against a plain ``model.fit``.

On a synthetic MURA tree (``mura synth``), both train the same named CNN for one epoch
on the same tf.data input (the project's pipeline, built from the same patient-level
split) and validate it:

* plain: load and split the data, build the pipelines, build the model through the
  registry, compile it by hand (Adam, binary cross-entropy, AUC, accuracy, kappa) and
  call ``model.fit(train, validation_data=valid, epochs=1)``;
* runner: :class:`mura_core.training.runner.Runner` with the same settings, which also
  writes the run folder (split manifest, ``run.json``, model summary, best-only
  checkpoint, history, backup of the training state, training graph) and reloads the
  best weights. The test-set evaluation is left out (plain ``fit`` has none).

Both include loading the data, building, tracing and one epoch, so the ratio is the
runner's own cost. Each measurement runs in a fresh interpreter (timed after TensorFlow
is imported), so neither inherits the other's caches or memory; they run in interleaved
rounds, alternating which goes first, after an untimed round that warms the file cache,
so a change in machine load hits both alike; each time is the best over ``--repeats``
rounds. The last line reads ``runner: overhead X.XXx`` (target: at most 1.10x).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mura_core.versions import versions_line

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

NAME = "cnn_in.128.128.1_cl.4.1_f.16_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"


def plain_fit(name: str, root: Path, batch_size: int, seed: int) -> float:
    """Seconds of a hand-written load, build, compile and one-epoch ``fit``."""
    import keras

    import registry
    from mura_core.data import load_mura, pipeline_for_model, split_by_patient
    from mura_core.metrics import CohenKappa

    start = time.perf_counter()
    keras.utils.set_random_seed(seed)
    split = split_by_patient(load_mura(root).frame, validation_fraction=0.2, seed=seed)
    train = pipeline_for_model(name, split.train, training=True, batch_size=batch_size,
                               augment=False, cache="memory", seed=seed)  # fmt: skip
    valid = pipeline_for_model(name, split.validation, training=False, batch_size=batch_size,
                               cache="memory")  # fmt: skip
    model = registry.build(name)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss=keras.losses.BinaryCrossentropy(),
        metrics=[keras.metrics.AUC(name="auc"), keras.metrics.BinaryAccuracy(name="accuracy"),
                 CohenKappa(name="kappa")],
    )  # fmt: skip
    model.fit(train, validation_data=valid, epochs=1, verbose=0, shuffle=False)
    return time.perf_counter() - start


def runner_fit(name: str, root: Path, out: Path, batch_size: int, seed: int) -> float:
    """Seconds of one epoch through the runner, artifacts included."""
    from mura_core.training.context import TrainConfig
    from mura_core.training.runner import Runner

    config = TrainConfig(name=name, data_root=root, out=out, epochs=1, batch_size=batch_size,
                         seed=seed, overwrite=True, verbose=0)  # fmt: skip
    start = time.perf_counter()
    Runner(config, evaluate=False).run()
    return time.perf_counter() - start


def measure_in_subprocess(kind: str, name: str, root: Path, out: Path, batch_size: int,
                          seed: int) -> float:  # fmt: skip
    """Seconds of one ``plain`` or ``runner`` epoch, timed inside a fresh interpreter."""
    command = [sys.executable, __file__, "--measure", kind, "--root", str(root),
               "--out", str(out), "--name", name, "--batch-size", str(batch_size),
               "--seed", str(seed)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=500, help="synthetic studies")
    parser.add_argument("--name", default=NAME, help="model to train")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=4, help="interleaved rounds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--measure", choices=("plain", "runner"), help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        import keras  # noqa: F401  (imported before timing, in both measurements)
        import tensorflow  # noqa: F401
    if args.measure == "plain":
        print(plain_fit(args.name, args.root, args.batch_size, args.seed))
        return
    if args.measure == "runner":
        print(runner_fit(args.name, args.root, args.out, args.batch_size, args.seed))
        return

    print(versions_line(), flush=True)
    from mura_core.data import synthesize

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        summary = synthesize(root, studies=args.studies, seed=args.seed, max_side=256)
        print(f"{summary.images} synthetic images; model {args.name}", flush=True)
        times: dict[str, list[float]] = {"plain": [], "runner": []}
        for round_ in range(args.repeats + 1):  # round 0 warms the file cache, untimed
            order = ("plain", "runner") if round_ % 2 == 0 else ("runner", "plain")
            for kind in order:
                seconds = measure_in_subprocess(
                    kind, args.name, root, Path(tmp) / "runs", args.batch_size, args.seed
                )
                if round_:
                    times[kind].append(seconds)
        best = {kind: min(values) for kind, values in times.items()}

    for kind, label in (("plain", "plain model.fit, one epoch"), ("runner", "runner, one epoch")):
        rounds = ", ".join(f"{value:.1f}" for value in times[kind])
        print(f"{label:<28} {best[kind]:7.2f} s  (rounds: {rounds})")
    print(f"runner: overhead {best['runner'] / best['plain']:.2f}x")


if __name__ == "__main__":
    main()
