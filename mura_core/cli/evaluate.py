"""``mura evaluate RUN --data ROOT``: score a run per image and per study.

RUN is a run folder, or a run name under ``--runs``. Writes ``evaluation.tsv`` (for
the test set; ``evaluation.<subset>.tsv`` otherwise), the per-image predictions and a
ROC curve PNG into the run folder. On synthetic data with recorded true labels, the
study-level kappa is printed next to the ceiling of the evaluated studies (``--json``:
``"ceiling": {"kappa", "accuracy"}``, ``null`` on other data).

The data is first compared with the run's record of it (:mod:`mura_core.runs.data_check`):
images or labels that changed since training are refused in one line, unless
``--other-data``; the evaluation then goes to ``evaluations/<name>/`` in the run folder.
"""

from __future__ import annotations

import argparse
from typing import Any

from mura_core.cli.run_flags import (
    add_run_flags,
    load_run_from,
    open_run_data,
    resolve_run_from,
)
from mura_core.cli.train import add_layout_flag
from mura_core.vocabulary import EVALUATION_SUBSETS


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="evaluate a run at image and study level, overall and per body part"
    )
    parser.add_argument("run", metavar="RUN", help="run folder (or run name under --runs)")
    parser.add_argument("--data", required=True, metavar="ROOT", help="data root")
    add_layout_flag(parser)  # default: the layout the run was trained with, if it names one
    parser.add_argument(
        "--subset", choices=EVALUATION_SUBSETS, default="test",
        help="test: MURA valid (default); validation: the run's held-out patients",
    )  # fmt: skip
    add_run_flags(parser)
    parser.add_argument("--batch-size", type=int, default=32, metavar="B", help="default: 32")
    parser.add_argument(
        "--resamples", type=int, default=1000, metavar="N",
        help="bootstrap resamples of kappa's 95%% interval (default: 1000)",
    )  # fmt: skip
    parser.add_argument(
        "--other-data", action="store_true",
        help="evaluate on data that changed since training, into evaluations/NAME/ "
        "(the run's own evaluation is kept)",
    )  # fmt: skip
    parser.add_argument(
        "--evaluation-name", metavar="NAME",
        help="with --other-data: the evaluation's name (default: the data folder's "
        "name and a digest of the data)",
    )  # fmt: skip
    parser.add_argument(
        "--plot", action="store_true",
        help="also draw the reliability diagram (reliability[.SUBSET].png)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the evaluation as JSON")
    parser.set_defaults(func=run)


def _where(args: argparse.Namespace, folder: Any, rows: Any) -> tuple[Any, Any, Any]:
    """Check the data with the run's record: the folder to write into (``None``: the
    run's own), the rows to evaluate and the check."""
    from mura_core.errors import MuraError
    from mura_core.runs.data_check import (
        check_subsets,
        evaluation_name,
        on_other_data,
        other_evaluation,
    )

    if args.evaluation_name is not None and not args.other_data:
        raise MuraError("--evaluation-name names an evaluation on other data; add --other-data")
    hint = "evaluate on it as other data"
    check = check_subsets(folder, folder.name, args.data, [args.subset],
                          other_data=args.other_data, hint=hint)  # fmt: skip
    if not args.other_data:
        return None, rows, check
    rows = on_other_data(rows, args.data)
    name = evaluation_name(args.evaluation_name, args.data, rows)
    return other_evaluation(folder, name), rows, check


def run(args: argparse.Namespace) -> int:
    from mura_core.calibration import recorded_calibration
    from mura_core.cli.calibration_report import CalibrationReport
    from mura_core.cli.output import print_json, print_notes
    from mura_core.cli.train import uncovered_warning
    from mura_core.data.synth import subset_ceiling
    from mura_core.evaluation import reference_table, scores_table
    from mura_core.inference import evaluate_run, subset_frame
    from mura_core.outputs import check_links

    resolved = resolve_run_from(args)
    args.data = open_run_data(args, resolved[0])  # the root and its layout, once
    folder = resolved[0]
    check_links(folder.path)  # the evaluation's files are written inside the run folder
    rows = subset_frame(folder, args.data, args.subset)  # the data, before loading a model
    target, rows, check = _where(args, folder, rows)
    loaded = load_run_from(args, resolved)
    print_notes(check.notes)
    weights = loaded.weights.path.name if loaded.weights is not None else "best of each member"
    calibration = recorded_calibration(loaded)
    result = evaluate_run(
        loaded.model,
        loaded.folder,
        loaded.parsed,
        args.data,
        subset=args.subset,
        batch_size=args.batch_size,
        resamples=args.resamples,
        rows=rows,
        into=target,
        temperature=None if calibration is None else calibration.temperature,
    )
    report = CalibrationReport(result, calibration, args.resamples)
    if args.plot:
        written_to = target or folder
        result.files["reliability"] = report.plot(written_to.reliability_for(args.subset),
                                                  f"{loaded.name} ({args.subset})")  # fmt: skip
    if target is not None:
        from mura_core.runs.data_check import record_other_evaluation

        result.files["record"] = record_other_evaluation(target, loaded.name, args.subset,
                                                         args.data, check)  # fmt: skip
    uncovered_warning(result.uncovered)
    predictions = result.predictions
    ceiling = subset_ceiling(args.data, zip(predictions["study"], predictions["label"]))
    if args.json:
        print_json(
            {
                "run": loaded.name,
                "subset": args.subset,
                "weights": weights,
                **result.evaluation.to_dict(),
                **report.to_dict(),
                "uncovered": result.uncovered,
                "data": {
                    "checked": check.recorded,
                    "images_differ": len(check.changes.images),
                    "labels_differ": len(check.changes.labels),
                    "other_data": None if target is None else target.path.name,
                },
                "ceiling": ceiling and {k: ceiling.to_dict()[k] for k in ("kappa", "accuracy")},
                "files": {key: str(path) for key, path in result.files.items()},
            }
        )
        return 0
    print(f"{loaded.name} on the {args.subset} set (weights {weights})\n")
    print(scores_table(result.evaluation))
    print()
    print(reference_table(result.evaluation, name=loaded.name))
    if ceiling is not None:
        print(f"\n{ceiling.compare(result.evaluation.study.kappa)}")
    if calibration is not None:
        print(f"\n{report.text()}")
    if target is not None and check.changes:
        print(f"\non other data: {check.changes.describe()}")
    written = folder.path if target is None else target.path
    print(f"\nwrote {', '.join(path.name for path in result.files.values())} in {written}")
    return 0
