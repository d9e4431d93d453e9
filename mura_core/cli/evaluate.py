"""``mura evaluate RUN --data ROOT``: score a run per image and per study.

RUN is a run folder, or a run name under ``--runs``. Writes ``evaluation.tsv`` (for
the test set; ``evaluation.<subset>.tsv`` otherwise), the per-image predictions and a
ROC curve PNG into the run folder. On synthetic data with recorded true labels, the
study-level kappa is printed next to the ceiling of the evaluated studies (``--json``:
``"ceiling": {"kappa", "accuracy"}``, ``null`` on other data).
"""

from __future__ import annotations

import argparse
from typing import Any

from mura_core.cli.run_flags import add_run_flags, load_run_from
from mura_core.vocabulary import EVALUATION_SUBSETS


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="evaluate a run at image and study level, overall and per body part"
    )
    parser.add_argument("run", metavar="RUN", help="run folder (or run name under --runs)")
    parser.add_argument("--data", required=True, metavar="ROOT", help="MURA root folder")
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
    parser.add_argument("--json", action="store_true", help="print the evaluation as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mura_core.cli.output import print_json
    from mura_core.cli.train import uncovered_warning
    from mura_core.data.synth import subset_ceiling
    from mura_core.evaluation import reference_table, scores_table
    from mura_core.outputs import check_links
    from mura_core.runs import find_run, parse_run_folder
    from mura_core.training.inference import evaluate_run, subset_frame

    folder, _ = parse_run_folder(find_run(args.run, args.runs))
    check_links(folder.path)  # the evaluation's files are written inside the run folder
    subset_frame(folder, args.data, args.subset)  # check the data before loading a model
    loaded = load_run_from(args)
    weights = loaded.weights.path.name if loaded.weights is not None else "best of each member"
    result = evaluate_run(
        loaded.model,
        loaded.folder,
        loaded.name,
        args.data,
        subset=args.subset,
        batch_size=args.batch_size,
        resamples=args.resamples,
    )
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
                "uncovered": result.uncovered,
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
    print(f"\nwrote {', '.join(path.name for path in result.files.values())} in {folder.path}")
    return 0
