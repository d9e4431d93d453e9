"""Input pipeline throughput: the project's tf.data pipeline against keras' legacy loader.

On a few hundred synthetic MURA images (``mura synth``, sizes up to 512 px), resized to
256x256x3 with horizontal and vertical flips and rotation within +-30 degrees, both
loaders run side by side in one process:

* keras' legacy ``ImageDataGenerator.flow_from_dataframe`` (the report's loader; in
  Keras 3 importable from ``keras.src.legacy.preprocessing.image``): it decodes every
  epoch, so its first and later epochs cost the same;
* the project's :func:`mura_core.data.pipeline.training_dataset` with an in-memory cache:
  the first epoch decodes and fills the cache, later epochs only shuffle, augment and
  normalise;
* decoding and resizing alone (no augmentation, no cache): the ceiling of a first epoch.

Files are read once beforehand, so every measurement runs on a warm OS file cache.
Rates are images per second (best of ``--repeats`` for the repeated measurements); the
last line gives the two ratios against the legacy loader (targets: first epoch at least
3x, cached epochs at least 8x).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def epoch_rate(iterate, images: int) -> float:
    start = time.perf_counter()
    iterate()
    return images / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=400, help="about this many images")
    parser.add_argument("--size", type=int, default=256, help="square input size")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3, help="cached epochs measured")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

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
        print(f"{n} images ({summary.studies} studies), {size[0]}x{size[1]}x3, "
              f"batch {args.batch_size}, flips + rotation 30 degrees")  # fmt: skip

        # keras' legacy loader, as the report used it
        legacy_frame = frame.assign(y=frame["label"].astype(str))
        generator = ImageDataGenerator(
            rescale=1.0 / 255, horizontal_flip=True, vertical_flip=True, rotation_range=30
        )
        flow = generator.flow_from_dataframe(
            legacy_frame, x_col="path", y_col="y", target_size=size, color_mode="rgb",
            class_mode="binary", batch_size=args.batch_size, shuffle=True, seed=args.seed,
            validate_filenames=False,
        )  # fmt: skip

        def legacy_epoch() -> None:
            for index in range(len(flow)):
                flow[index]
            flow.on_epoch_end()

        legacy_first = epoch_rate(legacy_epoch, n)
        legacy_later = epoch_rate(legacy_epoch, n)

        # the project's pipeline
        dataset = training_dataset(
            frame, image_size=size, channels=3, preprocessing="unit",
            batch_size=args.batch_size, augment=AugmentConfig(), cache="memory",
            seed=args.seed,
        )  # fmt: skip

        def ours_epoch() -> None:
            shapes = {tuple(images.shape[1:]) for images, _labels in dataset}
            assert shapes == {(*size, 3)}

        ours_first = epoch_rate(ours_epoch, n)
        ours_cached = max(epoch_rate(ours_epoch, n) for _ in range(args.repeats))

        decode = decoded_dataset(frame, image_size=size, channels=3)
        decode = decode.batch(args.batch_size).prefetch(tf.data.AUTOTUNE)
        decode_rate = max(
            epoch_rate(lambda: [None for _ in decode], n) for _ in range(args.repeats)
        )

    rows = [
        ("legacy ImageDataGenerator, epoch 1", legacy_first),
        ("legacy ImageDataGenerator, epoch 2", legacy_later),
        ("mura pipeline, epoch 1 (decode + cache)", ours_first),
        ("mura pipeline, cached epochs", ours_cached),
        ("decode + resize only (ceiling of epoch 1)", decode_rate),
    ]
    for label, rate in rows:
        print(f"{label:<44} {rate:8.1f} images/s")
    first_ratio = ours_first / legacy_first
    cached_ratio = ours_cached / legacy_later
    print(f"pipeline: first-epoch {first_ratio:.2f}x, cached {cached_ratio:.2f}x")


if __name__ == "__main__":
    main()
