"""Whole names: ``<family>_<token>_..._<token>[__<run tokens>]``.

This module splits a name into its family, model tokens and run tokens, and holds the
:class:`ParsedName` that :func:`registry.parse` returns. The tokens themselves are
parsed by the family's spec (:mod:`registry.grammar`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from registry.errors import InvalidNameError, closest, shorten
from registry.family import Family
from registry.grammar import FamilySpec
from registry.nesting import check_balance, partition_top, split_top
from registry.run_options import RUN_SEPARATOR, RunOptions, is_run_token

#: Characters of a name; parentheses enclose an embedded name (:mod:`registry.nesting`).
ALLOWED_CHARACTERS = re.compile(r"[A-Za-z0-9._+()-]")


@dataclass(frozen=True)
class ParsedName:
    """A parsed, validated name: its family, its spec and its run options."""

    family: Family
    spec: FamilySpec
    run: RunOptions | None = None

    @property
    def model_name(self) -> str:
        """The canonical model name, without any run suffix."""
        return "_".join([self.family.name, *self.spec.to_tokens()])

    @property
    def full_name(self) -> str:
        """The canonical name with the run suffix (``__wc_aug``) when there is one."""
        return format_name(self.model_name, self.run)

    @property
    def is_ensemble(self) -> bool:
        """True when the name embeds member names (its family is an ensemble)."""
        return self.family.is_ensemble

    @property
    def members(self) -> dict[str, ParsedName]:
        """The embedded names, by spec field (empty for a single model)."""
        return {tf.field: self.spec.nested(tf.field) for tf in self.spec.nested_fields()}

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """``(height, width, channels)`` of the model, as the family declares it."""
        return self.family.input_shape_of(self.spec)

    def __str__(self) -> str:
        return self.full_name

    def replace(self, **changes: Any) -> ParsedName:
        """A copy with spec fields changed (validated), e.g. ``input_shape=(64, 64, 3)``."""
        values = {**self.spec.model_dump(), **changes}
        spec = type(self.spec).validate_tokens(values, self.full_name)
        return ParsedName(self.family, spec, self.run)

    def as_dict(self) -> dict[str, Any]:
        """The JSON view used by ``mura models show --json``."""
        return {
            "name": self.model_name,
            "full_name": self.full_name,
            "family": self.family.name,
            "config": self.spec.token_dict(),
            "run": self.run.model_dump() if self.run else None,
        }


def format_name(model_name: str, run: RunOptions | None) -> str:
    """Join a model name and run options into a run name (``model__wc_aug``)."""
    if run is None or run.is_default:
        return model_name
    return f"{model_name}{RUN_SEPARATOR}{run.suffix}"


def split_name(name: str) -> tuple[str, list[str], list[str] | None]:
    """Split a name into family, model tokens and run tokens (``None`` without a suffix)."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidNameError(str(name), "the name is empty", expected="<family>_<token>_...")
    for position, character in enumerate(name):
        if not ALLOWED_CHARACTERS.match(character):
            raise InvalidNameError(
                name,
                f"stray character {character!r} at position {position}",
                token=character,
                expected="letters, digits, '.', '_', '+', '-' and '(' ')' around an embedded name",
            )
    check_balance(name)
    model_part, separator, run_part = partition_top(name, RUN_SEPARATOR)
    pieces = split_top(model_part, "_")
    for piece in pieces:
        if not piece:
            raise InvalidNameError(
                name, "empty token (stray '_')", token="_", expected="tokens separated by one '_'"
            )
    run_tokens: list[str] | None = None
    if separator:
        run_tokens = split_top(run_part, "_")
        if not run_part or any(not token for token in run_tokens):
            raise InvalidNameError(
                name,
                "empty run token after '__'",
                token=RUN_SEPARATOR,
                expected="run tokens wc, aug or a body part",
            )
    else:  # the report's single-underscore suffix: the first run token starts it
        for index in range(1, len(pieces)):
            if is_run_token(pieces[index]):
                pieces, run_tokens = pieces[:index], pieces[index:]
                break
    return pieces[0], pieces[1:], run_tokens


def parse_name(name: str, families: Mapping[str, Family]) -> ParsedName:
    """Parse ``name`` against the registered ``families``."""
    family_name, model_tokens, run_tokens = split_name(name)
    family = families.get(family_name)
    if family is None:
        raise InvalidNameError(
            name,
            f"unknown family {shorten(family_name)!r}",
            token=family_name,
            expected="one of the families " + ", ".join(sorted(families)),
            suggestion=closest(family_name, families),
        )
    run = RunOptions.from_tokens(run_tokens, name) if run_tokens is not None else None
    if run is not None and run.body_part and family.is_ensemble:
        raise InvalidNameError(
            name,
            f"an ensemble takes no body-part run token {run.body_part!r}",
            token=run.body_part,
            expected="the ensemble's own body-part token (bp.WRIST.HAND)",
        )
    spec = family.spec.from_tokens(model_tokens, name, _member_parser(name, families))
    return ParsedName(family, spec, run)


def _member_parser(name: str, families: Mapping[str, Family]):
    """Parse an embedded member name with the same families; errors name the member."""

    def resolve(member: str) -> ParsedName:
        try:
            parsed = parse_name(member, families)
        except InvalidNameError as error:
            raise InvalidNameError(
                name,
                f"member {shorten(member)!r}: {error.problem}",
                token=error.token,
                expected=error.expected,
                suggestion=error.suggestion,
            ) from None
        if parsed.family.is_ensemble:
            raise InvalidNameError(
                name,
                f"member {shorten(member)!r} is itself an ensemble; nested ensembles are "
                "not supported",
                token=parsed.family.name,
                expected="a single model's name",
            )
        if parsed.run is not None:
            raise InvalidNameError(
                name,
                f"member {shorten(member)!r} carries the run suffix {parsed.run.suffix!r}, "
                "which belongs to the ensemble",
                token=parsed.run.suffix,
                expected="the suffix after the ensemble's name (..._c.avg__wc_aug)",
            )
        return parsed

    return resolve
