"""The flags of commands that load a trained run (``evaluate``, ``predict``, ``explain``)."""

from __future__ import annotations

import argparse
from typing import Any


def add_run_flags(parser: Any) -> None:
    """``--runs``, ``--weights`` and ``--allow-other-provider``."""
    parser.add_argument("--runs", default="runs", metavar="RUNS", help="default: runs")
    parser.add_argument("--weights", metavar="FILE", help="weights to use instead of the best")
    parser.add_argument(
        "--allow-other-provider", action="store_true",
        help="rebuild the run even if another distribution now provides its family",
    )  # fmt: skip


def load_run_from(args: argparse.Namespace) -> Any:
    """The run ``args.run`` names, loaded as the flags of :func:`add_run_flags` say; its
    notes are printed on stderr."""
    from mura_core.cli.output import print_notes
    from mura_core.runs import find_run, load_run

    loaded = load_run(find_run(args.run, args.runs), weights=args.weights,
                      allow_other_provider=args.allow_other_provider)  # fmt: skip
    print_notes(loaded.notes)
    return loaded
