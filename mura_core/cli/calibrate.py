"""``mura calibrate RUN --data ROOT``: calibrated probabilities and an operating point.

Fits temperature scaling on the run's validation studies (the held-out patients of its
``split.csv``; never the test set) and, with ``--operating-point``, chooses the study
threshold on the calibrated validation probabilities by a rule of
:mod:`mura_core.calibration.operating_point`: ``kappa``, ``sensitivity=S`` or
``specificity=S``. Writes ``calibration.json`` in the run folder (replacing an earlier
calibration) and records it under ``calibration`` in ``run.json``. From then on
``predict``, ``submit``, ``explain`` and ``export`` use the calibrated probabilities and
the threshold; ``evaluate`` prints the test figures before and after. Without
``--operating-point`` the threshold stays 0.5.
"""

from __future__ import annotations

import argparse
from typing import Any

from mura_core.cli.run_flags import add_run_flags, load_run_from, open_run_data, resolve_run_from


def register(subparsers: Any) -> None:
    from mura_core.cli.train import add_layout_flag

    parser = subparsers.add_parser(
        "calibrate",
        help="fit temperature scaling and an operating point on a run's validation studies",
    )
    parser.add_argument("run", metavar="RUN", help="run folder (or run name under --runs)")
    parser.add_argument("--data", required=True, metavar="ROOT", help="data root")
    add_layout_flag(parser)
    parser.add_argument(
        "--operating-point", metavar="RULE",
        help="choose the study threshold: kappa (maximise Cohen's kappa), sensitivity=S "
        "or specificity=S (default: keep 0.5)",
    )  # fmt: skip
    add_run_flags(parser)
    parser.add_argument("--batch-size", type=int, default=32, metavar="B", help="default: 32")
    parser.add_argument("--json", action="store_true", help="print the calibration as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mura_core.calibration import OperatingRule
    from mura_core.calibration.fitting import check_calibratable
    from mura_core.cli.output import print_json, print_notes
    from mura_core.inference import calibrate_run
    from mura_core.outputs import check_links
    from mura_core.runs.data_check import check_subsets

    rule = None if args.operating_point is None else OperatingRule.parse(args.operating_point)
    resolved = resolve_run_from(args)
    check_calibratable(resolved[1])
    folder = resolved[0]
    data = open_run_data(args, folder)
    check_links(folder.path)
    check = check_subsets(folder, folder.name, data, ["validation"], other_data=False,
                          hint="train on it again")  # fmt: skip
    loaded = load_run_from(args, resolved)
    print_notes(check.notes)
    fitted = calibrate_run(loaded, data, rule, batch_size=args.batch_size)
    calibration = fitted.calibration
    if args.json:
        print_json({"run": loaded.name, **calibration.model_dump(mode="json"),
                    "validation_ece": {"before": fitted.ece_before, "after": fitted.ece_after}})
        return 0
    fitted_on = calibration.fitted_on
    print(f"{loaded.name}: temperature {calibration.temperature:.3f} fitted on "
          f"{fitted_on.studies} validation studies ({fitted_on.images} images)")
    print(f"validation study ECE {fitted.ece_before:.3f} -> {fitted.ece_after:.3f}")
    if calibration.operating_point is not None:
        point = calibration.operating_point
        print(f"operating point ({point.rule}): study threshold {point.threshold:.4f}")
    print(f"wrote {folder.calibration}")
    return 0
