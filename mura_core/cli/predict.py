"""``mura predict RUN PATH...``: probabilities of abnormality for images and studies.

Each PATH is a PNG or DICOM file, a folder (a study: its PNG and DICOM files) or a MURA
CSV of image paths. A study's probability is the mean of its images'; it is called
abnormal above 0.5, or above the operating point of a run calibrated by ``mura
calibrate`` (whose probabilities are then the calibrated ones).
An ensemble predicts the images its trained members cover (one warning line for the
others) and refuses, as ``mura explain`` does, images none of them covers.
"""

from __future__ import annotations

import argparse
from typing import Any

from mura_core.cli.run_flags import add_run_flags, load_run_from


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("predict", help="predict images or study folders with a run")
    parser.add_argument("run", metavar="RUN", help="run folder (or run name under --runs)")
    parser.add_argument(
        "paths", nargs="+", metavar="PATH",
        help="PNG or DICOM files, study folders or CSVs of image paths",
    )
    add_run_flags(parser)
    parser.add_argument("--batch-size", type=int, default=32, metavar="B", help="default: 32")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def _with_body_part(predicted: Any, images: Any) -> Any:
    """The predicted images' path, study, probability and body part."""
    predicted = predicted[["path", "study", "probability"]].copy()
    predicted["body_part"] = images.loc[predicted.index, "body_part"]
    return predicted


def run(args: argparse.Namespace) -> int:
    from mura_core.calibration import apply_calibration, study_threshold
    from mura_core.cli.output import print_json
    from mura_core.cli.train import uncovered_warning
    from mura_core.data.images import collect_images
    from mura_core.ensembles.coverage import require_coverage
    from mura_core.evaluation import aggregate_studies, format_table
    from mura_core.inference import predict_frame

    images = collect_images(args.paths)
    loaded = load_run_from(args)
    calibration = apply_calibration(loaded)
    threshold = study_threshold(calibration)
    found = require_coverage(loaded, images)  # the check mura explain makes too
    uncovered_warning(found.uncovered)
    images, uncovered = found.covered, found.uncovered
    predicted = predict_frame(
        loaded.model,
        images.fillna({"body_part": ""}),
        loaded.parsed,
        batch_size=args.batch_size,
        progress=len(images) > args.batch_size,
    )
    predicted = _with_body_part(predicted, images)
    images = images.loc[predicted.index]
    studies = aggregate_studies(predicted.drop(columns="body_part"), threshold).merge(
        images[["study", "body_part"]].drop_duplicates("study"), on="study"
    )
    if args.json:
        print_json(
            {
                "run": loaded.name,
                "threshold": threshold,
                "temperature": None if calibration is None else calibration.temperature,
                "uncovered": uncovered,
                "images": [
                    {
                        "path": r.path,
                        "study": r.study,
                        "body_part": r.body_part,
                        "probability": float(r.probability),
                    }
                    for r in predicted.itertuples()
                ],  # fmt: skip
                "studies": [
                    {
                        "study": r.study,
                        "body_part": r.body_part,
                        "images": int(r.images),
                        "probability": float(r.probability),
                        "prediction": "abnormal" if r.prediction else "normal",
                    }
                    for r in studies.itertuples()
                ],  # fmt: skip
            }
        )
        return 0
    print(format_table(
        [[r.path, r.body_part, float(r.probability)] for r in predicted.itertuples()],
        ["image", "body part", "probability"],
    ))  # fmt: skip
    print()
    print(format_table(
        [[r.study, r.body_part, int(r.images), float(r.probability),
          "abnormal" if r.prediction else "normal"] for r in studies.itertuples()],
        ["study", "body part", "images", "probability", "prediction"],
    ))  # fmt: skip
    if calibration is not None:
        print(f"\ncalibrated probabilities (temperature {calibration.temperature:.3f}); "
              f"a study is abnormal above {threshold:.4f}")  # fmt: skip
    return 0
