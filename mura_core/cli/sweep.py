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

from mura_core.vocabulary import ENGINES, SCHEDULERS, SWEEP_METRICS


def register(subparsers: Any) -> None:
    from mura_core.cli.train import add_train_flags

    parser = subparsers.add_parser(
        "sweep",
        help="train many named runs (brace patterns) on Ray Tune or one after the other",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    parser.add_argument("patterns", nargs="*", metavar="PATTERN", help="run name pattern")
    parser.add_argument("--file", metavar="TOML", help="sweep file: patterns and a [train] table")
    parser.add_argument("--data", metavar="ROOT", help="MURA root folder")
    add_train_flags(parser)
    group = parser.add_argument_group("sweep")
    _flag = group.add_argument
    _flag(
        "--engine",
        choices=ENGINES,
        help="ray (default when Ray is installed) or local (one run after the other)",
    )
    _flag(
        "--address",
        metavar="ADDR",
        help="join a Ray cluster (auto or HOST:PORT) instead of starting one",
    )
    _flag(
        "--cpus-per-run",
        type=float,
        metavar="N",
        help="CPUs per run; its TensorFlow keeps to as many threads (default: 1 on Ray, "
        "all with --engine local)",
    )
    _flag(
        "--gpus-per-run",
        type=float,
        default=0.0,
        metavar="N",
        help="GPUs per run, pinned through CUDA_VISIBLE_DEVICES (default: 0)",
    )
    _flag(
        "--max-concurrent",
        type=int,
        metavar="N",
        help="at most N runs at once (default: as many as the resources allow)",
    )
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
        "--ray-temp",
        metavar="DIR",
        help="temporary folder of an embedded Ray (default: $RAY_TMPDIR or /tmp/ray)",
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


def _check_engine(args: argparse.Namespace) -> str:
    """The engine to use; Ray-only options with the local engine are refused."""
    from mura_core.errors import MuraError
    from mura_core.sweeps import default_engine
    from mura_core.sweeps.engine_ray import import_ray

    engine = args.engine or default_engine()
    if engine == "ray":
        import_ray()  # one line naming the extra when Ray is missing
        return engine
    given = [flag for flag, value in (("--address", args.address),
                                      ("--scheduler asha", args.scheduler == "asha"),
                                      ("--gpus-per-run", args.gpus_per_run),
                                      ("--max-concurrent", args.max_concurrent),
                                      ("--ray-temp", args.ray_temp)) if value]  # fmt: skip
    if given:
        raise MuraError(f"{given[0]} needs --engine ray (the local engine runs one at a time)")
    return engine


def _progress(total: int, quiet: bool) -> Any:
    done = [0]

    def report(outcome: Any) -> None:
        done[0] += 1
        if quiet:
            return
        extra = f": {outcome.error}" if outcome.error else ""
        print(f"mura: sweep [{done[0]}/{total}] {outcome.status} {outcome.run} "
              f"({outcome.seconds:.1f} s){extra}", file=sys.stderr, flush=True)  # fmt: skip

    return report


def run(args: argparse.Namespace) -> int:
    from mura_core.cli.output import print_json
    from mura_core.cli.sweep_args import plan_from_args, settings_from_args
    from mura_core.sweeps import RayOptions, SweepPlanError, records_table, run_sweep

    try:
        planned = plan_from_args(args)
    except SweepPlanError as error:
        for problem in error.problems:
            print(f"mura: error: {problem}", file=sys.stderr)
        return 2
    if args.dry_run:
        names = [item.name for item in planned]
        print_json(names) if args.json else print("\n".join(names))
        return 0
    engine = _check_engine(args)
    options = RayOptions(
        address=args.address,
        cpus_per_run=args.cpus_per_run,
        gpus_per_run=args.gpus_per_run,
        max_concurrent=args.max_concurrent,
        scheduler=args.scheduler,
        metric=args.metric,
        grace_period=args.grace_period,
        temp_dir=args.ray_temp,
    )
    records = run_sweep(
        [item.name for item in planned],
        settings_from_args(args),
        engine=engine,  # type: ignore[arg-type]
        ray=options,
        progress=_progress(len(planned), quiet=args.json or args.quiet),
        notes=lambda text: print(f"mura: sweep: {text}", file=sys.stderr, flush=True),
    )
    if args.json:
        print_json([item.to_dict() for item in records])
    else:
        print(records_table(records))
    return 1 if any(item.status == "failed" for item in records) else 0
