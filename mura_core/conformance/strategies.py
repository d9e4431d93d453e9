"""Hypothesis strategies of valid names, derived from a family's spec.

>>> from hypothesis import given                                       # doctest: +SKIP
>>> @given(names(registry.get_family("cnn")))
... def test_round_trip(name): assert registry.canonical(name) == name
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from registry import BODY_PARTS, Family, ParsedName, RegistryError, RunOptions, format_name
from registry.tokens import Limits, TokenField

__all__ = ["CHANNELS", "names", "sample", "small_names", "token_values"]

#: Integer ranges are drawn over at most this many values above their lower bound.
_INT_SPAN = 600


def _number(limits: Limits | None, item_type: str) -> st.SearchStrategy:
    low = limits.low if limits and limits.low is not None else -5
    high = limits.high if limits and limits.high is not None else 5000
    if item_type == "int":
        low = math.floor(low) + (1 if limits and limits.low_open else 0)
        high = math.ceil(high) - (1 if limits and limits.high_open else 0)
        return st.integers(min_value=int(low), max_value=int(min(high, low + _INT_SPAN)))
    return st.floats(
        min_value=low,
        max_value=high,
        exclude_min=bool(limits and limits.low_open),
        exclude_max=bool(limits and limits.high_open),
        allow_nan=False,
    )


def _item(tf: TokenField, index: int) -> st.SearchStrategy:
    if tf.choices:
        return st.sampled_from(tf.choices)
    if tf.item_type == "str":
        return st.from_regex(r"[A-Za-z0-9+-]{1,8}", fullmatch=True)
    limits = tf.limits[min(index, len(tf.limits) - 1)] if tf.limits else None
    return _number(limits, tf.item_type)


def token_values(tf: TokenField) -> st.SearchStrategy:
    """Values of one token's field: within its choices and limits, or its default."""
    if tf.kind == "flag":
        return st.booleans()
    if tf.kind == "scalar":
        value = _item(tf, 0)
    elif tf.arity is not None:
        value = st.tuples(*(_item(tf, i) for i in range(tf.arity)))
    else:
        value = st.lists(_item(tf, 0), min_size=1, max_size=4).map(tuple)
    if tf.optional or not tf.required:
        return st.one_of(st.just(tf.default), value)
    return value


def _run_options(body_parts: bool = True) -> st.SearchStrategy:
    return st.one_of(
        st.none(),
        st.builds(
            RunOptions,
            weight_classes=st.booleans(),
            augment=st.booleans(),
            body_part=st.one_of(st.none(), *([st.sampled_from(BODY_PARTS)] if body_parts else [])),
            seed=st.one_of(st.just(0), st.integers(min_value=1, max_value=99)),
        ),
    )


@st.composite
def names(
    draw: Any,
    family: Family,
    *,
    runs: bool = True,
    members: Sequence[Family] = (),
    fixed: Mapping[str, Any] | None = None,
) -> str:
    """A valid canonical name of ``family`` (with a run suffix when ``runs``).

    An ensemble's member names are drawn from ``members`` (single-model families).
    ``fixed`` gives spec fields their values instead of drawing them (by field name).
    """
    values = dict(fixed or {})
    for tf in family.spec.token_fields():
        if tf.field in values:
            continue
        if tf.kind == "name":
            if not members:
                raise ValueError(f"family {family.name!r} embeds names: pass members=")
            member = draw(st.sampled_from(list(members)))
            values[tf.field] = draw(names(member, runs=False))
        else:
            values[tf.field] = draw(token_values(tf))
    try:
        spec = family.spec.model_validate(values)
    except ValueError:
        assume(False)
    model_name = "_".join([family.name, *spec.to_tokens()])
    run = draw(_run_options(not family.is_ensemble)) if runs else None
    return format_name(model_name, run)


def sample(strategy: st.SearchStrategy, count: int) -> list[Any]:
    """Up to ``count`` distinct values of ``strategy``, the same ones on every run."""
    drawn: list[Any] = []

    @settings(
        max_examples=count * 3,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        if value not in drawn:
            drawn.append(value)

    collect()
    return drawn[:count]


#: The input channel counts the conformance kit draws names with: grayscale and colour.
CHANNELS = (1, 3)


def small_names(
    base: ParsedName, per_channel: int, channels: Sequence[int] = CHANNELS
) -> list[str]:
    """Model names of ``base``'s family drawn from its spec, at ``base``'s input height and
    width, ``per_channel`` for each of ``channels`` the spec accepts.

    An ensemble's names keep ``base``'s members. A family whose input shape is a function
    of the spec gets names drawn at any size.
    """
    family = base.family
    fixed = {tf.field: getattr(base.spec, tf.field) for tf in family.spec.nested_fields()}
    shapes: list[tuple[int, int, int] | None] = [None]
    if isinstance(family.input_shape, str):
        height, width, _ = base.input_shape
        shapes = []
        for count in channels:
            try:
                base.replace(**{family.input_shape: (height, width, count)})
            except RegistryError:
                continue  # the spec refuses this channel count
            shapes.append((height, width, count))
    drawn: list[str] = []
    for shape in shapes:
        chosen = {**fixed, **({family.input_shape: shape} if shape else {})}
        candidates = sample(names(family, runs=False, fixed=chosen), per_channel + 1)
        drawn += [name for name in candidates if name != base.model_name][:per_channel]
    return drawn
