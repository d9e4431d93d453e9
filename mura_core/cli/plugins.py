"""``mura plugins``: the plugins found, their distributions, and the families, commands
and dataset layouts they add.

``mura plugins check [FAMILY...]`` runs the conformance kit (:mod:`mura_core.conformance`)
on families, built-in or third-party, and exits 1 when any fails. ``mura plugins pin
FAMILY... [--output FILE]`` writes the architectures the families' examples and presets
build (:mod:`mura_core.conformance.pins`) to FILE, or to each family's declared pins file.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from mura_core.cli.output import print_json, print_table


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "plugins", help="list plugins and the families, commands and dataset layouts they add"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)
    commands = parser.add_subparsers(dest="plugins_command", metavar="SUBCOMMAND")
    check = commands.add_parser(
        "check", help="run the conformance checks on families (default: every family)"
    )
    check.add_argument("families", nargs="*", metavar="FAMILY", help="families to check")
    check.add_argument("--json", action="store_true", help="print JSON")
    check.set_defaults(func=run_check)
    pin = commands.add_parser(
        "pin", help="write the architectures of the families' examples and presets (pins)"
    )
    pin.add_argument("families", nargs="+", metavar="FAMILY", help="families to pin")
    pin.add_argument(
        "--output", metavar="FILE", help="JSON file to write (default: each family's pins file)"
    )
    pin.set_defaults(func=run_pin)


def run(args: argparse.Namespace) -> int:
    import registry

    infos = registry.plugins()
    if args.json:
        print_json([info.as_dict() for info in infos])
        return 0
    print_table(
        ("plugin", "distribution", "version", "status", "families", "commands", "datasets"),
        [
            (
                info.name,
                info.distribution or "-",
                info.version or "-",
                info.status + (f" ({info.error})" if info.error else ""),
                ", ".join(info.families),
                ", ".join(info.commands),
                ", ".join(info.datasets),
            )
            for info in infos
        ],
    )
    problems = [(info.name, problem) for info in infos for problem in info.problems]
    if problems:
        print("\nproblems:")
        for name, problem in problems:
            print(f"  {name}: {problem}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    import registry
    from mura_core.conformance import check_family

    names = args.families or list(registry.families())
    for name in names:
        registry.get_family(name)  # an unknown or disabled family fails here, in one line
    reports = []
    for name in names:
        report = check_family(name)
        reports.append(report)
        if not args.json:
            print(report, flush=True)
    if args.json:
        print_json([report.as_dict() for report in reports])
    failed = [report.family for report in reports if not report.passed]
    if failed:
        print(f"mura: conformance failed for {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def run_pin(args: argparse.Namespace) -> int:
    import registry
    from mura_core.conformance.pins import write_pins
    from mura_core.errors import MuraError

    families = [registry.get_family(name) for name in dict.fromkeys(args.families)]
    if args.output is not None:
        targets = {args.output: [family.name for family in families]}
    else:
        targets = {}
        for family in families:
            if not isinstance(family.pins, (str, os.PathLike)):
                raise MuraError(
                    f"family {family.name!r} declares no pins file to update; give --output FILE"
                )
            targets.setdefault(os.fspath(family.pins), []).append(family.name)
    for output, names in targets.items():
        for family, pinned in write_pins(output, names).items():
            print(f"{family}: {len(pinned)} name(s) pinned in {output}")
    return 0
