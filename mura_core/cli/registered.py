"""The commands plugins register, added to the ``mura`` parser, each mistake kept to its plugin.

A command whose ``add`` raises, adds anything but one parser of its own name, or sets no
``func`` to run, is dropped with a one-line warning (an error under
``MURA_STRICT_PLUGINS=1``) and the parser is left as it was; a command name two plugins
claim gets a parser that only says so. Every other command keeps working.
"""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

import registry
from mura_core.cli.commands import BUILTIN_COMMANDS, register_commands
from mura_core.errors import MuraError
from registry.command import Command
from registry.entry_points import blocked, failure_reason
from registry.errors import PluginError
from registry.gathering import refuse

#: The entry point of the built-in commands (:mod:`mura_core.cli.commands`).
BUILTIN_PLUGIN = "commands"
#: Said when no command is registered: the built-in ones come from an entry point.
NO_COMMANDS = (
    "no command is registered: the built-in commands are the entry point 'commands' of "
    "mura-registry; reinstall it (pip install -e .) or unblock it (MURA_BLOCK_PLUGINS)"
)


def add_commands(subparsers: Any, wanted: str | None = None) -> None:
    """Add every registered command (built-in ones first) to ``subparsers``.

    When ``wanted`` is a built-in command, only it is added and no other plugin is
    loaded: a built-in command keeps its name whatever a plugin registers, so the
    commands that need no model family (``mura submit`` of an export) import none.
    ``mura plugins``, which reports every plugin's mistakes, adds every command.

    Raises:
        PluginError: in strict mode, the first plugin mistake.
        MuraError: no command is registered at all.
    """
    if wanted in BUILTIN_COMMANDS and wanted != "plugins" and not blocked(BUILTIN_PLUGIN):
        builtin = {}
        register_commands(lambda command: builtin.setdefault(command.name, command))
        problem = _add(subparsers, builtin[wanted])
        if problem is not None:
            raise MuraError(f"built-in command {wanted!r}: {problem}")
        return
    reg = registry.get_registry()
    commands = reg.commands()
    if not commands:
        raise MuraError(NO_COMMANDS)
    infos = {info.name: info for info in reg.plugins()}
    for command in commands.values():
        problem = _add(subparsers, command)
        added = infos[command.plugin].commands
        if problem is not None and command.name in added:  # said once per process
            added.remove(command.name)
            refuse(infos, command.plugin, f"command {command.name!r} dropped: {problem}")
    for name, message in reg.command_clashes().items():
        _add_disabled(subparsers, name, message)


def _add(subparsers: Any, command: Command) -> str | None:
    """Call ``command.add``; on a mistake, restore the parser and say what it was."""
    parsers = dict(subparsers.choices)
    helps = list(subparsers._choices_actions)
    try:
        command.add(subparsers)
        added = [name for name in subparsers.choices if name not in parsers]
        if added != [command.name]:
            problem = f"add() must add one parser named {command.name!r}; it added " + (
                ", ".join(repr(name) for name in added) or "none"
            )
        elif not _runs(subparsers.choices[command.name]):
            problem = "add() sets no func (set_defaults(func=...)) on its parser"
        else:
            return None
    except (Exception, SystemExit) as error:  # a broken plugin must not break the CLI
        problem = f"add() failed: {failure_reason(error)}"
    subparsers.choices.clear()
    subparsers.choices.update(parsers)
    subparsers._choices_actions[:] = helps
    return problem


def _runs(parser: argparse.ArgumentParser) -> bool:
    """True when the parser sets a ``func``, or leaves it to its own sub-commands."""
    return callable(parser.get_default("func")) or any(
        isinstance(action, argparse._SubParsersAction) for action in parser._actions
    )


def _add_disabled(subparsers: Any, name: str, message: str) -> None:
    """A parser for a command two plugins claim: it fails with ``message``, naming both."""

    def refuse_to_run(args: argparse.Namespace) -> NoReturn:
        raise PluginError(message)

    parser = subparsers.add_parser(
        name,
        help="(disabled: two plugins register it; see mura plugins)",
        add_help=False,
        prefix_chars="\x00",  # no argument is a flag: every one is taken, and refused
    )
    parser.add_argument("arguments", nargs="*", help=argparse.SUPPRESS)
    parser.set_defaults(func=refuse_to_run)
