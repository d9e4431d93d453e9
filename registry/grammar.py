"""The token grammar, derived from a family's pydantic spec.

A family declares its parameters once, as a :class:`FamilySpec` whose fields carry a
:class:`~registry.tokens.Token` in their ``Annotated`` metadata::

    class CNNSpec(FamilySpec):
        input_shape: Annotated[tuple[int, int, int], Token("in", "input height.width.channels")]
        batch_norm: Annotated[bool, Token("bn", "batch normalisation after each conv")] = False

Everything else is derived from those fields: parsing ``in.256.256.3`` into a value,
formatting a value back to its token (:mod:`registry.tokens` holds the token syntax),
validation, the CLI's display and the docs' grammar reference.

Canonical order is the field order. A field whose default is ``None``, ``False`` or
empty is written only when set; any other field is always written, so a canonical name
is explicit about every choice it makes.
"""

from __future__ import annotations

import types
import typing
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError

from registry.errors import InvalidNameError, closest, shorten
from registry.nesting import NestedName, token_key
from registry.tokens import (
    KEY_PATTERN,
    RESERVED_KEYS,
    WORD_PATTERN,
    Limits,
    Resolver,
    ScalarType,
    Token,
    TokenField,
    parse_value,
)


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
