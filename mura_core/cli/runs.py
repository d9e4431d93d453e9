"""``mura runs list [PATTERN] [--runs RUNS]``: trained runs, best epoch and evaluation.

PATTERN is an fnmatch pattern on the run name or family, as ``mura models list``
(a pattern without wildcards matches names containing it). The older spelling with the
runs folder first (``mura runs list RUNS [PATTERN]``) still works: two positional
arguments, or one naming an existing folder, give the runs folder first. Does not
import TensorFlow.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("runs", help="list trained runs")
    commands = parser.add_subparsers(dest="runs_command", metavar="SUBCOMMAND", required=True)
    listing = commands.add_parser("list", help="list runs with best epoch and test metrics")
    listing.add_argument("positional", nargs="*", metavar="PATTERN",
                         help="fnmatch pattern on run name or family (default: *)")  # fmt: skip
    listing.add_argument("--runs", metavar="RUNS", help="runs folder (default: runs)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)


def run_list(args: argparse.Namespace) -> int:
    from mura_core.cli.output import print_json
    from mura_core.errors import MuraError
    from mura_core.evaluation import format_table
    from mura_core.runs import list_runs

    folder, pattern = args.runs, "*"
    given = list(args.positional)
    if len(given) > 2:
        raise MuraError(f"runs list takes one PATTERN, got {len(given)} arguments")
    if len(given) == 2 or (len(given) == 1 and folder is None and Path(given[0]).is_dir()):
        if folder is not None:
            raise MuraError("give the runs folder once: with --runs, or first (older spelling)")
        folder = given.pop(0)
    if given:
        pattern = given[0]
    runs = list_runs(folder or "runs", pattern)
    if args.json:
        print_json([summary.to_dict() for summary in runs])
        return 0
    if not runs:
        print("no run matches")
        return 0
    rows = []
    for summary in runs:
        study = summary.evaluation.get("study", {})
        image = summary.evaluation.get("image", {})
        rows.append([
            summary.name, summary.status, summary.epochs, summary.best.get("epoch"),
            summary.best.get("val_loss"), summary.best.get("val_kappa"),
            image.get("kappa"), study.get("kappa"), study.get("auc"),
        ])  # fmt: skip
    headers = ["run", "status", "epochs", "best", "val_loss", "val_kappa",
               "image kappa", "study kappa", "study auc"]  # fmt: skip
    print(format_table(rows, headers))
    for summary in runs:
        if summary.problem:
            print(f"damaged: {summary.problem}")
    return 0
