"""The built-in ``mura`` commands: ``mura_core``'s own plugin.

An entry point of the ``mura`` group (``commands``), registered through the same
``register_commands`` hook a third-party command uses, as the built-in families are
registered through ``register_families``. Each command lives in the module of its name,
whose ``register(subparsers)`` adds its parser.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from registry import Command, hookimpl

#: The built-in commands, in the order ``mura --help`` lists them.
BUILTIN_COMMANDS = (
    "models",
    "plugins",
    "doctor",
    "data",
    "synth",
    "train",
    "sweep",
    "evaluate",
    "calibrate",
    "predict",
    "explain",
    "export",
    "submit",
    "compare",
    "runs",
)


@hookimpl
def register_commands(register: Any) -> None:
    for name in BUILTIN_COMMANDS:
        register(Command(name, import_module(f"mura_core.cli.{name}").register))
