"""``mura train NAME --data ROOT``: train a named model on MURA into its run folder.

The flags ``--weight-classes``, ``--augment`` and ``--body-part`` produce the run
suffix (``__wc_aug_XR_WRIST``); a name that already carries a suffix must agree with
them; ``--seed N`` adds the seed token (``seed.N``). Running the same command after an
interruption resumes the run. An ensemble name trains one member run per body part (or
seed) in ``members/<KEY>/``, as the runs of a sweep: in parallel on Ray (the default when
Ray is installed) or one after the other (``--engine local``); ``--members
XR_WRIST,XR_HAND`` trains some of them.
"""

from __future__ import annotations

import argparse
from typing import Any

from mura_core.vocabulary import STRATEGIES, WEIGHTINGS, XLA_MODES
from registry.recipes import MONITORS


def register(subparsers: Any) -> None:
    from mura_core.cli.engine_flags import add_engine_flags

    parser = subparsers.add_parser(
        "train",
        help="train a named model on MURA (resumes an interrupted run)",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    parser.add_argument("name", metavar="NAME", help="model or run name (or a preset alias)")
    parser.add_argument(
        "--data", required=True, metavar="ROOT", help="data root (a MURA tree, or a dataset "
        "layout a plugin adds)"
    )
    add_train_flags(parser)
    parser.add_argument(
        "--members", metavar="KEYS",
        help="ensembles: train only these members, comma-separated (XR_WRIST,XR_HAND)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    add_engine_flags(parser.add_argument_group("engine (ensembles: where the members train)"))
    parser.set_defaults(func=run)


def add_train_flags(parser: Any) -> None:
    """The flags shaping a run, shared by ``mura train`` and ``mura sweep``."""
    parser.add_argument(
        "--runs", "--out", dest="runs", default="runs", metavar="RUNS",
        help="runs folder (default: runs; --out is an alias)",
    )  # fmt: skip
    add_layout_flag(parser)
    parser.add_argument("--epochs", type=int, metavar="N", help="default: 100")
    parser.add_argument("--batch-size", type=int, metavar="B", help="default: 32")
    parser.add_argument("--learning-rate", type=float, metavar="LR", help="Adam's (default: 0.001)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="default: 0")
    parser.add_argument("--body-part", metavar="P", help="train on one body part (XR_WRIST)")
    parser.add_argument("--weight-classes", action="store_true", help="balance the classes")
    parser.add_argument("--augment", action="store_true", help="flips and rotation in +-30 deg")
    parser.add_argument(
        "--class-weights", choices=WEIGHTINGS,
        help="with --weight-classes: over all images (report, the default) or per body "
        "part (MURA paper)",
    )  # fmt: skip
    parser.add_argument(
        "--validation-fraction", type=float, default=0.2, metavar="F",
        help="share of training patients held out for validation (default: 0.2)",
    )  # fmt: skip
    parser.add_argument("--patience", type=int, metavar="N", help="early stopping (default: 10)")
    parser.add_argument(
        "--monitor", choices=MONITORS, help="what early stopping watches (default: val_loss)"
    )
    parser.add_argument(
        "--lr-factor", type=float, metavar="F",
        help="learning-rate factor on a val_loss plateau (default: 0.2)",
    )  # fmt: skip
    parser.add_argument(
        "--lr-patience", type=int, metavar="N",
        help="epochs of plateau before the rate drops (default: half of --patience, >= 1)",
    )  # fmt: skip
    parser.add_argument(
        "--lr-min", type=float, metavar="LR", help="learning-rate floor (default: 0)"
    )
    parser.add_argument(
        "--strategy", choices=STRATEGIES, default="default",
        help="mirrored: tf.distribute.MirroredStrategy over the local devices",
    )  # fmt: skip
    parser.add_argument(
        "--mixed-precision", action="store_true", help="mixed_float16 policy (for GPUs)"
    )
    parser.add_argument(
        "--xla", choices=XLA_MODES, default="auto",
        help="XLA compilation of the train step (default: auto: Keras decides, off on "
        "a CPU, where XLA trains slower)",
    )  # fmt: skip
    parser.add_argument(
        "--cache", default="memory", metavar="WHERE",
        help="decoded-image cache: memory, a directory, or none (default: memory)",
    )  # fmt: skip
    parser.add_argument("--limit", type=int, metavar="N", help="at most N images per subset")
    parser.add_argument(
        "--pretrained", metavar="WEIGHTS",
        help="starting weights, for families that declare pretrained weights: a source "
        "(imagenet), a weights file, or none (default: the family's declared default)",
    )  # fmt: skip
    parser.add_argument("--overwrite", action="store_true", help="retrain a complete run")
    parser.add_argument("--no-evaluate", action="store_true", help="skip the test-set evaluation")
    parser.add_argument("--quiet", action="store_true", help="no per-epoch lines")


def add_layout_flag(parser: Any) -> None:
    """``--layout NAME``: the dataset layout of the data root, shared by every command
    that reads data."""
    parser.add_argument(
        "--layout", metavar="NAME",
        help="dataset layout of the data root (default: the one that recognises it; "
        "mura plugins lists them)",
    )  # fmt: skip


def pretrained_option(value: str | None) -> str | None:
    """``--pretrained``: not given is the family's default, ``none`` is no weights."""
    from registry import DEFAULT_WEIGHTS, NO_WEIGHTS

    if value is None:
        return DEFAULT_WEIGHTS
    return None if value.lower() == NO_WEIGHTS else value


def config_from_args(args: argparse.Namespace, name: Any) -> Any:
    """The :class:`~mura_core.training.context.TrainConfig` of run ``name`` (a name or its
    parse) from the flags of :func:`add_train_flags` over the recipe of the preset
    ``name`` names, if any; the runs folder and a cache folder must not be in a MURA
    tree or a run folder (:func:`~mura_core.outputs.check_place`)."""
    from mura_core.outputs import check_place
    from mura_core.training.context import TrainConfig
    from mura_core.training.recipes import RECIPE_SETTINGS, recipe_of, resolve_settings

    check_place(args.runs, "--runs")
    if args.cache not in ("memory", "none"):
        check_place(args.cache, "--cache")

    flags = {key: getattr(args, key, None) for key in RECIPE_SETTINGS}
    flags["augment"] = args.augment or None
    settings, sources = resolve_settings(flags, recipe_of(name))
    if sources["pretrained"] != "default":
        settings["pretrained"] = pretrained_option(settings["pretrained"])
    return TrainConfig(
        name=name,
        data_root=args.data,
        out=args.runs,
        **settings,
        seed=args.seed,
        weight_classes=args.weight_classes or None,
        body_part=args.body_part,
        validation_fraction=args.validation_fraction,
        jit_compile={"auto": "auto", "on": True, "off": False}[args.xla],
        mixed_precision=args.mixed_precision,
        strategy=args.strategy,
        cache=None if args.cache == "none" else args.cache,
        limit=args.limit,
        overwrite=args.overwrite,
        verbose=0 if (args.quiet or args.json) else 2,
        layout=args.layout,
        sources=sources,
    )


def run(args: argparse.Namespace) -> int:
    from mura_core.cli.engine_flags import engine_flags_given
    from mura_core.cli.output import print_json
    from mura_core.errors import MuraError
    from registry import parse

    parsed = parse(args.name)  # the one parse of the name: the runs take it as it is
    config = config_from_args(args, parsed)
    if parsed.is_ensemble:
        return run_ensemble(args, config)
    if args.members is not None:
        raise MuraError("--members applies to ensemble names only")
    given = engine_flags_given(args)
    if given:
        raise MuraError(f"{given[0]} applies to ensemble names only (mura sweep spreads runs)")
    from mura_core.training.context import check_inputs

    check_inputs(config, parsed)  # before TensorFlow is imported: a refusal is immediate
    from mura_core.evaluation import reference_table, scores_table
    from mura_core.training.runner import Runner

    result = Runner(config, evaluate=not args.no_evaluate).run()
    best = None
    if result.best is not None:
        best = {
            "epoch": result.best.epoch,
            "weights": str(result.best.path),
            "val_loss": result.best.val_loss,
            "val_kappa": result.best.val_kappa,
        }
    if args.json:
        print_json(
            {
                "run": result.name,
                "folder": str(result.folder.path),
                "epochs": int(result.history["epoch"].max()) if len(result.history) else 0,
                "resumed_from_epoch": result.resumed_from,
                "best": best,
                "evaluation": result.evaluation.to_dict() if result.evaluation else None,
            }
        )
        return 0
    if result.resumed_from:
        print(f"resumed after epoch {result.resumed_from}")
    if best:
        print(
            f"best epoch {best['epoch']}: val_loss {best['val_loss']:.4f}, "
            f"val_kappa {best['val_kappa']:.4f}"
        )
    if result.evaluation is not None:
        print()
        print(scores_table(result.evaluation))
        print()
        print(reference_table(result.evaluation, name=result.name))
    print(f"\nrun folder: {result.folder.path}")
    return 0


def uncovered_warning(uncovered: list[str]) -> None:
    """One warning line for images an ensemble leaves uncovered (``route``)."""
    import sys

    if uncovered:
        print(
            f"mura: warning: {len(uncovered)} image(s) of body parts without a trained member "
            f"are uncovered and left out, e.g. {uncovered[0]}",
            file=sys.stderr,
        )


def run_ensemble(args: argparse.Namespace, config: Any) -> int:
    """``mura train`` of an ensemble name: its members (as a sweep's runs), then its
    evaluation; exit status 1 when a member failed."""
    import sys

    from mura_core.cli.engine_flags import check_engine, progress, ray_options
    from mura_core.cli.output import print_json
    from mura_core.cli.selections import comma_list

    engine = check_engine(args)  # a malformed --address before the slow imports
    from mura_core.ensembles import train_ensemble

    keys = None if args.members is None else comma_list(args.members, "--members")
    result = train_ensemble(
        config,
        members=keys,
        engine=engine,  # type: ignore[arg-type]
        ray=ray_options(args),
        progress=progress("member", None, quiet=args.json or args.quiet),
        notes=lambda text: print(f"mura: {text}", file=sys.stderr, flush=True),
        evaluate=not args.no_evaluate,
    )
    uncovered_warning(result.uncovered)
    status = 1 if result.failed else 0
    if args.json:
        print_json(
            {
                "run": result.name,
                "folder": str(result.folder.path),
                "members": result.members,
                "failed": result.failed,
                "evaluation": result.evaluation.to_dict() if result.evaluation else None,
                "uncovered": result.uncovered,
            }
        )
        return status
    for key, outcome in result.members.items():
        print(f"member {key}: {outcome}")
    if result.evaluation is not None:
        from mura_core.evaluation import scores_table

        print()
        print(scores_table(result.evaluation))
    print(f"\nrun folder: {result.folder.path}")
    return status
