"""The ``make demo`` job: the registry, the report's models rebuilt from their names,
and one run end to end on synthetic MURA.

Run with ``make demo`` (or ``python examples/demo.py [WORKDIR]``, default
``demo-output``). Nothing is downloaded: the pretrained families are built without
ImageNet weights, which changes no parameter count. The end-to-end part writes a
synthetic MURA tree of medium difficulty with 5% of its labels flipped, trains a small
named CNN for ten epochs with class weights and augmentation (as the report's best
custom CNN), evaluates it per image and per study on the synthetic test set (MURA's
``valid`` split), and prints the tables, the study-level kappa next to the ceiling (what
a perfect reader of the true labels scores against the noisy ones) and the run folder.

The demo's CNN has no ``bn`` token: batch normalisation's moving statistics need more
steps than a ten-epoch run on a few hundred images gives, and until they settle its
validation predictions are poor.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import registry  # noqa: E402


def show_registry() -> None:
    """Print the families and what the report trained, with the figures it reported."""
    print("== Families")
    for name, family in registry.families().items():
        print(f"  {name:<12} {family.summary}")
    print("\n== What the report trained (tag 'seed')")
    for name in registry.list_models(tag="seed"):
        preset = registry.get_registry().preset(name)
        kappa = preset.metrics.get("kappa")
        figure = (
            f"kappa {kappa:.3f}" if kappa is not None else "(figures only as plots)"
        )
        print(f"  {preset.alias:<32} {figure}")


def build_report_models() -> None:
    """Rebuild the report's models from their names and print their parameter counts."""
    print("\n== The report's models, rebuilt from their names")
    names = sorted(
        {registry.parse(n).model_name for n in registry.list_models(tag="seed")}
    )
    for name in names:
        model = registry.build(name, weights=None)
        trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
        print(
            f"  {trainable:>12,} trainable / {model.count_params():>12,} total  {name}"
        )


#: The run the demo trains: a 4-block CNN on 64x64 grayscale, class weights and
#: augmentation.
DEMO_RUN = "cnn_in.64.64.1_cl.4.1_f.16_ck.3.3_p.max_ps.2.2_pstr.2.2_ld.0.25__wc_aug"


#: The synthetic data the demo trains on.
DEMO_DATA = {
    "difficulty": "medium",
    "label_noise": 0.05,
    "min_side": 96,
    "max_side": 160,
}


def train_and_evaluate(
    workdir: Path, *, studies: int = 1600, epochs: int = 10
) -> float:
    """Synthesise MURA, train :data:`DEMO_RUN`, evaluate it; return the study kappa."""
    from mura_core.data import synthesize
    from mura_core.evaluation import reference_table, scores_table
    from mura_core.training.runner import train

    started = time.perf_counter()
    print(f"\n== Synthetic MURA ({studies} studies, {DEMO_DATA}) in {workdir / 'data'}")
    summary = synthesize(
        workdir / "data", studies=studies, seed=0, overwrite=True, **DEMO_DATA
    )
    print(
        f"  {summary.images} images, {summary.studies} studies "
        f"({summary.positive_studies} abnormal, "
        f"{summary.flipped_studies} labels flipped), "
        f"{summary.patients} patients"
    )

    print(f"\n== Training {DEMO_RUN} for {epochs} epochs")
    result = train(
        DEMO_RUN,
        workdir / "data",
        out=workdir / "runs",
        epochs=epochs,
        batch_size=32,
        overwrite=True,
        verbose=2,
    )
    best = result.best
    print(
        f"  best epoch {best.epoch}: val_loss {best.val_loss:.4f}, "
        f"val_kappa {best.val_kappa:.4f}"
    )

    print("\n== Evaluation on the synthetic test set (MURA's valid split)")
    print(scores_table(result.evaluation))
    print()
    print(reference_table(result.evaluation, name="demo (synthetic data)"))
    study = result.evaluation.study
    print(
        f"\nstudy-level kappa {study.kappa:.3f} "
        f"(95% CI {study.kappa_low:.3f} to {study.kappa_high:.3f}) "
        f"on {study.count} studies; "
        f"image-level kappa {result.evaluation.image.kappa:.3f}"
    )
    print(summary.ceilings["valid"].compare(study.kappa))
    print(f"run folder: {result.folder.path}")
    print(f"end-to-end time: {time.perf_counter() - started:.0f} s")
    return study.kappa


def main() -> None:
    from mura_core.versions import versions_line

    workdir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("demo-output")
    print(versions_line())  # what the figures below were measured on
    show_registry()
    build_report_models()
    train_and_evaluate(workdir)


if __name__ == "__main__":
    main()
