"""Two spellings of one model: an optional token at its "off" value, and its absence.

An optional token (default ``None``) whose range includes the value that means "off"
(0 for a number, ``none``/``off``/``no`` for a choice) gives one model two canonical
names, ``ld.0`` and no ``ld``, unless the token declares that value
(``Token("ld", ..., off=0.0)``, written as absent) or its range leaves it out
(``Field(gt=0)``). :func:`off_spellings` finds the pairs; the conformance kit's
``one_spelling`` check builds both and fails when they are the same model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from registry import ParsedName, Registry, RegistryError
from registry.tokens import TokenField

__all__ = ["OFF_WORDS", "fix", "off_spellings", "off_value", "same_model"]

#: Choices that read as "off".
OFF_WORDS = ("none", "off", "no")


def off_value(tf: TokenField) -> Any:
    """The value of an optional token that reads as "off" and is not declared so, or ``None``."""
    if tf.kind != "scalar" or tf.required or tf.default is not None or tf.off is not None:
        return None
    if tf.choices:
        return next((choice for choice in tf.choices if choice.lower() in OFF_WORDS), None)
    if tf.item_type not in ("int", "float"):
        return None
    zero = 0 if tf.item_type == "int" else 0.0
    limits = tf.limits[0] if tf.limits else None
    return zero if limits is None or limits.contains(zero) else None


def off_spellings(base: ParsedName) -> Iterator[tuple[TokenField, ParsedName, ParsedName]]:
    """``(token, name without it, name with its "off" value)`` for each such token of
    ``base``'s spec, both names otherwise equal to ``base`` (pairs the spec refuses are left
    out)."""
    for tf in type(base.spec).token_fields():
        value = off_value(tf)
        if value is None:
            continue
        try:
            absent = base.replace(**{tf.field: None})
            off = base.replace(**{tf.field: value})
        except RegistryError:
            continue
        yield tf, absent, off


def fix(tf: TokenField) -> str:
    """How to give the token one spelling per model."""
    value = off_value(tf)
    declare = f"declare Token({tf.key!r}, ..., off={value!r}) so that it is written as absent"
    if tf.choices:
        return f"{declare}, or drop the choice {value!r}"
    return f"{declare}, or bound it with Field(gt={value})"


def same_model(
    registry: Registry,
    first: ParsedName,
    second: ParsedName,
    *,
    measure: Callable[[ParsedName], Any] | None = None,
) -> bool:
    """True when two names build the same weights (shapes, which train) and predict alike.

    The weights are compared first, on builds made by ``measure`` (default: built
    uninitialised); the predictions only when the weights are alike.
    """
    from mura_core.conformance.measuring import build_uninitialised, weight_layout

    measure = measure or (lambda parsed: build_uninitialised(registry, parsed))
    if weight_layout(measure(first)) != weight_layout(measure(second)):
        return False
    models = [registry.build(parsed, weights=None) for parsed in (first, second)]
    models[1].set_weights(models[0].get_weights())
    batch = np.random.default_rng(0).random((2, *first.input_shape), dtype=np.float32)
    outputs = [np.asarray(model(batch, training=False)) for model in models]
    return bool(np.allclose(outputs[0], outputs[1], atol=1e-6))
