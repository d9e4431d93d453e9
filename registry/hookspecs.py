"""Hook specifications of the ``mura`` plugin system, and the markers plugins use.

A plugin is any module or object with functions marked ``@hookimpl`` whose names are
hooks below. Packages expose plugins through the ``mura`` entry-point group::

    [project.entry-points.mura]
    myfamily = "my_package.my_module"
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

PROJECT_NAME = "mura"

#: Marks the functions of this module as hook specifications (plugins use :data:`hookimpl`).
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
#: Decorate plugin functions with ``@hookimpl`` to implement a hook.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_families(register: Callable[[Any], None]) -> None:
    """Register model families by calling ``register(Family(...))`` once per family.

    A family name registered by two plugins is an error naming both.
    """


@hookspec
def register_presets(register: Callable[[Any], None]) -> None:
    """Register named presets by calling ``register(Preset(...))``.

    A preset's name must parse with a registered family.
    """


@hookspec
def register_commands(register: Callable[[Any], None]) -> None:
    """Add ``mura`` subcommands by calling ``register(Command(name, add))`` once per command.

    ``add(subparsers)`` adds the command's ``argparse`` parser when ``mura`` starts. A
    name a built-in command has is refused; one that two other plugins register is
    disabled, naming both.
    """


@hookspec
def register_datasets(register: Callable[[Any], None]) -> None:
    """Teach ``mura`` a dataset layout by calling ``register(DatasetLayout(...))`` once per layout.

    ``--data ROOT`` loads a root with the one layout whose detector recognises it (or
    the one ``--layout NAME`` names). A layout name two plugins register is disabled,
    naming both.
    """


@hookspec
def extend_callbacks(callbacks: list[Any], run: Any) -> None:
    """Change the Keras callbacks of a training run, in place.

    Called after the default callbacks are made; ``run`` describes the run (its name,
    folder and options). Append, remove or replace entries of ``callbacks``.
    """
