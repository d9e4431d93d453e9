"""A MURA-size rehearsal: one epoch of a small named model on a synthetic tree the size
of MURA-v1.1, and what the package then predicts for the report's and the paper's models.

The tree (``mura synth``) holds about MURA-v1.1's 36,808 training and 3,197 test images
(``--studies`` studies of 1.95 images on average, 8% of them in ``valid``), each image's
longest side drawn between 160 and 512 pixels like MURA's. It is written once into
``--data`` and reused. Then, in this process:

* one epoch of ``--model`` through :class:`~mura_core.training.runner.Runner` (patient
  split, the input pipeline decoding and resizing every image, the report's callbacks,
  the run folder) and its evaluation on the test images: wall time of each part, images
  per second, and the process's peak resident memory;
* the time per epoch of the report's CNN (``report_cnn6``, batch 16) and the MURA
  paper's DenseNet-169 (320x320x3, batch 8): on this machine from their training
  images per second through the runner (``--steps`` steps on ready images, as
  ``benchmarks/train_speed.py`` measures them), and on a GPU of ``--gpu-tflops`` from
  their forward FLOPs (three times them per training image) at that rate: a bound no GPU
  reaches, stated as such.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mura_core.versions import versions_line  # noqa: E402

#: The rehearsal's model: a 4-block CNN on 64x64 grayscale images.
SMALL = "cnn_in.64.64.1_cl.4.1_f.16_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"
#: MURA-v1.1's images: training and test (its ``valid``) split.
MURA_TRAIN, MURA_TEST = 36_808, 3_197


def peak_memory_gib() -> float:
    """Peak resident memory of this process, in GiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def tree(root: Path, studies: int) -> dict[str, int]:
    """The synthetic tree at ``root`` (written unless already there): images per split."""
    from mura_core.data.loader import load_mura
    from mura_core.data.synth import synthesize

    if not (root / "MURA-v1.1").is_dir():
        started = time.perf_counter()
        synthesize(root, studies=studies, seed=0, valid_fraction=0.08, min_side=160,
                   max_side=512)  # fmt: skip
        print(f"synthesized {studies:,} studies in {time.perf_counter() - started:.0f} s")
    frame = load_mura(root).frame
    return {split: int((frame["split"] == split).sum()) for split in ("train", "valid")}


def rehearse(model: str, root: Path, out: Path, batch_size: int) -> dict[str, float]:
    """One epoch of ``model`` and its evaluation: seconds of each part and images/s."""
    from mura_core.training.runner import train

    started = time.perf_counter()
    result = train(model, root, out=out, epochs=1, batch_size=batch_size, cache=None,
                   overwrite=True, verbose=0)  # fmt: skip
    wall = time.perf_counter() - started
    info = json.loads(result.folder.run_json.read_text())
    timings, counts = info["timings"], info["data"]["images"]
    return {"wall": wall, "fit": timings["train_seconds"], "evaluation":
            timings["evaluation_seconds"], "train_images": counts["train"]}  # fmt: skip


def main() -> None:
    from train_speed import MODELS, images_per_second, profiled_flops

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "mura-size")
    parser.add_argument("--studies", type=int, default=20_515)
    parser.add_argument("--model", default=SMALL)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=4, help="timed steps per large model")
    parser.add_argument("--gpu-tflops", type=float, default=8.1,
                        help="a GPU's float32 peak (default: an NVIDIA T4's)")  # fmt: skip
    args = parser.parse_args()
    print(versions_line(), flush=True)

    import registry

    images = tree(args.data, args.studies)
    print(f"tree: {images['train']:,} training and {images['valid']:,} test images "
          f"(MURA-v1.1: {MURA_TRAIN:,} and {MURA_TEST:,})")  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="mura-rehearsal-"))
    figures = rehearse(args.model, args.data, work / "runs", args.batch_size)
    print(f"{args.model}: one epoch and its evaluation in {figures['wall']:.0f} s (training "
          f"{figures['fit']:.0f} s, {figures['train_images'] / figures['fit']:.0f} images/s; "
          f"evaluation {figures['evaluation']:.0f} s); peak memory "
          f"{peak_memory_gib():.2f} GiB")  # fmt: skip
    for model in MODELS:
        speed = images_per_second(model, args.data, work / "large", steps=args.steps,
                                  warmup=1, xla="auto", pipeline=False)  # fmt: skip
        flops = profiled_flops(registry.build(model.name, weights=None))
        gpu = 3 * flops * MURA_TRAIN / (args.gpu_tflops * 1e12)
        print(f"{model.key}: {speed:.2f} images/s here, {MURA_TRAIN / speed / 3600:.1f} h per "
              f"MURA epoch; at {args.gpu_tflops} TFLOP/s (a bound) {gpu / 60:.1f} min")  # fmt: skip
    print(f"peak memory {peak_memory_gib():.2f} GiB")


if __name__ == "__main__":
    main()
