"""The flags of commands that load a trained run (``evaluate``, ``predict``, ``explain``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mura_core.runs import LoadedRun, RunFolder
    from registry import ParsedName


def add_run_flags(parser: Any) -> None:
    """``--runs``, ``--weights`` and ``--allow-other-provider``."""
    parser.add_argument("--runs", default="runs", metavar="RUNS", help="default: runs")
    parser.add_argument("--weights", metavar="FILE", help="weights to use instead of the best")
    parser.add_argument(
        "--allow-other-provider", action="store_true",
        help="rebuild the run even if another distribution now provides its family",
    )  # fmt: skip


def resolve_run_from(args: argparse.Namespace) -> tuple[RunFolder, ParsedName]:
    """The run folder ``args.run`` names (a folder, or a run name under ``args.runs``),
    checked, and its parsed name."""
    from mura_core.runs import find_run, parse_run_folder

    return parse_run_folder(find_run(args.run, args.runs))


def load_run_from(
    args: argparse.Namespace, resolved: tuple[RunFolder, ParsedName] | None = None
) -> LoadedRun:
    """The run ``args.run`` names (``resolved``: the folder and name
    :func:`resolve_run_from` gave), loaded as the flags of :func:`add_run_flags` say;
    its notes are printed on stderr."""
    from mura_core.cli.output import print_notes
    from mura_core.runs import load_parsed_run

    folder, parsed = resolved or resolve_run_from(args)
    loaded = load_parsed_run(folder, parsed, weights=args.weights,
                             allow_other_provider=args.allow_other_provider)  # fmt: skip
    print_notes(loaded.notes)
    return loaded


def open_run_data(args: argparse.Namespace, folder: RunFolder) -> Any:
    """``args.data`` opened once with ``--layout``, else the layout the run recorded."""
    from mura_core.data.sources import open_data
    from mura_core.runs.artifacts import read_run_json

    recorded = (read_run_json(folder.run_json).get("config") or {}).get("layout")
    return open_data(args.data, args.layout or recorded)
