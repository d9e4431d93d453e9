"""Brace patterns: alternatives ``{a,b}``, integer ranges ``{1..4}``, nested groups.

A pattern is read once into a tree (:func:`parse_pattern`), after its size and shape are
checked against the bounds of :mod:`registry.limits` without recursing: at most
``MAX_PATTERN_LENGTH`` characters, ``MAX_PATTERN_GROUPS`` groups nested at most
``MAX_PATTERN_DEPTH`` deep, range ends of at most ``MAX_INT_DIGITS`` digits. The tree
then says how many names the pattern stands for (:func:`count_names`, arithmetic, no
expansion) and yields them lazily, left to right, the last group varying fastest
(:func:`expand`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from math import prod

from mura_core.errors import MuraError
from registry.errors import shorten
from registry.limits import (
    MAX_INT_DIGITS,
    MAX_PATTERN_DEPTH,
    MAX_PATTERN_GROUPS,
    MAX_PATTERN_LENGTH,
)

__all__ = ["Choice", "Pattern", "Range", "count_names", "expand", "names_of", "parse_pattern"]

_RANGE = re.compile(r"(-?\d+)\.\.(-?\d+)\Z")


@dataclass(frozen=True)
class Range:
    """``{first..last}``: integers counting up or down, zero-padded to ``width``."""

    first: int
    last: int
    width: int

    @property
    def size(self) -> int:
        """How many integers (not ``len``: a range may hold more than an index can)."""
        return abs(self.last - self.first) + 1

    def __iter__(self) -> Iterator[str]:
        step = 1 if self.last >= self.first else -1
        for value in range(self.first, self.last + step, step):
            yield str(value).zfill(self.width)


@dataclass(frozen=True)
class Choice:
    """``{a,b{1,2}}``: comma-separated alternatives, each a pattern of its own."""

    alternatives: tuple[Pattern, ...]


#: A pattern: literal text and groups, in order.
Pattern = tuple["str | Range | Choice", ...]


def _fail(problem: str, pattern: str) -> MuraError:
    return MuraError(f"pattern {shorten(pattern, 120)!r}: {problem}")


def check_shape(pattern: str) -> None:
    """Refuse a pattern that is too long, has unpaired braces, or too many or too deeply
    nested groups, in one scan (no recursion).

    Raises:
        MuraError: naming the bound or the unpaired brace.
    """
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise _fail(f"{len(pattern):,} characters, more than the limit of "
                    f"{MAX_PATTERN_LENGTH:,}", pattern)  # fmt: skip
    opened: list[int] = []
    groups = 0
    for index, character in enumerate(pattern):
        if character == "{":
            opened.append(index)
            groups += 1
            if len(opened) > MAX_PATTERN_DEPTH:
                raise _fail(f"brace groups nested more than {MAX_PATTERN_DEPTH} deep at "
                            f"character {index + 1}", pattern)  # fmt: skip
            if groups > MAX_PATTERN_GROUPS:
                raise _fail(f"more than {MAX_PATTERN_GROUPS} brace groups (the limit)", pattern)
        elif character == "}":
            if not opened:
                raise _fail(f"unbalanced '}}' at character {index + 1}", pattern)
            opened.pop()
    if opened:
        raise _fail(f"unbalanced '{{' at character {opened[-1] + 1}", pattern)


def _closing(text: str, start: int) -> int:
    """Index of the brace closing the one opened at ``start`` (braces are balanced)."""
    depth = 0
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return index
    raise AssertionError("check_shape pairs every brace")  # pragma: no cover


def _split_top(body: str) -> list[str]:
    """Split a group's body at its top-level commas."""
    parts, depth, start = [], 0, 0
    for index, character in enumerate(body):
        if character == "," and depth == 0:
            parts.append(body[start:index])
            start = index + 1
        depth += {"{": 1, "}": -1}.get(character, 0)
    parts.append(body[start:])
    return parts


def _group(body: str, pattern: str) -> Range | Choice:
    match = _RANGE.match(body)
    if match:
        first, last = match.groups()
        if max(len(first.lstrip("-")), len(last.lstrip("-"))) > MAX_INT_DIGITS:
            problem = f"range {{{shorten(body)}}} has an end of more than {MAX_INT_DIGITS} digits"
            raise _fail(problem, pattern)
        width = max(len(first), len(last)) if first.startswith("0") and len(first) > 1 else 0
        return Range(int(first), int(last), width)
    parts = _split_top(body)
    if len(parts) < 2:
        raise _fail(f"brace group {{{shorten(body)}}} needs a comma or a range a..b", pattern)
    return Choice(tuple(_parse(part, pattern) for part in parts))


def _parse(text: str, pattern: str) -> Pattern:
    """The tree of ``text`` (recursing once per nesting level, at most MAX_PATTERN_DEPTH)."""
    parts: list[str | Range | Choice] = []
    index = 0
    while index < len(text):
        start = text.find("{", index)
        if start == -1:
            parts.append(text[index:])
            break
        if start > index:
            parts.append(text[index:start])
        end = _closing(text, start)
        parts.append(_group(text[start + 1 : end], pattern))
        index = end + 1
    return tuple(parts)


def parse_pattern(pattern: str) -> Pattern:
    """The tree of ``pattern``, its bounds checked first.

    Raises:
        MuraError: a bound exceeded, unpaired braces, or a group that is neither a list
            nor a range.
    """
    check_shape(pattern)
    return _parse(pattern, pattern)


def count_names(tree: Pattern) -> int:
    """How many names ``tree`` stands for, without expanding it."""
    return prod(_count_part(part) for part in tree)


def _count_part(part: str | Range | Choice) -> int:
    if isinstance(part, str):
        return 1
    if isinstance(part, Range):
        return part.size
    return sum(count_names(alternative) for alternative in part.alternatives)


def _values(part: str | Range | Choice) -> Iterator[str]:
    if isinstance(part, str):
        return iter((part,))
    if isinstance(part, Range):
        return iter(part)
    return itertools.chain.from_iterable(names_of(alt) for alt in part.alternatives)


def names_of(tree: Pattern) -> Iterator[str]:
    """The names of a parsed pattern, lazily: an odometer over its parts, the last fastest."""
    iterators = [_values(part) for part in tree]
    values = [next(iterator) for iterator in iterators]  # every part has a value
    while True:
        yield "".join(values)
        index = len(tree) - 1
        while index >= 0:
            value = next(iterators[index], None)
            if value is not None:
                values[index] = value
                break
            iterators[index] = _values(tree[index])
            values[index] = next(iterators[index])
            index -= 1
        if index < 0:
            return


def expand(pattern: str) -> Iterator[str]:
    """The names ``pattern`` stands for, in order, lazily (a huge range costs nothing).

    Raises:
        MuraError: as ``parse_pattern``, when the first name is asked for.
    """
    yield from names_of(parse_pattern(pattern))
