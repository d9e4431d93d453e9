"""``mura export RUN --format F --output DIR``: a run as a SavedModel, TFLite or ONNX file.

The artifact takes ``uint8`` grayscale images already resized to the model's input size
(input ``image``; ``route`` ensembles also take ``body_part``) and gives ``probability``.
Its parity with the run is measured on a sample of the run's test set and printed; an
artifact beyond its format's tolerance is removed (exit 2) unless ``--keep-mismatched``.
A test set (or, for int8, training split) that changed since the run was trained is
refused unless ``--other-data``.
``export.json`` records the artifact and ``MODEL_CARD.md`` describes the model.
"""

from __future__ import annotations

import argparse
from typing import Any

from mura_core.cli.run_flags import add_run_flags, load_run_from
from mura_core.vocabulary import EXPORT_FORMATS, QUANTIZATIONS


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export", help="export a run as a SavedModel, TFLite or ONNX artifact, checked"
    )
    parser.add_argument("run", metavar="RUN", help="run folder (or run name under --runs)")
    parser.add_argument("--format", required=True, choices=EXPORT_FORMATS)
    parser.add_argument("--output", required=True, metavar="DIR", help="export folder")
    parser.add_argument(
        "--data", metavar="ROOT", help="MURA root for the parity sample and int8 calibration "
        "(default: the one the run was trained on)",
    )  # fmt: skip
    parser.add_argument(
        "--quantize", choices=QUANTIZATIONS, default="none",
        help="TFLite weights: float16, or int8 calibrated on the training split",
    )  # fmt: skip
    parser.add_argument(
        "--parity-images", type=int, default=256, metavar="N",
        help="images of the test set (whole studies) compared with the run; default: 256",
    )  # fmt: skip
    parser.add_argument(
        "--keep-mismatched", action="store_true",
        help="keep an artifact beyond the format's parity tolerance",
    )  # fmt: skip
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier export")
    parser.add_argument(
        "--other-data", action="store_true",
        help="measure parity on data that changed since the run was trained",
    )  # fmt: skip
    add_run_flags(parser)
    parser.add_argument("--batch-size", type=int, default=32, metavar="B", help="default: 32")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from mura_core.cli.output import print_json, print_notes
    from mura_core.export.exporting import export_run
    from mura_core.export.formats import check_available
    from mura_core.outputs import check_place

    check_available(args.format)  # before loading anything
    check_place(args.output, "--output")
    loaded = load_run_from(args)
    result = export_run(
        loaded,
        args.format,
        args.output,
        data=args.data,
        quantize=args.quantize,
        parity_images=args.parity_images,
        batch_size=args.batch_size,
        keep_mismatched=args.keep_mismatched,
        overwrite=args.overwrite,
        other_data=args.other_data,
    )
    print_notes(result.notes)
    if args.json:
        print_json({
            "run": result.run, "format": result.format, "quantize": result.quantize,
            "artifact": str(result.path), "record": str(result.record),
            "model_card": str(result.card) if result.card else None,
            "parity": result.parity.as_dict(),
        })  # fmt: skip
    else:
        print(result.parity.line())
        print(f"wrote {result.path}")
        print(f"wrote {result.record}")
        if result.card:
            print(f"wrote {result.card}")
    if not result.parity.passed:
        print("mura: warning: kept an artifact beyond its parity tolerance", file=sys.stderr)
    return 0
