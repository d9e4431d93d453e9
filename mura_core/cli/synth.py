"""``mura synth OUT [--studies N] [--seed S] [--difficulty D] [--label-noise P]``: write a
synthetic MURA-v1.1 tree.

See :mod:`mura_core.data.synth` for what it contains. Does not import TensorFlow.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth", help="write a synthetic dataset in the MURA-v1.1 layout"
    )
    parser.add_argument("out", metavar="OUT", help="folder to hold MURA-v1.1")
    parser.add_argument("--studies", type=int, default=300, metavar="N", help="default: 300")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="default: 0")
    parser.add_argument(
        "--difficulty", default="easy", metavar="D",
        help="easy, medium, hard or a number in [0, 1] (default: easy)",
    )  # fmt: skip
    parser.add_argument(
        "--label-noise", type=float, default=0.0, metavar="P",
        help="share of each split's studies whose label is flipped (default: 0)",
    )  # fmt: skip
    parser.add_argument(
        "--valid-fraction", type=float, default=0.15, metavar="F",
        help="share of studies in the valid split (default: 0.15)",
    )  # fmt: skip
    parser.add_argument(
        "--max-side", type=int, default=512, metavar="PX",
        help="longest image side at most (default: 512)",
    )  # fmt: skip
    parser.add_argument(
        "--workers", type=int, metavar="N", help="rendering processes (default: every core)"
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace a tree mura synth wrote before"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mura_core.data.synth import synthesize
    from mura_core.errors import MuraError
    from mura_core.outputs import check_place

    check_place(args.out, "OUT")  # never inside a MURA tree or a run folder
    min_side = min(160, args.max_side)
    try:
        summary = synthesize(
            args.out,
            studies=args.studies,
            seed=args.seed,
            valid_fraction=args.valid_fraction,
            min_side=min_side,
            max_side=args.max_side,
            difficulty=args.difficulty,
            label_noise=args.label_noise,
            workers=args.workers,
            progress=sys.stderr.isatty(),
            overwrite=args.overwrite,
        )
    except OSError as error:
        raise MuraError(f"{args.out}: cannot write ({error.strerror})") from None
    print(
        f"wrote {summary.root}: {summary.images} images, {summary.studies} studies "
        f"({summary.positive_studies} abnormal, {summary.flipped_studies} labels flipped), "
        f"{summary.patients} patients"
    )
    for split, ceiling in summary.ceilings.items():
        print(f"  ceiling on {split}: {ceiling.describe()}")
    return 0
