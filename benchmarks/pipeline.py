"""Input pipeline throughput: the project's tf.data pipeline against keras' legacy loader.

On a few hundred synthetic MURA images (``mura synth``, sizes up to 512 px), resized to
256x256x3 with horizontal and vertical flips and rotation within +-30 degrees, these run
side by side in one process:

* keras' legacy ``ImageDataGenerator.flow_from_dataframe`` (the report's loader; in
  Keras 3 importable from ``keras.src.legacy.preprocessing.image``): it decodes every
  epoch, so each of its epochs costs the same;
* the project's :func:`mura_core.data.pipeline.training_dataset` with an in-memory cache:
  the first epoch decodes and fills the cache, later epochs only shuffle, augment and
  normalise;
* decoding and resizing alone (no augmentation, no cache): the ceiling of a first epoch.

Files are read once beforehand, so every measurement runs on a warm OS file cache. The
loaders run in interleaved rounds, so a change in machine load hits them alike; each rate
(images per second) is the best over ``--repeats`` rounds, and every round builds a fresh
pipeline, so its first epoch starts from an empty cache. XLA compiles the pipeline's
augmentation and normalisation once per process (about half a second, shared by every
dataset); the first round pays it, and its rate is printed too ("cold"). The last line
gives the two ratios against the legacy loader (targets: first epoch at least 3x, cached
at least 8x).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mura_core.versions import versions_line

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def epoch_rate(run: Callable[..., object], images: int, *args: object) -> float:
    """Images per second of ``run(*args)``."""
    start = time.perf_counter()
    run(*args)
    return images / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=400, help="about this many images")
    parser.add_argument("--size", type=int, default=256, help="square input size")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(versions_line(), flush=True)

    import tensorflow as tf
    from keras.src.legacy.preprocessing.image import ImageDataGenerator

    from mura_core.data import (
        AugmentConfig,
        decoded_dataset,
        load_mura,
        synthesize,
        training_dataset,
    )

    size = (args.size, args.size)
    with tempfile.TemporaryDirectory(prefix="mura-bench-") as folder:
        summary = synthesize(folder, studies=max(1, round(args.images / 1.95)), seed=args.seed)
        frame = load_mura(folder).frame
        n = len(frame)
        for path in frame["path"]:  # warm the OS file cache for everyone
            Path(path).read_bytes()
        print(
            f"{n} images ({summary.studies} studies), {size[0]}x{size[1]}x3, "
            f"batch {args.batch_size}, flips + rotation 30 degrees, {args.repeats} rounds"
        )

        # keras' legacy loader, as the report used it
        generator = ImageDataGenerator(
            rescale=1.0 / 255, horizontal_flip=True, vertical_flip=True, rotation_range=30
        )
        flow = generator.flow_from_dataframe(
            frame.assign(y=frame["label"].astype(str)), x_col="path", y_col="y",
            target_size=size, color_mode="rgb", class_mode="binary",
            batch_size=args.batch_size, shuffle=True, seed=args.seed,
            validate_filenames=False,
        )  # fmt: skip

        def legacy_epoch() -> None:
            for index in range(len(flow)):
                images, _labels = flow[index]
                assert images.shape[1:] == (*size, 3)
            flow.on_epoch_end()

        def pipeline_epoch(dataset: tf.data.Dataset) -> None:
            shapes = {tuple(images.shape[1:]) for images, _labels in dataset}
            assert shapes == {(*size, 3)}

        decode = decoded_dataset(frame, image_size=size, channels=3, grayscale=True)
        decode = decode.batch(args.batch_size).prefetch(tf.data.AUTOTUNE)

        rates: dict[str, list[float]] = {"legacy": [], "first": [], "cached": [], "decode": []}
        for _ in range(args.repeats):
            rates["legacy"].append(epoch_rate(legacy_epoch, n))
            dataset = training_dataset(
                frame, image_size=size, channels=3, preprocessing="unit",
                batch_size=args.batch_size, augment=AugmentConfig(), cache="memory",
                seed=args.seed,
            )  # fmt: skip
            rates["first"].append(epoch_rate(pipeline_epoch, n, dataset))
            rates["cached"].append(epoch_rate(pipeline_epoch, n, dataset))
            rates["decode"].append(epoch_rate(list, n, decode))
        best = {key: max(values) for key, values in rates.items()}

    rows = [
        ("legacy ImageDataGenerator, any epoch", best["legacy"]),
        ("mura pipeline, first epoch, cold process", rates["first"][0]),
        ("mura pipeline, first epoch (decode + cache)", best["first"]),
        ("mura pipeline, cached epoch", best["cached"]),
        ("decode + resize only (ceiling of epoch 1)", best["decode"]),
    ]
    for label, rate in rows:
        print(f"{label:<44} {rate:8.1f} images/s")
    first_ratio = best["first"] / best["legacy"]
    cached_ratio = best["cached"] / best["legacy"]
    print(f"pipeline: first-epoch {first_ratio:.2f}x, cached {cached_ratio:.2f}x")


if __name__ == "__main__":
    main()
