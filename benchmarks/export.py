"""Serving speed of exported artifacts against ``mura predict``, on the same images.

Trains the demo's CNN briefly on synthetic MURA, exports it in every format (printing
each one's parity with the run, as ``mura export`` does), and predicts the same images
three ways: the run through ``mura predict``'s code path
(:func:`~mura_core.inference.predict_frame`), and each artifact through
:meth:`~mura_core.export.artifact.Artifact.predict_frame` (the same decoding, then the
artifact's runtime). Each way is warmed up first (start-up and tracing excluded), then
timed in alternating rounds; the best round counts. The same is timed on images already
decoded in memory (the models alone), for the lines before the last. The last line, from
the PNG files, reads exactly
``export: savedmodel X.XXx, tflite Y.YYx of predict`` (artifact images per second over
``mura predict``'s).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from mura_core.versions import versions_line

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

MODEL = "cnn_in.128.128.1_cl.4.1_f.16_ck.3.3_p.max_ps.2.2_pstr.2.2_ld.0.25__wc"


def timed(ways: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Best wall time of each way over ``rounds`` alternating rounds, after a warm-up."""
    for way in ways.values():  # start-up, tracing, first allocations
        way()
    best = {name: float("inf") for name in ways}
    for _ in range(rounds):
        for name, way in ways.items():
            start = time.perf_counter()
            way()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def decoded(rows, size: tuple[int, int]) -> np.ndarray:
    """The images of ``rows`` as the artifacts take them: ``uint8 [N, H, W, 1]``."""
    from mura_core.data.pipeline import decoded_dataset

    dataset = decoded_dataset(rows, image_size=size, channels=1, grayscale=True)
    return np.stack([image for image, _ in dataset.as_numpy_iterator()])


def batched(artifact, images: np.ndarray, size: int) -> np.ndarray:
    return np.concatenate([artifact.predict(images[i : i + size])
                           for i in range(0, len(images), size)])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=800, help="synthetic studies")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per way")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    print(versions_line(), flush=True)

    from mura_core.data import load_mura
    from mura_core.data.pipeline import normalize
    from mura_core.data.synth import synthesize
    from mura_core.export.artifact import load_artifact
    from mura_core.export.exporting import export_run
    from mura_core.inference import predict_frame
    from mura_core.runs import load_run
    from mura_core.training.runner import train

    with tempfile.TemporaryDirectory() as work:
        work_path = Path(work)
        root = work_path / "mura"
        synthesize(root, studies=args.studies, seed=3, min_side=200, max_side=320)
        result = train(MODEL, root, out=work_path / "runs", epochs=4, batch_size=32, verbose=0)
        loaded = load_run(result.run.folder.path)
        rows = load_mura(root).frame  # every image of the tree
        exports = [("savedmodel", "none", "export"), ("onnx", "none", "export"),
                   ("tflite", "none", "export"), ("tflite", "float16", "f16"),
                   ("tflite", "int8", "int8")]  # fmt: skip
        for format, quantize, folder in exports:
            result = export_run(loaded, format, work_path / folder, quantize=quantize,
                                parity_images=512, card=False)  # fmt: skip
            print(result.parity.line(), flush=True)
        savedmodel = load_artifact(work_path / "export")
        tflite = load_artifact(work_path / "f16")
        size = args.batch_size
        ways = {
            "predict": lambda: predict_frame(loaded.model, rows, loaded.name, batch_size=size),
            "savedmodel": lambda: savedmodel.predict_frame(rows, batch_size=size),
            "tflite": lambda: tflite.predict_frame(rows, batch_size=size),
        }
        best = timed(ways, args.rounds)
        images = decoded(rows, (128, 128))
        normalised = normalize(images, "unit", 1).numpy()
        in_memory = {  # the model alone, on images already decoded
            "predict": lambda: loaded.model.predict(normalised, batch_size=size, verbose=0),
            "savedmodel": lambda: batched(savedmodel, images, size),
            "tflite": lambda: batched(tflite, images, size),
        }
        alone = timed(in_memory, args.rounds)
    print(f"{len(rows)} images of {MODEL}, best of {args.rounds} rounds")
    for name in ways:
        print(f"{name:>10}: {len(rows) / best[name]:8.1f} images/s from PNG files, "
              f"{len(rows) / alone[name]:8.1f} images/s on decoded images")  # fmt: skip
    ratio = {name: best["predict"] / best[name] for name in ("savedmodel", "tflite")}
    print(f"export: savedmodel {ratio['savedmodel']:.2f}x, "
          f"tflite {ratio['tflite']:.2f}x of predict")  # fmt: skip


if __name__ == "__main__":
    main()
