"""What a plugin registers to add a ``mura`` subcommand: a :class:`Command`.

The registry keeps a command as a name and a callable and never imports ``argparse``:
the command line (``mura_core.cli``) calls each command's ``add`` with its sub-parsers
when it builds its parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["COMMAND_PATTERN", "Command"]

#: A command name: lowercase words of letters and digits joined by hyphens (``vgg16-info``).
COMMAND_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Command:
    """A ``mura`` subcommand a plugin adds.

    Args:
        name: the word after ``mura`` (``mura vgg16-info``).
        add: ``add(subparsers)``, called with the ``argparse`` sub-parsers of ``mura``
            when the command line starts: it adds one parser with
            ``subparsers.add_parser(name, help=...)`` and sets its ``func`` (parsed
            arguments -> exit status) with ``set_defaults(func=...)``. Every start of
            ``mura`` calls it, ``mura --help`` included: import anything slow
            (TensorFlow) inside ``func``.
    """

    name: str
    add: Callable[[Any], None]
    plugin: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not COMMAND_PATTERN.match(self.name):
            raise ValueError(
                f"command name {self.name!r} must be lowercase letters and digits, "
                "words joined by hyphens"
            )
        if not callable(self.add):
            raise TypeError(f"command {self.name!r}: add must be callable")
