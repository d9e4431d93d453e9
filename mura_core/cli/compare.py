"""``mura compare RUN...``: the report's side-by-side tables and training curves.

For each run: its best epoch (training and validation metrics, as the report's
"training comparison" tables) and its test-set evaluation (image and study level).
``--plot FILE`` draws every run's loss, AUC, accuracy and kappa curves in one figure
(:data:`PLOT_SUFFIXES`; a name without a suffix gets ``.png``) and, next to it,
``FILE.parts.png`` when an ensemble is compared: study kappa per body part, run by run
(a single model on all parts beside an ensemble: the report's comparison). Runs without
a training history (an ensemble) are left out of the curves. The figures carry a marker,
so a later ``--plot`` replaces them; any other existing file needs ``--overwrite``
(:mod:`mura_core.outputs`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

#: Figure formats ``--plot`` writes.
PLOT_SUFFIXES = (".png", ".pdf", ".svg")


def plot_target(text: str) -> Path:
    """The file ``--plot TEXT`` writes: checked before anything is read or drawn.

    Raises:
        MuraError: a folder, a format that cannot be written, or a missing parent folder.
    """
    from mura_core.errors import MuraError

    path = Path(text)
    if path.is_dir():
        raise MuraError(f"--plot {text} is a folder; name a file such as {path / 'curves.png'}")
    if not path.suffix:
        path = path.with_name(path.name + ".png")
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise MuraError(
            f"--plot {text}: cannot write {path.suffix} figures (use {', '.join(PLOT_SUFFIXES)})"
        )
    if not path.parent.is_dir():
        raise MuraError(f"--plot {text}: no folder {path.parent}")
    return path


def parts_target(target: Path) -> Path:
    """``FILE.parts.png`` beside the curves ``FILE.png``: study kappa per body part."""
    return target.with_name(f"{target.stem}.parts{target.suffix}")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("compare", help="compare runs side by side")
    parser.add_argument("names", nargs="+", metavar="RUN", help="run folders or run names")
    parser.add_argument(
        "--runs", "--root", dest="runs", default="runs", metavar="RUNS",
        help="runs folder for run names (default: runs; --root is an alias)",
    )  # fmt: skip
    parser.add_argument(
        "--plot", metavar="FILE", help="write the training curves to FILE (.png, .pdf or .svg)"
    )
    parser.add_argument(
        "--overwrite", action="store_true",
        help="replace an existing FILE that mura compare did not write",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def plot_curves(histories: dict[str, Any], path: str | Path) -> Path:
    """Training (dashed) and validation (solid) curves of several runs, one panel per metric."""
    from mura_core.outputs import figure_metadata
    from mura_core.plotting import colour_cycle, fit_legend, label_epochs, new_figure
    from mura_core.runs.artifacts import HISTORY_METRICS

    figure, axes = new_figure(2, 2, figsize=(12, 8.5), sharex=True)
    colours = colour_cycle()
    for index, (label, history) in enumerate(histories.items()):
        colour = colours[index % len(colours)]
        for axis, metric in zip(axes.ravel(), HISTORY_METRICS, strict=True):
            if metric in history:
                axis.plot(history["epoch"], history[metric], "--", color=colour,
                          label=f"{label} training")  # fmt: skip
            if f"val_{metric}" in history:
                axis.plot(history["epoch"], history[f"val_{metric}"], "-", color=colour,
                          label=f"{label} validation")  # fmt: skip
            axis.set_title(metric)
            axis.grid(alpha=0.3)
    label_epochs(axes)
    handles, labels = axes[0][0].get_legend_handles_labels()
    legend = figure.legend(handles, labels, loc="lower center", fontsize="small", ncol=2)
    fit_legend(legend, columns=2)
    height = legend.get_window_extent(figure.canvas.get_renderer()).height
    figure.tight_layout(rect=(0, min(0.45, height / figure.bbox.height + 0.01), 1, 1))
    path = Path(path)
    figure.savefig(path, dpi=90, metadata=figure_metadata(path, "compare"))
    return path


def run(args: argparse.Namespace) -> int:
    from mura_core.cli.output import print_json
    from mura_core.errors import MuraError
    from mura_core.evaluation import format_table
    from mura_core.evaluation.by_part import part_scores, part_table, plot_parts
    from mura_core.outputs import claim_file, figure_metadata
    from mura_core.runs import find_run, parse_run_folder, read_history, summarize_run
    from mura_core.runs.artifacts import HISTORY_COLUMNS, HISTORY_METRICS

    target = plot_target(args.plot) if args.plot else None
    parsed = [parse_run_folder(find_run(run, args.runs)) for run in args.names]
    folders = [folder for folder, _ in parsed]
    names = [folder.name for folder in folders]
    if len(set(names)) != len(names):
        raise MuraError("the same run is given twice")
    ensemble = any(name.is_ensemble for _, name in parsed)
    if target is not None:
        for path in (target, parts_target(target)) if ensemble else (target,):
            claim_file(path, "compare", overwrite=args.overwrite)
    summaries = [summarize_run(folder.path) for folder in folders]
    by_part = [part_scores(folder.evaluation) for folder in folders]
    if args.json:
        print_json([{**summary.to_dict(), "study_kappa_by_body_part": parts}
                    for summary, parts in zip(summaries, by_part, strict=True)])  # fmt: skip
    else:
        print("best epoch (lowest val_loss)")
        print(format_table(
            [[s.name, *(s.best.get(column) for column in HISTORY_COLUMNS)] for s in summaries],
            ["run", *HISTORY_COLUMNS], digits=4,
        ))  # fmt: skip
        print("\ntest set")
        rows = []
        for s in summaries:
            image, study = s.evaluation.get("image", {}), s.evaluation.get("study", {})
            rows.append([s.name, *(image.get(column) for column in HISTORY_METRICS),
                         study.get("auc"), study.get("kappa")])  # fmt: skip
        print(format_table(
            rows, ["run", *(f"image {c}" for c in HISTORY_METRICS), "study auc", "study kappa"],
            digits=4,
        ))  # fmt: skip
        if any(by_part):
            print("\ntest set by body part (study kappa)")
            print(part_table([s.name for s in summaries], by_part))
    if target is not None:
        histories = {folder.name: read_history(folder.history) for folder in folders}
        histories = {name: history for name, history in histories.items() if not history.empty}
        if not histories:
            raise MuraError("no run has a training history to plot")
        written = [plot_curves(histories, target)]
        if any(by_part) and ensemble:
            parts = parts_target(target)
            written.append(plot_parts([s.name for s in summaries], by_part, parts,
                                      metadata=figure_metadata(parts, "compare")))  # fmt: skip
        if not args.json:
            print(f"\nwrote {', '.join(str(path) for path in written)}")
    return 0
