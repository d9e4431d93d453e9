"""Bounds on the size and depth of names and sweep patterns, defined once.

Whatever reads a name (:func:`registry.parse`, the names an ensemble's name embeds
included) or expands a sweep pattern (:mod:`mura_core.sweeps.patterns`) checks these
bounds before it recurses or expands, so that a hostile or mistyped input is refused in
one line naming the bound, never by exhausting the stack or the memory. The grammar
reference lists them (:data:`LIMITS`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "LIMITS",
    "MAX_INT_DIGITS",
    "MAX_NAME_DEPTH",
    "MAX_PATTERN_DEPTH",
    "MAX_PATTERN_GROUPS",
    "MAX_PATTERN_LENGTH",
    "Bound",
]

#: Deepest nesting of embedded names: ``parts_m(cnn_...)`` nests one deep.
MAX_NAME_DEPTH = 4
#: Longest integer value of a token or a pattern's range, in digits (far beyond any
#: range a family declares; Python's ``int()`` refuses more than 4,300).
MAX_INT_DIGITS = 30
#: Longest sweep pattern, in characters.
MAX_PATTERN_LENGTH = 65_536
#: Most brace groups (``{a,b}``, ``{1..4}``) in one sweep pattern.
MAX_PATTERN_GROUPS = 100
#: Deepest nesting of brace groups in a sweep pattern: ``{a,b{1,2}}`` nests two deep.
MAX_PATTERN_DEPTH = 8


@dataclass(frozen=True)
class Bound:
    """One documented bound: its constant, its value and what it bounds."""

    constant: str
    value: int
    what: str


#: Every bound of this module, for the grammar reference and ``--help`` texts.
LIMITS: tuple[Bound, ...] = (
    Bound("MAX_NAME_DEPTH", MAX_NAME_DEPTH, "nesting of embedded names (parentheses)"),
    Bound("MAX_INT_DIGITS", MAX_INT_DIGITS, "digits of an integer (tokens and ranges)"),
    Bound("MAX_PATTERN_LENGTH", MAX_PATTERN_LENGTH, "characters of a sweep pattern"),
    Bound("MAX_PATTERN_GROUPS", MAX_PATTERN_GROUPS, "brace groups of a sweep pattern"),
    Bound("MAX_PATTERN_DEPTH", MAX_PATTERN_DEPTH, "nesting of a sweep pattern's brace groups"),
)
