"""``mura submit SOURCE INPUT.csv OUTPUT.csv``: the MURA competition's predictor.

SOURCE is a run (folder, or name under ``--runs``) or an export folder of ``mura
export`` (or one of its artifact files); an export needs none of the model families'
plugins. INPUT is a headerless CSV of image paths (``valid_image_paths.csv``), OUTPUT
the headerless ``study path,label`` CSV the competition's evaluation reads. Bad rows
are listed, one line each, and nothing is written (exit 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mura_core.cli.run_flags import add_run_flags, load_run_from
from mura_core.vocabulary import EXPORT_FORMATS


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "submit", help="MURA submission: image-path CSV in, study,label CSV out"
    )
    parser.add_argument("run", metavar="SOURCE", help="run (folder or name) or export folder")
    parser.add_argument("input", metavar="INPUT.csv", help="headerless CSV of image paths")
    parser.add_argument("output", metavar="OUTPUT.csv", help="headerless study,label CSV")
    parser.add_argument(
        "--format", choices=EXPORT_FORMATS,
        help="which artifact of an export folder (default: savedmodel, onnx, tflite)",
    )  # fmt: skip
    add_run_flags(parser)
    parser.add_argument("--batch-size", type=int, default=32, metavar="B", help="default: 32")
    parser.set_defaults(func=run)


def _is_export(source: str) -> bool:
    from mura_core.export.artifact import EXPORT_JSON

    path = Path(source)
    return (path / EXPORT_JSON).is_file() or (path.parent / EXPORT_JSON).is_file()


def _predictor(args: argparse.Namespace) -> Any:
    """A function from image rows to probabilities, from an export or a run."""
    if _is_export(args.run):
        from mura_core.export.artifact import load_artifact

        artifact = load_artifact(args.run, args.format)
        return lambda rows: artifact.predict_frame(rows, batch_size=args.batch_size)
    from mura_core.training.inference import predict_frame

    loaded = load_run_from(args)

    def predict(rows: Any) -> Any:
        predicted = predict_frame(loaded.model, rows.fillna({"body_part": ""}), loaded.name,
                                  batch_size=args.batch_size)  # fmt: skip
        return predicted["probability"].reindex(rows.index)

    return predict


def run(args: argparse.Namespace) -> int:
    import sys

    from mura_core.errors import MuraError
    from mura_core.export.submission import (
        read_submission_csv,
        study_predictions,
        write_submission,
    )

    if Path(args.output).resolve() == Path(args.input).resolve():
        raise MuraError(f"{args.output}: the output would overwrite the input")
    if Path(args.output).is_dir():
        raise MuraError(f"{args.output}: is a folder, not a CSV file")
    read = read_submission_csv(args.input)
    if read.problems:
        for problem in read.problems:
            print(f"mura: error: {problem}", file=sys.stderr)
        print(f"mura: error: {len(read.problems)} bad row(s); nothing written", file=sys.stderr)
        return 2
    studies = study_predictions(read.images, _predictor(args))
    write_submission(studies, args.output)
    abnormal = int(studies["label"].sum())
    print(f"wrote {args.output}: {len(studies)} studies ({abnormal} abnormal) from "
          f"{len(read.images)} images", file=sys.stderr)  # fmt: skip
    return 0
