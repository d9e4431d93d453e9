"""Where many runs train: the engine flags of ``mura sweep`` and ``mura train`` (an
ensemble's members), defined once, and the progress lines both print."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from mura_core.vocabulary import ENGINES

__all__ = ["add_engine_flags", "check_engine", "engine_flags_given", "progress", "ray_options"]


def add_engine_flags(group: Any) -> None:
    """``--engine``, ``--address``, ``--cpus-per-run``, ``--gpus-per-run``,
    ``--max-concurrent`` and ``--ray-temp``."""
    _flag = group.add_argument
    _flag(
        "--engine",
        choices=ENGINES,
        help="ray: runs as parallel Ray Tune trials (default when Ray is installed); "
        "local: one after the other in this process",
    )
    _flag(
        "--address",
        metavar="ADDR",
        help="join a Ray cluster (auto or HOST:PORT) instead of starting one; a cluster "
        "that does not answer is refused within 30 s",
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
        "--ray-temp",
        metavar="DIR",
        help="temporary folder of an embedded Ray (default: $RAY_TMPDIR or /tmp/ray)",
    )


def _ray_only(args: argparse.Namespace) -> list[str]:
    """The Ray-only flags given on the command line."""
    return [flag for flag, value in (("--address", args.address),
                                     ("--scheduler asha", getattr(args, "scheduler", None)
                                      == "asha"),
                                     ("--gpus-per-run", args.gpus_per_run),
                                     ("--max-concurrent", args.max_concurrent),
                                     ("--ray-temp", args.ray_temp)) if value]  # fmt: skip


def engine_flags_given(args: argparse.Namespace) -> list[str]:
    """The engine flags given on the command line."""
    given = _ray_only(args)
    given += [flag for flag, value in (("--engine", args.engine),
                                       ("--cpus-per-run", args.cpus_per_run)) if value]  # fmt: skip
    return given


def check_engine(args: argparse.Namespace) -> str:
    """The engine to use; Ray-only options with the local engine are refused.

    Raises:
        MuraError: Ray is missing for ``--engine ray`` (naming the extra), a malformed
            ``--address``, or a Ray-only flag with the local engine.
    """
    from mura_core.errors import MuraError
    from mura_core.sweeps import default_engine
    from mura_core.sweeps.cluster import check_address
    from mura_core.sweeps.engine_ray import import_ray

    engine = args.engine or default_engine()
    if engine == "ray":
        import_ray()  # one line naming the extra when Ray is missing
        if args.address:
            check_address(args.address)  # its syntax, before any work
        return engine
    given = _ray_only(args)
    if given:
        raise MuraError(f"{given[0]} needs --engine ray (the local engine runs one at a time)")
    return engine


def ray_options(args: argparse.Namespace, **more: Any) -> Any:
    """The :class:`~mura_core.sweeps.RayOptions` of the engine flags (and ``more``)."""
    from mura_core.sweeps import RayOptions

    return RayOptions(
        address=args.address,
        cpus_per_run=args.cpus_per_run,
        gpus_per_run=args.gpus_per_run,
        max_concurrent=args.max_concurrent,
        temp_dir=args.ray_temp,
        **more,
    )


def progress(what: str, total: int | None, quiet: bool) -> Callable[[Any], None]:
    """A printer of each run's outcome on stderr (``mura: sweep [2/5] complete NAME``)."""
    done = [0]

    def report(outcome: Any) -> None:
        done[0] += 1
        if quiet:
            return
        count = f" [{done[0]}/{total}]" if total else ""
        extra = f": {outcome.error}" if outcome.error else ""
        print(f"mura: {what}{count} {outcome.status} {outcome.run} "
              f"({outcome.seconds:.1f} s){extra}", file=sys.stderr, flush=True)  # fmt: skip

    return report
