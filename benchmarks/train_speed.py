"""Training speed against the machine's limit: the report's CNN and the MURA paper's
DenseNet-169, as FLOP rates over the dense float32 matmul rate of the same process.

For each model (``report_cnn6`` at 256x256x3, batch 16; the MURA paper's DenseNet-169,
``mura_paper_densenet169``, at 320x320x3, batch 8, every layer trained, random weights):

* forward FLOPs per image, counted by TensorFlow's profiler on the frozen inference
  graph, and for the CNN checked against a count from its layers' shapes (2 FLOPs per
  multiply-add of each convolution and dense layer, plus their biases);
* training images per second through the package's
  :class:`~mura_core.training.runner.Runner`: on in-memory tensors (a data factory
  returning a ``tf.data`` of ready images) with XLA off and on, and through the
  package's input pipeline (:func:`~mura_core.training.data.mura_data` on a synthetic
  MURA tree of MURA-sized images, decoded and resized on the fly) with the package's
  default settings. A step's time is the median time between consecutive steps'
  ends (its input included), over the steps after the first ``--warmup`` (which trace
  and compile);
* the dense float32 matmul rate (2048x2048), measured in the same process before each
  round, by TensorFlow's kernel and by NumPy's BLAS (the better is the machine's rate).

The package's default (``--xla auto``) leaves XLA to Keras, which keeps it off on a
machine without accelerators; the line of each model compares the default with the
better of XLA on and off.

Rounds interleave the measurements (alternating their order) so that a change in load
hits all alike; each figure is the best over ``--rounds``. The training FLOP rate
counts three times the forward FLOPs per image (forward, and the two products of the
backward pass). The last line reads::

    train speed: cnn6 X.XX, densenet169 Y.YY of matmul; pipeline Z.ZZ of in-memory

(each model's training FLOP rate with the default settings over the matmul rate; the
pipeline's images/s over in-memory images/s with the default settings, the lower of
the two models). ``--quick`` runs both at 64x64 with few steps, to check the benchmark
itself.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mura_core.versions import versions_line  # noqa: E402


@dataclass(frozen=True)
class Model:
    """A model to measure: its key, its name and its batch size."""

    key: str
    name: str
    batch_size: int


MODELS = (
    Model("cnn6", "report_cnn6", 16),
    Model("densenet169", "densenet169_in.320.320.3_p.avg_tla.-1", 8),  # every layer trains
)
#: The same two at 64x64, for ``--quick``.
QUICK = (
    Model("cnn6", "cnn_in.64.64.3_cl.6.1_f.32_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25", 16),
    Model("densenet169", "densenet169_in.64.64.3_p.avg_tla.-1", 8),
)
#: Largest relative difference allowed between the profiler's count and the layers'.
COUNT_TOLERANCE = 0.02


def matmul_rate(n: int = 2048, repeats: int = 10) -> dict[str, float]:
    """FLOP/s of a dense float32 ``n`` x ``n`` matmul (the best of ``repeats``), by
    TensorFlow's kernel and by NumPy's BLAS: the machine's rate is the better one."""
    import numpy as np
    import tensorflow as tf

    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))
    a_np, b_np = a.numpy(), b.numpy()
    products = {
        "tensorflow": tf.function(lambda: tf.reduce_sum(tf.matmul(a, b))),
        "numpy": lambda: (a_np @ b_np).sum(),
    }
    rates = {}
    for library, product in products.items():
        np.asarray(product())
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            np.asarray(product())
            best = min(best, time.perf_counter() - start)
        rates[library] = 2 * n**3 / best
    return rates


def profiled_flops(model: Any) -> int:
    """Forward FLOPs of one image, as TensorFlow's profiler counts the frozen graph."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

    tf.get_logger().setLevel("ERROR")  # the v1 profiler's deprecation notice
    spec = tf.TensorSpec((1, *model.input_shape[1:]), tf.float32)
    concrete = tf.function(lambda x: model(x, training=False)).get_concrete_function(spec)
    graph = convert_variables_to_constants_v2(concrete).graph
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    info = tf.compat.v1.profiler.profile(
        graph=graph, run_meta=tf.compat.v1.RunMetadata(), cmd="op", options=options
    )
    return int(info.total_float_ops)


def layer_flops(model: Any) -> int:
    """Forward FLOPs of one image from the layers' shapes: 2 per multiply-add of every
    convolution and dense layer, plus one per bias."""
    import keras

    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            _, height, width, filters = layer.output.shape
            kh, kw = layer.kernel_size
            channels = layer.input.shape[-1]
            total += 2 * height * width * filters * kh * kw * channels // layer.groups
            total += height * width * filters if layer.use_bias else 0
        elif isinstance(layer, keras.layers.Dense):
            inputs, units = layer.kernel.shape
            total += 2 * inputs * units + (units if layer.use_bias else 0)
    return int(total)


def step_timer() -> Any:
    """A Keras callback recording the time between consecutive steps' ends (``.seconds``):
    a step's whole cost, its input included."""
    import keras

    class StepTimer(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.seconds: list[float] = []
            self._last: float | None = None

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            now = time.perf_counter()
            if self._last is not None:
                self.seconds.append(now - self._last)
            self._last = now

    return StepTimer()


def in_memory(images: int, seed: int = 0) -> Any:
    """A data factory of ``images`` ready, random images of the run's input shape."""
    import numpy as np
    import tensorflow as tf

    from mura_core.training.data import RunData

    def factory(run: Any) -> RunData:
        shape = tuple(run.parsed.input_shape)
        rng = np.random.default_rng(seed)
        x = rng.random((images, *shape), dtype=np.float32)
        y = (rng.random(images) < 0.4).astype(np.float32)
        batch = run.config.batch_size
        train = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch).prefetch(2)
        validation = tf.data.Dataset.from_tensor_slices((x[:batch], y[:batch])).batch(batch)
        return RunData(train, validation, counts={"train": images, "validation": batch})

    return factory


def images_per_second(
    model: Model, root: Path, out: Path, *, steps: int, warmup: int, xla: Any, pipeline: bool
) -> float:
    """Training images per second of ``model`` through the package's runner."""
    import keras

    from mura_core.training.callbacks import default_callbacks
    from mura_core.training.context import TrainConfig
    from mura_core.training.data import mura_data
    from mura_core.training.runner import Runner

    keras.backend.clear_session()
    timer = step_timer()
    images = (steps + warmup) * model.batch_size
    config = TrainConfig(name=model.name, data_root=root, out=out, epochs=1,
                         batch_size=model.batch_size, jit_compile=xla, pretrained=None,
                         limit=images if pipeline else None, cache=None, overwrite=True,
                         verbose=0)  # fmt: skip
    data = mura_data if pipeline else in_memory(images)
    runner = Runner(config, data=data, evaluate=False,
                    callbacks=lambda run: [*default_callbacks(run), timer])  # fmt: skip
    runner.run()
    measured = timer.seconds[max(warmup - 1, 0):]  # intervals: the first is step 2's
    if not measured:
        raise SystemExit(f"{model.key}: fewer than {warmup + 1} steps were run")
    return model.batch_size / statistics.median(measured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--steps", type=int, default=6, help="timed steps per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="untimed first steps")
    parser.add_argument("--quick", action="store_true", help="64x64 models, 3 steps")
    args = parser.parse_args()
    print(versions_line(), flush=True)
    if args.quick:
        args.steps, args.warmup = 3, 1

    import registry
    from mura_core.data.synth import synthesize

    models = QUICK if args.quick else MODELS
    work = Path(tempfile.mkdtemp(prefix="mura-train-speed-"))
    root = work / "data"
    most = max((args.steps + args.warmup) * m.batch_size for m in models)
    synthesize(root, studies=max(60, most), seed=0, min_side=320, max_side=512)

    flops: dict[str, int] = {}
    for model in models:
        built = registry.build(model.name, weights=None)
        flops[model.key] = profiled_flops(built)
        if model.key == "cnn6":
            counted = layer_flops(built)
            difference = abs(flops[model.key] - counted) / counted
            print(f"{model.key}: profiler {flops[model.key]:,} FLOPs, layers {counted:,} "
                  f"({difference:.2%} apart)")  # fmt: skip
            if difference > COUNT_TOLERANCE:
                raise SystemExit(f"{model.key}: the two FLOP counts differ by {difference:.1%}")
        del built

    ways = {"xla off": (False, False), "xla on": (True, False), "pipeline": ("auto", True),
            "default": ("auto", False)}  # fmt: skip
    best: dict[tuple[str, str], float] = {}
    rates: dict[str, float] = {}
    for number in range(args.rounds):
        for library, rate in matmul_rate().items():
            rates[library] = max(rates.get(library, 0.0), rate)
        for model in models:
            order = list(ways) if number % 2 == 0 else list(reversed(ways))
            for way in order:
                xla, pipeline = ways[way]
                speed = images_per_second(model, root, work / "runs", steps=args.steps,
                                          warmup=args.warmup, xla=xla,
                                          pipeline=pipeline)  # fmt: skip
                key = (model.key, way)
                best[key] = max(best.get(key, 0.0), speed)
                print(f"  round {number + 1} {model.key} {way}: {speed:.2f} images/s", flush=True)
    matmul = max(rates.values())
    print("matmul (float32, 2048x2048): " + ", ".join(
        f"{library} {rate / 1e9:.1f} GFLOP/s" for library, rate in rates.items()))  # fmt: skip
    of_matmul: dict[str, float] = {}
    pipelines: list[float] = []
    for model in models:
        forward = flops[model.key]
        better = max(best[(model.key, "xla off")], best[(model.key, "xla on")])
        training = 3 * forward * best[(model.key, "default")]
        of_matmul[model.key] = training / matmul
        pipelines.append(best[(model.key, "pipeline")] / best[(model.key, "default")])
        print(f"{model.key}: {forward / 1e9:.2f} GFLOP forward per image; images/s "
              f"xla off {best[(model.key, 'xla off')]:.2f}, xla on "
              f"{best[(model.key, 'xla on')]:.2f}, default {best[(model.key, 'default')]:.2f}, "
              f"pipeline {best[(model.key, 'pipeline')]:.2f}; training "
              f"{training / 1e9:.1f} GFLOP/s; default {best[(model.key, 'default')] / better:.2f} "
              "of the better of XLA on and off")  # fmt: skip
    print(f"train speed: cnn6 {of_matmul['cnn6']:.2f}, densenet169 "
          f"{of_matmul['densenet169']:.2f} of matmul; pipeline {min(pipelines):.2f} "
          "of in-memory")  # fmt: skip


if __name__ == "__main__":
    main()
