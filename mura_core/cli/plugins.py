"""``mura plugins``: the plugins found, their distributions and the families they add."""

from __future__ import annotations

import argparse
from typing import Any

from mura_core.cli.output import print_json, print_table


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("plugins", help="list plugins and the families they register")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import registry

    infos = registry.plugins()
    if args.json:
        print_json([info.as_dict() for info in infos])
        return 0
    print_table(
        ("plugin", "distribution", "version", "status", "families"),
        [
            (
                info.name,
                info.distribution or "-",
                info.version or "-",
                info.status + (f" ({info.error})" if info.error else ""),
                ", ".join(info.families),
            )
            for info in infos
        ],
    )
    return 0
