"""Does calibration help an over-confident model? Temperature scaling and the operating point.

Writes a synthetic MURA tree (``mura synth --difficulty medium --label-noise 0.05``), trains
a small CNN without dropout or augmentation on few studies for many epochs (early stopping
off) and takes its last epoch's weights (over-confident: the run's own best checkpoint, by
validation loss, is an early one), calibrates it
with ``mura calibrate --operating-point kappa`` (temperature and threshold fitted on the
run's validation studies) and evaluates it on the test set (MURA ``valid``) before and
after. ``--figure`` saves the test set's reliability diagram. Takes about a minute on two
cores (the decoded images are cached in memory).
The last line reads ``calibration: ECE X -> Y, study kappa at 0.5 A, at the chosen point
B (ceiling C)``: the study-level ECE (10 bins) before and after calibration, the study
kappa of the uncalibrated run at 0.5 (today's rule) and of the calibrated run at its
chosen threshold, and the kappa a perfect reader of the true labels scores.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from mura_core.versions import versions_line

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

#: Where the last epoch's weights are kept, beside the run's checkpoints.
LAST_WEIGHTS = "last.weights.h5"

#: The demo's CNN (``examples/demo.py``) without dropout: over-confident on few studies.
RUN = "cnn_in.64.64.1_cl.4.1_f.16_ck.3.3_p.max_ps.2.2_pstr.2.2"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=1200, help="both splits (default: 1200)")
    parser.add_argument("--test-studies", type=int, default=400, help="default: 400")
    parser.add_argument("--epochs", type=int, default=30, help="default: 30")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--figure", type=Path, help="save the reliability diagram here (PNG)")
    parser.add_argument("--keep", type=Path, help="work in this folder (default: a temporary one)")
    args = parser.parse_args()
    print(versions_line(), flush=True)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        measure(args.keep, args)
        return
    with tempfile.TemporaryDirectory() as folder:
        measure(Path(folder), args)


def keeping_the_last_epoch(run: object) -> list:
    """The default callbacks, and a checkpoint of every epoch's weights (the last kept)."""
    import keras

    from mura_core.training.callbacks import default_callbacks

    last = keras.callbacks.ModelCheckpoint(str(run.folder.path / LAST_WEIGHTS),
                                           save_weights_only=True)  # fmt: skip
    return [*default_callbacks(run), last]


def measure(folder: Path, args: argparse.Namespace) -> None:
    from mura_core.calibration import OperatingRule
    from mura_core.cli.calibration_report import CalibrationReport
    from mura_core.data.synth import synthesize
    from mura_core.inference import calibrate_run, evaluate_run
    from mura_core.runs import load_run
    from mura_core.training.runner import train

    start = time.perf_counter()
    summary = synthesize(
        folder / "data", studies=args.studies, seed=args.seed, min_side=80, max_side=128,
        valid_fraction=args.test_studies / args.studies, difficulty="medium", label_noise=0.05,
    )  # fmt: skip
    result = train(RUN, folder / "data", out=folder / "runs", epochs=args.epochs, batch_size=16,
                   seed=args.seed, patience=args.epochs, monitor="val_auc",
                   lr_patience=args.epochs, validation_fraction=0.3, cache="memory", verbose=0,
                   evaluate=False, callbacks=keeping_the_last_epoch)  # fmt: skip
    print(f"trained {RUN} for {args.epochs} epochs in {time.perf_counter() - start:.0f} s",
          flush=True)  # fmt: skip
    run = result.run.folder.path
    loaded = load_run(run, weights=run / LAST_WEIGHTS)
    fitted = calibrate_run(loaded, folder / "data", OperatingRule("kappa"))
    calibration = fitted.calibration
    print(f"temperature {calibration.temperature:.3f} and threshold "
          f"{calibration.threshold:.4f} on {calibration.fitted_on.studies} validation studies; "
          f"validation study ECE {fitted.ece_before:.3f} -> {fitted.ece_after:.3f}")  # fmt: skip
    evaluated = evaluate_run(loaded.model, loaded.folder, loaded.parsed, folder / "data",
                             resamples=500, temperature=calibration.temperature)  # fmt: skip
    report = CalibrationReport(evaluated, calibration, resamples=500)
    print(report.text())
    if args.figure is not None:
        report.plot(args.figure, f"{RUN}, medium synthetic test set")
        print(f"wrote {args.figure}")
    before, after = evaluated.uncalibrated.study, evaluated.evaluation.study
    chosen = report.thresholds[-1]
    ceiling = summary.ceilings["valid"].kappa
    print(f"({time.perf_counter() - start:.0f} s in all)")
    print(f"calibration: ECE {before.ece:.3f} -> {after.ece:.3f}, study kappa at 0.5 "
          f"{before.kappa:.3f}, at the chosen point {chosen.kappa:.3f} (ceiling {ceiling:.3f})")


if __name__ == "__main__":
    main()
