"""Where the report's CNN spends a training step: block by block, layer kind by layer kind.

``report_cnn6`` (256x256x3, 32 filters doubling per block, batch norm, max pooling) is
built by the registry, then each of its six blocks is timed alone on a batch of
``--batch`` random inputs of the block's input shape: a training step's forward and
backward pass (gradients of the block's weights and of its input, as inside the whole
network; the first block needs no input gradient), once for the whole block
(convolution, batch norm, ReLU, pooling) and once for its convolution alone. Each
figure is the median of ``--steps`` steps after two untimed ones, measured in the same
process as a dense float32 matmul of the same FLOPs as the block's convolution.

One line per block: output size, forward GFLOP per image, milliseconds per image of the
whole block and of its convolution, the convolution's training FLOP rate (three times
its forward FLOPs) and the block's share of the whole network's time. The last line
reads ``cnn profile: first block A% of the time for B% of the FLOPs; convolutions C% of
the time``: how much of the step is spent outside the convolutions' arithmetic.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mura_core.versions import versions_line  # noqa: E402


def timed_step(layers: list[Any], shape: tuple[int, ...], batch: int, steps: int,
               input_gradient: bool) -> float:  # fmt: skip
    """Median seconds of a forward and backward pass through ``layers`` in training mode."""
    import tensorflow as tf

    images = tf.random.uniform((batch, *shape))

    def forward(x: Any) -> Any:
        for layer in layers:
            x = layer(x, training=True)
        return x

    forward(images)  # builds every layer on the block's shape
    variables = [v for layer in layers for v in layer.trainable_variables]

    @tf.function
    def step(x: Any) -> Any:
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_mean(forward(x))
        return tape.gradient(loss, [*variables, x] if input_gradient else variables)

    seconds = []
    for number in range(steps + 2):
        start = time.perf_counter()
        for gradient in step(images):
            gradient.numpy()
        if number >= 2:
            seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="report_cnn6")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    print(versions_line(), flush=True)

    import keras

    import registry

    model = registry.build(args.name, weights=None)
    blocks: dict[int, list[Any]] = {}
    for layer in model.layers:
        if layer.name.startswith("block"):
            blocks.setdefault(int(layer.name[5:].split("_")[0]), []).append(layer)
    rows = []
    for index, layers in sorted(blocks.items()):
        shape = tuple(layers[0].input.shape[1:])
        convs = [layer for layer in layers if isinstance(layer, keras.layers.Conv2D)]
        flops = 0
        for conv in convs:
            _, height, width, filters = conv.output.shape
            flops += 2 * height * width * filters * conv.kernel_size[0] * conv.kernel_size[1] \
                * conv.input.shape[-1]  # fmt: skip
        whole = timed_step(layers, shape, args.batch, args.steps, index > 1) / args.batch
        conv = timed_step(convs, shape, args.batch, args.steps, index > 1) / args.batch
        rows.append((index, tuple(layers[-1].output.shape[1:]), flops, whole, conv))
    total_time = sum(row[3] for row in rows)
    total_flops = sum(row[2] for row in rows)
    for index, out, flops, whole, conv in rows:
        print(
            f"block {index}: out {'x'.join(map(str, out)):>12}  {flops / 1e9:5.2f} GFLOP  "
            f"block {whole * 1e3:6.2f} ms  conv {conv * 1e3:6.2f} ms  conv "
            f"{3 * flops / conv / 1e9:6.1f} GFLOP/s  {whole / total_time:5.1%} of the time"
        )
    first = rows[0]
    conv_share = sum(row[4] for row in rows) / total_time
    print(
        f"cnn profile: first block {first[3] / total_time:.0%} of the time for "
        f"{first[2] / total_flops:.0%} of the FLOPs; convolutions {conv_share:.0%} of the time"
    )


if __name__ == "__main__":
    main()
