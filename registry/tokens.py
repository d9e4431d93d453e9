"""Tokens: one parameter of a model name, its key, its range and its spelling.

Token syntax: ``key`` for a flag (a ``bool`` field, present when true) and ``key.value``
otherwise; a tuple's items are separated by dots (``in.256.256.3``); a float is written
in its shortest form, Python's ``repr`` with a trailing ``.0`` dropped (``ld.0.25``,
``a.1`` for 1.0). A token may declare the value that means "off" (``Token("ld", ...,
off=0.0)``, a zero dropout rate): that value is the field's ``None`` default and is
written as absent, so ``ld.0`` and no ``ld`` are one model. Canonical numbers have no
negative zero. A family's :class:`~registry.grammar.FamilySpec` derives one
:class:`TokenField` per field; :func:`parse_value` and :func:`format_value` convert
between a token's text and its value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import annotated_types

from registry.errors import InvalidNameError, closest, shorten
from registry.limits import MAX_INT_DIGITS
from registry.nesting import unwrap

KEY_PATTERN = re.compile(r"[a-z][a-z0-9]*\Z")
WORD_PATTERN = re.compile(r"[A-Za-z0-9+-]+\Z")
#: Keys a family may not use: they start a run suffix.
RESERVED_KEYS = frozenset({"wc", "aug", "xr", "seed"})

#: ``resolve(member name) -> ParsedName``: how a nested name token is parsed (by the registry).
Resolver = Callable[[str], Any]

ScalarType = Literal["int", "float", "str"]


@dataclass(frozen=True)
class Token:
    """Marks a spec field as the token ``key`` of a model name.

    Args:
        key: the short token written in names (lowercase letters and digits).
        help: one line for the CLI and the grammar reference.
        off: the value that means "off" (the field then defaults to ``None``): parsed
            as the default and written as absent.
    """

    key: str
    help: str = ""
    off: float | int | str | None = None


@dataclass(frozen=True)
class Limits:
    """Numeric bounds of a value, from its ``Field(ge=..., lt=...)`` constraints."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    @classmethod
    def from_metadata(cls, metadata: Any) -> Limits | None:
        """Collect annotated-types bounds; ``None`` when there are none."""
        values: dict[str, Any] = {}
        for item in flatten_metadata(metadata):
            if isinstance(item, annotated_types.Ge):
                values.update(low=item.ge, low_open=False)
            elif isinstance(item, annotated_types.Gt):
                values.update(low=item.gt, low_open=True)
            elif isinstance(item, annotated_types.Le):
                values.update(high=item.le, high_open=False)
            elif isinstance(item, annotated_types.Lt):
                values.update(high=item.lt, high_open=True)
        return cls(**values) if values else None

    def contains(self, value: float) -> bool:
        """True when ``value`` lies within the limits."""
        above = self.low is None or (value > self.low if self.low_open else value >= self.low)
        below = self.high is None or (value < self.high if self.high_open else value <= self.high)
        return above and below

    def __str__(self) -> str:
        if self.high is None:
            return f"{'>' if self.low_open else '>='} {self.low}"
        if self.low is None:
            return f"{'<' if self.high_open else '<='} {self.high}"
        opening, closing = "(" if self.low_open else "[", ")" if self.high_open else "]"
        return f"{opening}{self.low}, {self.high}{closing}"


@dataclass(frozen=True)
class TokenField:
    """Everything the grammar knows about one token, derived from its spec field."""

    field: str
    key: str
    help: str
    kind: Literal["flag", "scalar", "tuple", "name"]
    item_type: ScalarType | None
    arity: int | None  # tuples: number of items, None when variable
    choices: tuple[str, ...] | None
    limits: tuple[Limits | None, ...]  # one entry per item (tuples) or one (scalars)
    optional: bool
    required: bool
    default: Any
    off: Any = None

    def render(self, value: Any) -> str:
        """The token written for ``value``: ``bn``, ``in.256.256.3`` or ``m(<name>)``."""
        if self.kind == "flag":
            return self.key
        if self.kind == "name":
            return f"{self.key}({value})"
        return f"{self.key}.{format_value(self, value)}"

    def is_off(self, value: Any) -> bool:
        """True when ``value`` is the token's declared "off" value."""
        return self.off is not None and value == self.off

    @property
    def bounds(self) -> str | None:
        """Human-readable range of the value, or of each item (``[16, 4096] . [1, 4]``)."""
        texts = [str(limits) if limits else None for limits in self.limits]
        if not any(texts):
            return None
        if len(set(texts)) == 1:
            return texts[0]
        return " . ".join(text or "any" for text in texts)

    @property
    def shown_by_default(self) -> bool:
        """True when the canonical form writes the token even at its default."""
        return not self.required and self.default not in (None, False, ())

    def expected(self) -> str:
        """Describe the value this token takes, e.g. ``3 integers (in.H.W.C)``."""
        if self.kind == "flag":
            return f"the flag {self.key!r} with no value"
        if self.kind == "name":
            return f"a model name in parentheses, {self.key}(<name>)"
        if self.choices:
            what = "one of " + ", ".join(self.choices)
        else:
            what = {"int": "an integer", "float": "a number", "str": "a word"}[self.item_type]
            if self.bounds:
                what += f" in {self.bounds}"
        if self.kind == "scalar":
            return what
        plural = {"int": "integers", "float": "numbers", "str": "words"}[self.item_type]
        count = f"{self.arity}" if self.arity else "one or more"
        detail = ""
        if self.bounds and not self.choices:
            detail = f" in {self.bounds}" if " . " in self.bounds else f" each in {self.bounds}"
        return f"{count} {plural}{detail} separated by '.'"

    def type_label(self) -> str:
        """Short type description for tables: ``flag``, ``int``, ``int x3``, ``int x N``."""
        if self.kind in ("flag", "name"):
            return self.kind
        base = "choice" if self.choices else self.item_type
        if self.kind == "scalar":
            return base
        return f"{base} x{self.arity}" if self.arity else f"{base} x N"

    def example(self) -> str:
        """A valid example token: the default when there is one, else a value in range."""
        if self.kind == "flag":
            return self.key
        if self.kind == "name":
            return f"{self.key}(<model name>)"
        if self.default not in (None, ()):
            return f"{self.key}.{format_value(self, self.default)}"
        count = self.arity or (2 if self.kind == "tuple" else 1)
        items = [self._sample(index) for index in range(count)]
        value = items[0] if self.kind == "scalar" else tuple(items)
        return f"{self.key}.{format_value(self, value)}"

    def _sample(self, index: int) -> Any:
        """A value for item ``index`` that satisfies its choices and limits."""
        if self.choices:  # distinct items, for tuples whose items must differ
            return self.choices[index % len(self.choices)]
        if self.item_type == "str":
            return "x"
        limits = self.limits[min(index, len(self.limits) - 1)] if self.limits else None
        preferred = 0.25 if self.item_type == "float" else 2 + (index if self.arity is None else 0)
        if limits is None or limits.contains(preferred):
            return preferred
        if limits.low is None:
            return limits.high - (1 if limits.high_open else 0)
        if self.item_type == "float":
            return (
                limits.low
                if not limits.low_open
                else (limits.low + (limits.high or limits.low + 2)) / 2
            )
        return int(limits.low) + (1 if limits.low_open else 0)


def parse_value(
    tf: TokenField, token: str, text: str, name: str, resolve: Resolver | None = None
) -> Any:
    """Convert the text after ``key.`` into the value of the token's field.

    A nested-name token's value is the ParsedName ``resolve`` returns (the text inside
    the parentheses when there is no resolver).
    """

    def fail(problem: str) -> InvalidNameError:
        return InvalidNameError(
            name, f"token {shorten(token)!r}: {problem}", token=token, expected=tf.expected()
        )

    if tf.kind == "flag":
        if text:
            raise fail("a flag takes no value")
        return True
    if tf.kind == "name":
        inner = unwrap(text)
        if not inner:
            raise fail("write the embedded model name in parentheses")
        return inner if resolve is None else resolve(inner)
    if (text.startswith("(") or "(" in token) and tf.kind != "name":
        raise fail("only a model-name token takes a name in parentheses")
    if not text:
        raise fail("value missing")
    items = [text] if tf.kind == "scalar" else text.split(".")
    if tf.kind == "tuple" and tf.arity is not None and len(items) != tf.arity:
        raise fail(f"{len(items)} value{'s' if len(items) != 1 else ''} given")
    values = [_convert(tf, item, fail) for item in items]
    return values[0] if tf.kind == "scalar" else tuple(values)


def format_value(tf: TokenField, value: Any) -> str:
    """Format a field value as the text after ``key.``."""
    if tf.kind == "tuple":
        return ".".join(_format_item(item) for item in value)
    return _format_item(value)


def _format_item(item: Any) -> str:
    if isinstance(item, float):
        text = repr(item + 0.0)  # -0.0 + 0.0 is 0.0: no negative zero
        return text[:-2] if text.endswith(".0") else text
    return str(item)


def _convert(tf: TokenField, item: str, fail: Any) -> Any:
    if tf.choices is not None:
        if item not in tf.choices:
            suggestion = closest(item, tf.choices)
            hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
            raise fail(f"{shorten(item)!r} is not a choice{hint}")
        return item
    if tf.item_type == "int":
        if not re.fullmatch(r"-?\d+", item):
            raise fail(f"{shorten(item)!r} is not an integer")
        sign, digits = ("-", item[1:]) if item.startswith("-") else ("", item)
        digits = digits.lstrip("0") or "0"
        if len(digits) > MAX_INT_DIGITS:  # int() refuses more than 4300 digits
            raise fail(f"an integer of {len(digits)} digits is out of range")
        return int(sign + digits)
    if tf.item_type == "float":
        try:
            number = float(item)
        except ValueError:
            raise fail(f"{shorten(item)!r} is not a number") from None
        if not math.isfinite(number):
            raise fail(f"{shorten(item)!r} is not a finite number")
        return number + 0.0  # no negative zero
    if not WORD_PATTERN.match(item):
        raise fail(f"{shorten(item)!r} is not a word of letters, digits, '+' or '-'")
    return item


def flatten_metadata(metadata: Any) -> list[Any]:
    """``Annotated`` metadata with pydantic's and annotated-types' groups unpacked."""
    out = []
    for item in metadata:
        if isinstance(item, annotated_types.GroupedMetadata):
            out.extend(item)
        elif hasattr(item, "metadata"):  # pydantic FieldInfo inside Annotated
            out.extend(flatten_metadata(item.metadata))
        else:
            out.append(item)
    return out
