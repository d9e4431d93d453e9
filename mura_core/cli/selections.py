"""Selections: the arguments that pick some of many things, defined once and never empty.

An empty selection is a mistake, never a request: ``--members ""`` would select no member
and so, read as "not given", every member; ``--body-part ""`` every body part; a path
``""`` the current folder. :func:`check_selections` refuses, in one line naming the flag,
an empty or whitespace-only value of every argument of :data:`SELECTIONS` that the parsed
command has, and of each item of a comma-separated list (:data:`COMMA_LISTS`).
:func:`check_flags <mura_core.cli.flags.check_flags>` calls it before any command runs.
"""

from __future__ import annotations

import argparse
from typing import Any

from mura_core.errors import MuraError

__all__ = ["COMMA_LISTS", "SELECTIONS", "check_selections", "comma_list"]

#: The selecting arguments, by destination, with the spelling an error names.
SELECTIONS: dict[str, str] = {
    "members": "--members",
    "body_part": "--body-part",
    "family": "--family",
    "tag": "--tag",
    "pattern": "PATTERN",
    "patterns": "PATTERN",
    "positional": "PATTERN",
    "families": "FAMILY",
    "paths": "PATH",
    "names": "RUN",
    "run": "RUN",
}
#: Selections written as comma-separated lists (``--members XR_WRIST,XR_HAND``).
COMMA_LISTS: frozenset[str] = frozenset({"members"})


def comma_list(value: str, flag: str) -> list[str]:
    """The items of a comma-separated selection, stripped; an empty one is refused.

    Raises:
        MuraError: the value or one of its items is empty or only whitespace.
    """
    items = [item.strip() for item in value.split(",")]
    if not value.strip():
        raise MuraError(f"{flag} is empty; name at least one (or leave {flag} out for all)")
    if not all(items):
        raise MuraError(f"{flag} {value!r} has an empty item; separate names by single commas")
    return items


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def check_selections(args: argparse.Namespace) -> None:
    """Refuse an empty or whitespace-only selection among the parsed ``args``.

    Raises:
        MuraError: one line naming the flag (or argument) and the value.
    """
    for dest, flag in SELECTIONS.items():
        for value in _values(getattr(args, dest, None)):
            if not isinstance(value, str):
                continue
            if dest in COMMA_LISTS:
                comma_list(value, flag)
            elif not value.strip():
                raise MuraError(f"{flag} {value!r} is empty; an empty selection is refused")
