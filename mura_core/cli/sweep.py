"""``mura sweep PATTERN... --data ROOT``: train every run a pattern names, on Ray or locally.

A pattern is a run name with brace alternatives and integer ranges:
``cnn_in.64.64.1_cl.{3..6}.1_f.16_ck.3.3_p.max_ps.2.2_pstr.2.2_{ld,spdp}.0.25__{wc,wc_aug}``.
Every ``mura train`` flag applies to every run; each run writes the run folder
``mura train`` would. Running the same sweep again skips complete and stopped runs,
resumes interrupted ones and retries failed ones.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from mura_core.vocabulary import SCHEDULERS, SWEEP_METRICS


def register(subparsers: Any) -> None:
    from mura_core.cli.engine_flags import add_engine_flags
    from mura_core.cli.train import add_train_flags

    parser = subparsers.add_parser(
        "sweep",
        help="train many named runs (brace patterns) on Ray Tune or one after the other",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    parser.add_argument("patterns", nargs="*", metavar="PATTERN", help="run name pattern")
    parser.add_argument("--file", metavar="TOML", help="sweep file: patterns and a [train] table")
    parser.add_argument("--data", metavar="ROOT", help="data root (see mura train --data)")
    add_train_flags(parser)
    group = parser.add_argument_group("sweep")
    add_engine_flags(group)
    _flag = group.add_argument
    _flag(
        "--scheduler",
        choices=SCHEDULERS,
        default="fifo",
        help="asha: stop poor runs early, compared by --metric (default: fifo)",
    )
    _flag(
        "--metric",
        choices=SWEEP_METRICS,
        default="val_kappa",
        help="validation metric ASHA compares (default: val_kappa)",
    )
    _flag(
        "--grace-period",
        type=int,
        default=1,
        metavar="N",
        help="epochs every run trains before ASHA may stop it (default: 1)",
    )
    _flag(
        "--max-runs",
        type=int,
        metavar="N",
        help="refuse patterns naming more runs than N (default: 1000)",
    )
    group.add_argument("--dry-run", action="store_true", help="print the canonical names only")
    group.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mura_core.cli import print_error
    from mura_core.cli.engine_flags import check_engine, progress, ray_options
    from mura_core.cli.output import print_json
    from mura_core.cli.sweep_args import configs_from_args, plan_from_args
    from mura_core.sweeps import SweepPlanError, records_table, run_sweep
    from mura_core.training.context import check_runs

    try:
        planned = plan_from_args(args)
    except SweepPlanError as error:
        for problem in error.problems:
            print_error(problem)
        return 2
    names = [item.name for item in planned]
    configs = configs_from_args(args, names)
    # each run's weights, size and flags (and the data root), refused before any starts
    check_runs(configs, data_root=args.data is not None)
    if args.dry_run:
        print_json(names) if args.json else print("\n".join(names))
        return 0
    engine = check_engine(args)
    options = ray_options(
        args, scheduler=args.scheduler, metric=args.metric, grace_period=args.grace_period
    )
    records = run_sweep(
        configs,
        evaluate=not args.no_evaluate,
        engine=engine,  # type: ignore[arg-type]
        ray=options,
        progress=progress("sweep", len(planned), quiet=args.json or args.quiet),
        notes=lambda text: print(f"mura: sweep: {text}", file=sys.stderr, flush=True),
    )
    if args.json:
        print_json([item.to_dict() for item in records])
    else:
        print(records_table(records))
    return 1 if any(item.status == "failed" for item in records) else 0
