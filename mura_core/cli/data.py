"""``mura data``: inspect a data root and write a patient-level split.

ROOT is read with the dataset layout that recognises it, or the one ``--layout NAME``
names (:mod:`mura_core.data.sources`).

``mura data inspect ROOT [--layout NAME] [--json] [--strict] [--body-part P ...] [--check C]``
    the report's inspection tables, image sizes and problems found (``--json``: one
    object, schema in :mod:`mura_core.data.inspection`).
``mura data split ROOT OUT.csv [--validation-fraction F] [--seed S] [--body-part P ...]``
    the patient-level split as a manifest, and its SHA-256 next to it (an existing
    manifest is replaced only with ``--overwrite``; any other existing file too, and
    never one in a MURA tree or a run folder: :mod:`mura_core.outputs`).

Neither imports TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import sys

from mura_core.cli.train import add_layout_flag
from mura_core.vocabulary import CHECKS
from registry import BODY_PARTS
from registry.tokens import Limits


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("data", help="inspect data and write patient-level splits")
    commands = parser.add_subparsers(dest="data_command", metavar="SUBCOMMAND", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "root", metavar="ROOT", help="data root: folder holding MURA-v1.1 (or it), or "
            "another dataset layout's root"
        )
        add_layout_flag(sub)
        sub.add_argument(
            "--body-part",
            action="append",
            metavar="PART",
            help=f"only this body part (repeatable): {', '.join(BODY_PARTS)}",
        )
        sub.add_argument(
            "--strict", action="store_true", help="fail on the first problem, naming its file"
        )
        sub.add_argument(
            "--check",
            choices=CHECKS,
            default="verify",
            help="how much of each image is checked (default: verify, every PNG checksum)",
        )

    inspect = commands.add_parser("inspect", help="counts, image sizes and problems of a tree")
    common(inspect)
    inspect.add_argument("--json", action="store_true", help="print one JSON object")
    inspect.set_defaults(func=run_inspect)

    split = commands.add_parser("split", help="write the patient-level split manifest")
    common(split)
    split.add_argument("out", metavar="OUT", help="manifest CSV to write")
    split.add_argument("--validation-fraction", type=float, default=0.2, metavar="F")
    split.add_argument("--seed", type=int, default=0)
    split.add_argument(
        "--overwrite", action="store_true",
        help="replace OUT and OUT.sha256 if they exist (never in a MURA tree or a run folder)",
    )
    split.set_defaults(
        func=run_split,
        flag_limits={"--validation-fraction": Limits(low=0, high=1, high_open=True)},
    )


def _load(args: argparse.Namespace):
    from mura_core.data.sources import open_data

    data = open_data(args.root, args.layout)
    dataset = data.load(body_parts=args.body_part, strict=args.strict, check=args.check)
    return data, dataset


def run_inspect(args: argparse.Namespace) -> int:
    from mura_core.data.inspection import format_summary, summarize

    data, dataset = _load(args)
    summary = summarize(dataset, layout=data.layout.name)
    if args.json:
        json.dump(summary, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(format_summary(summary))
    return 0


def _check_out(out: str, overwrite: bool) -> None:
    """Refuse to replace a manifest (or its hash) without ``--overwrite``, any file in a
    MURA tree or a run folder, and another command's file without ``--overwrite``."""
    from pathlib import Path

    from mura_core.errors import MuraError
    from mura_core.outputs import claim_file
    from mura_core.outputs.claims import is_manifest, is_manifest_hash

    for path, own in ((Path(out), is_manifest), (Path(f"{out}.sha256"), is_manifest_hash)):
        if path.is_dir():
            raise MuraError(f"{path} is a folder; give the manifest's file name")
        claim_file(path, "data split", overwrite=overwrite, own=own, replace_own=False)


def run_split(args: argparse.Namespace) -> int:
    from mura_core.data.split import split_by_patient
    from mura_core.errors import MuraError

    _check_out(args.out, args.overwrite)
    _, dataset = _load(args)
    split = split_by_patient(
        dataset.frame, validation_fraction=args.validation_fraction, seed=args.seed
    )
    try:
        digest = split.write_manifest(args.out)
    except OSError as error:
        raise MuraError(f"{args.out}: cannot write ({error.strerror})") from None
    for name, frame in split.subsets.items():
        print(
            f"{name:<10} {len(frame):>7} images {frame['study'].nunique():>6} studies "
            f"{frame['patient'].nunique():>6} patients"
        )
    if dataset.problems:
        print(f"skipped: {dataset.problems.total} problem(s); see mura data inspect")
    print(f"manifest {args.out} sha256 {digest}")
    return 0
