"""``mura submit SOURCE INPUT.csv OUTPUT.csv``: the MURA competition's predictor.

SOURCE is a run (folder, or name under ``--runs``) or an export folder of ``mura
export`` (or one of its artifact files); an export needs none of the model families'
plugins. INPUT is a headerless CSV of image paths (``valid_image_paths.csv``), OUTPUT
the headerless ``study path,label`` CSV the competition's evaluation reads. Bad rows
are listed, one line each, and nothing is written (exit 2); so are images of the run's
own data that changed since it was trained, unless ``--other-data``. An existing OUTPUT is
replaced only with ``--overwrite`` (a submission cannot carry a marker of its own: it
looks exactly like a data set's label file), and never when it is a file of a MURA tree,
a split manifest or anything inside a run folder (:mod:`mura_core.outputs`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mura_core.cli.run_flags import add_run_flags, load_run_from, resolve_run_from
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
    parser.add_argument(
        "--other-data", action="store_true",
        help="predict images that changed since the run was trained",
    )  # fmt: skip
    parser.add_argument("--batch-size", type=int, default=32, metavar="B", help="default: 32")
    parser.add_argument(
        "--overwrite", action="store_true",
        help="replace an existing OUTPUT (never a data set's or a run's file)",
    )  # fmt: skip
    parser.set_defaults(func=run)


#: Bad rows listed before the count of the others.
SHOWN_PROBLEMS = 20


def _check_output(args: argparse.Namespace, source: Path | None) -> Any:
    """Refuse an output that would overwrite the input or anything of the source, whose
    folder does not exist, or that :func:`~mura_core.outputs.claim_file` refuses: before
    anything is predicted. Returns the run's folder and parsed name (``None``: an export
    ``source``)."""
    from mura_core.errors import MuraError
    from mura_core.outputs import claim_file

    output = Path(args.output).resolve()
    if output == Path(args.input).resolve():
        raise MuraError(f"{args.output}: the output would overwrite the input")
    if output.is_dir():
        raise MuraError(f"{args.output}: is a folder, not a CSV file")
    if not output.parent.is_dir():
        raise MuraError(f"{args.output}: no folder {output.parent} to write into")
    resolved = None if source is not None else resolve_run_from(args)
    folder = source.resolve() if resolved is None else resolved[0].path
    if folder == output.parent or folder in output.parents:
        raise MuraError(f"{args.output}: inside {folder}; write the submission elsewhere")
    claim_file(args.output, "submit", overwrite=args.overwrite)
    return resolved


def _predictor(args: argparse.Namespace, export: Path | None, resolved: Any) -> Any:
    """A function from image rows to probabilities, from an export or a run (``resolved``:
    its folder and parsed name), and the study threshold (a calibrated run's operating
    point, recorded in its exports too; else 0.5)."""
    from mura_core.errors import MuraError

    if export is not None:
        from mura_core.export.artifact import load_artifact

        if args.weights or args.allow_other_provider or args.other_data:
            raise MuraError("--weights, --allow-other-provider and --other-data apply to runs, "
                            "not exports")  # fmt: skip
        artifact = load_artifact(args.run, args.format)
        if artifact.passed_over:
            print(f"mura: note: using the {artifact.format} artifact of {args.run}; it also "
                  f"holds {', '.join(artifact.passed_over)} (--format chooses)",
                  file=sys.stderr)  # fmt: skip
        if artifact.record.parity is not None and not artifact.record.parity.passed:
            print(f"mura: warning: {artifact.path} failed its parity check on export",
                  file=sys.stderr)  # fmt: skip
        predict = lambda rows: artifact.predict_frame(rows, batch_size=args.batch_size)  # noqa: E731
        return predict, artifact.record.threshold
    if args.format:
        raise MuraError(f"--format chooses an export's artifact; {args.run} is a run")
    from mura_core.calibration import apply_calibration, study_threshold
    from mura_core.export.parity import run_probabilities

    loaded = load_run_from(args, resolved)
    threshold = study_threshold(apply_calibration(loaded))
    return lambda rows: run_probabilities(loaded, rows, args.batch_size), threshold


def _check_data(args: argparse.Namespace, images: Any, folder: Any) -> None:
    """Refuse images the run in ``folder`` recorded that changed since it was trained
    (unless ``--other-data``), before the model is loaded."""
    from mura_core.cli.output import print_notes
    from mura_core.runs.data_check import check_images

    check = check_images(folder, folder.name, list(images["path"]),
                         other_data=args.other_data, hint="predict them as other data")  # fmt: skip
    print_notes(check.notes)


def _report(problems: list[str], looked_under: list[str]) -> None:
    from mura_core.cli import print_error

    for problem in problems[:SHOWN_PROBLEMS]:
        print_error(problem)
    if len(problems) > SHOWN_PROBLEMS:
        print(f"mura: error: ... and {len(problems) - SHOWN_PROBLEMS} more", file=sys.stderr)
    where = f" (paths are looked up under {', '.join(looked_under)})" if looked_under else ""
    print(f"mura: error: {len(problems)} bad row(s); nothing written{where}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from mura_core.export.artifact import export_folder_of
    from mura_core.export.submission import (
        read_submission_csv,
        study_predictions,
        write_submission,
    )

    export = export_folder_of(args.run)
    resolved = _check_output(args, export)
    read = read_submission_csv(args.input)
    if read.problems:
        _report(read.problems, read.looked_under)
        return 2
    if export is None:
        _check_data(args, read.images, resolved[0])
    studies = study_predictions(read.images, *_predictor(args, export, resolved))
    write_submission(studies, args.output)
    abnormal = int(studies["label"].sum())
    repeated = f", {read.duplicates} repeated row(s) predicted once" if read.duplicates else ""
    print(f"wrote {args.output}: {len(studies)} studies ({abnormal} abnormal) from "
          f"{len(read.images)} images{repeated}", file=sys.stderr)  # fmt: skip
    return 0
