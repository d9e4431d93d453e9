"""The token grammar, derived from a family's pydantic spec.

A family declares its parameters once, as a :class:`FamilySpec` whose fields carry a
:class:`Token` in their ``Annotated`` metadata::

    class CNNSpec(FamilySpec):
        input_shape: Annotated[tuple[int, int, int], Token("in", "input height.width.channels")]
        batch_norm: Annotated[bool, Token("bn", "batch normalisation after each conv")] = False

Everything else is derived from those fields: parsing ``in.256.256.3`` into a value,
formatting a value back to its token, validation, the CLI's display and the docs'
grammar reference.

Token syntax: ``key`` for a flag (a ``bool`` field, present when true) and ``key.value``
otherwise; a tuple's items are separated by dots (``in.256.256.3``); a float is written
in its shortest form, Python's ``repr`` with a trailing ``.0`` dropped (``ld.0.25``,
``a.1`` for 1.0). Canonical order is the field order. A field whose
default is ``None``, ``False`` or empty is written only when set; any other field is
always written, so a canonical name is explicit about every choice it makes. A token
may declare the value that means "off" (``Token("ld", ..., off=0.0)``, a zero dropout
rate): that value is the field's ``None`` default and is written as absent, so ``ld.0``
and no ``ld`` are one model. Canonical numbers have no negative zero.
"""

from __future__ import annotations

import math
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import annotated_types
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError

from registry.errors import InvalidNameError, closest, shorten
from registry.nesting import NestedName, token_key, unwrap

KEY_PATTERN = re.compile(r"[a-z][a-z0-9]*\Z")
WORD_PATTERN = re.compile(r"[A-Za-z0-9+-]+\Z")
#: Longest integer value accepted, in digits (far beyond any range a family declares).
MAX_INT_DIGITS = 30
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
        for item in _flatten(metadata):
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


class FamilySpec(BaseModel):
    """Base class of a family's parameters; subclass it with :class:`Token` fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    _token_fields: ClassVar[tuple[TokenField, ...]] = ()
    _nested: dict[str, Any] = PrivateAttr(default_factory=dict)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._token_fields = tuple(
            _derive(cls, name, info) for name, info in cls.model_fields.items()
        )
        keys = [tf.key for tf in cls._token_fields]
        duplicates = {key for key in keys if keys.count(key) > 1}
        if duplicates:
            raise TypeError(f"{cls.__name__}: token keys used twice: {sorted(duplicates)}")

    @classmethod
    def token_fields(cls) -> tuple[TokenField, ...]:
        """The tokens of this spec, in canonical order."""
        return cls._token_fields

    def __eq__(self, other: object) -> bool:  # the parsed members cache is not the value
        if type(other) is not type(self):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    def __hash__(self) -> int:
        return hash((type(self), tuple(self.model_dump().items()).__repr__()))

    @classmethod
    def nested_fields(cls) -> tuple[TokenField, ...]:
        """The tokens holding an embedded model name (an ensemble's members)."""
        return tuple(tf for tf in cls._token_fields if tf.kind == "name")

    def nested(self, field: str) -> Any:
        """The parsed name held by the nested-name field ``field`` (a ParsedName)."""
        if field not in self._nested:
            import registry

            self._nested[field] = registry.parse(getattr(self, field))
        return self._nested[field]

    @classmethod
    def from_tokens(
        cls, tokens: list[str], name: str, resolve: Resolver | None = None
    ) -> FamilySpec:
        """Parse the tokens of a name (already split on ``_``) into a validated spec.

        ``resolve`` parses embedded names (nested-name tokens) through the registry.
        """
        by_key = {tf.key: tf for tf in cls._token_fields}
        raw: dict[str, Any] = {}
        seen: dict[str, str] = {}
        nested: dict[str, Any] = {}
        for token in tokens:
            key, text = token_key(token)
            field = by_key.get(key)
            if field is None:
                raise InvalidNameError(
                    name,
                    f"unknown token {shorten(token)!r}",
                    token=token,
                    expected="one of the tokens " + ", ".join(by_key),
                    suggestion=closest(key, by_key),
                )
            if key in seen:
                raise InvalidNameError(
                    name,
                    f"duplicate token {shorten(token)!r} (already given as {shorten(seen[key])!r})",
                    token=token,
                )
            seen[key] = token
            value = parse_value(field, token, text, name, resolve)
            if field.kind == "name" and not isinstance(value, str):
                nested[field.field], value = value, value.full_name
            raw[field.field] = value
        missing = [tf for tf in cls._token_fields if tf.required and tf.field not in raw]
        if missing:
            tf = missing[0]
            raise InvalidNameError(
                name,
                f"missing token {tf.key!r} ({tf.help or tf.field})",
                token=tf.key,
                expected=f"{tf.key}.<{tf.expected()}>, e.g. {tf.example()!r}",
            )
        spec = cls.validate_tokens(raw, name)
        spec._nested.update(nested)
        return spec

    @classmethod
    def validate_tokens(cls, raw: dict[str, Any], name: str) -> FamilySpec:
        """Validate field values, reporting the first error against its token."""
        by_field = {tf.field: tf for tf in cls._token_fields}
        raw = {
            key: None if key in by_field and by_field[key].is_off(value) else value
            for key, value in raw.items()
        }
        try:
            return cls.model_validate(raw)
        except ValidationError as error:
            first = error.errors()[0]
            field_name = str(first["loc"][0]) if first["loc"] else ""
            tf = next((t for t in cls._token_fields if t.field == field_name), None)
            problem = first["msg"].removeprefix("Value error, ")
            if tf is None:  # a model-level validator
                raise InvalidNameError(name, problem) from None
            token = tf.render(raw[tf.field]) if tf.field in raw else tf.key
            raise InvalidNameError(
                name,
                f"token {shorten(token)!r}: {problem[0].lower() + problem[1:]}",
                token=token,
                expected=tf.expected(),
            ) from None

    def to_tokens(self) -> list[str]:
        """The canonical tokens of this spec, in field order."""
        tokens = []
        for tf in self._token_fields:
            value = getattr(self, tf.field)
            if tf.kind == "flag":
                if value:
                    tokens.append(tf.key)
            elif value is None or value == () or tf.is_off(value):
                continue
            else:
                tokens.append(tf.render(value))
        return tokens

    def token_dict(self) -> dict[str, Any]:
        """The spec as ``{token key: value}``, JSON-friendly (tuples become lists)."""
        return {
            tf.key: list(value) if isinstance(value, tuple) else value
            for tf in self._token_fields
            for value in [getattr(self, tf.field)]
        }


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


# -- deriving a TokenField from a pydantic field ------------------------------------------


def _derive(cls: type, name: str, info: Any) -> TokenField:
    tokens = [m for m in info.metadata if isinstance(m, Token)]
    where = f"{cls.__name__}.{name}"
    if len(tokens) != 1:
        raise TypeError(f"{where}: annotate the field with exactly one Token(...)")
    token = tokens[0]
    if not KEY_PATTERN.match(token.key) or token.key in RESERVED_KEYS:
        raise TypeError(f"{where}: invalid or reserved token key {token.key!r}")
    annotation, optional = _strip_optional(info.annotation)
    required = info.is_required()
    default = None if required else info.default
    if any(isinstance(item, NestedName) for item in info.metadata):
        return _nested_field(where, name, token, annotation, optional, required, default)
    field_limits = Limits.from_metadata(info.metadata)
    if token.off is not None and (required or default is not None):
        raise TypeError(f"{where}: a token with an 'off' value must default to None")
    common = {"field": name, "key": token.key, "help": token.help, "off": token.off}
    if annotation is bool:
        if optional or required or default is not False:
            raise TypeError(f"{where}: a flag must be a plain bool defaulting to False")
        return TokenField(
            **common,
            kind="flag",
            item_type=None,
            arity=None,
            choices=None,
            limits=(),
            optional=False,
            required=False,
            default=False,
        )
    if typing.get_origin(annotation) is tuple:
        args = typing.get_args(annotation)
        variable = len(args) == 2 and args[1] is Ellipsis
        items = [_scalar(where, arg) for arg in (args[:1] if variable else args)]
        if len({(kind, choices) for kind, choices, _ in items}) != 1:
            raise TypeError(f"{where}: tuple items must all have one type")
        kind, choices, _ = items[0]
        if kind == "float":
            raise TypeError(f"{where}: tuples of floats are ambiguous ('.' separates items)")
        return TokenField(
            **common,
            kind="tuple",
            item_type=kind,
            arity=None if variable else len(args),
            choices=choices,
            limits=tuple(limits or field_limits for _, _, limits in items),
            optional=optional,
            required=required,
            default=default,
        )
    kind, choices, limits = _scalar(where, annotation)
    return TokenField(
        **common,
        kind="scalar",
        item_type=kind,
        arity=None,
        choices=choices,
        limits=(limits or field_limits,),
        optional=optional,
        required=required,
        default=default,
    )


def _nested_field(
    where: str, name: str, token: Token, annotation: Any, optional: bool, required: bool,
    default: Any,
) -> TokenField:  # fmt: skip
    """The TokenField of a :class:`~registry.nesting.NestedName` field (kind ``name``)."""
    if annotation is not str or token.off is not None:
        raise TypeError(f"{where}: a NestedName field must be a str without 'off'")
    return TokenField(
        key=token.key, help=token.help, field=name, kind="name", item_type="str", arity=None,
        choices=None, limits=(), optional=optional, required=required, default=default,
    )  # fmt: skip


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _scalar(
    where: str, annotation: Any
) -> tuple[ScalarType, tuple[str, ...] | None, Limits | None]:
    limits = None
    if typing.get_origin(annotation) is typing.Annotated:
        annotation, *metadata = typing.get_args(annotation)
        limits = Limits.from_metadata(metadata)
    if typing.get_origin(annotation) is Literal:
        choices = typing.get_args(annotation)
        if not all(isinstance(c, str) and WORD_PATTERN.match(c) for c in choices):
            raise TypeError(f"{where}: Literal choices must be words")
        return "str", tuple(choices), None
    for python_type, kind in ((int, "int"), (float, "float"), (str, "str")):
        if annotation is python_type:
            return kind, None, limits  # type: ignore[return-value]
    raise TypeError(f"{where}: unsupported token type {annotation!r}")


def _flatten(metadata: Any) -> list[Any]:
    out = []
    for item in metadata:
        if isinstance(item, annotated_types.GroupedMetadata):
            out.extend(item)
        elif hasattr(item, "metadata"):  # pydantic FieldInfo inside Annotated
            out.extend(_flatten(item.metadata))
        else:
            out.append(item)
    return out
