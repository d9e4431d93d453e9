"""Property: for every family, formatting a valid spec and parsing it back is the identity."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import registry
from registry import InvalidNameError
from registry.grammar import Limits, TokenField


def _number(limits: Limits | None, item_type: str) -> st.SearchStrategy:
    low = limits.low if limits and limits.low is not None else -5
    high = limits.high if limits and limits.high is not None else 5000
    if item_type == "int":
        low = math.floor(low) + (1 if limits and limits.low_open else 0)
        high = math.ceil(high) - (1 if limits and limits.high_open else 0)
        return st.integers(min_value=int(low), max_value=int(min(high, low + 600)))
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


def _value(tf: TokenField) -> st.SearchStrategy:
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


@st.composite
def names(draw, family_name: str) -> str:
    """A valid name of the family, drawn from its spec's token fields."""
    family = registry.get_family(family_name)
    values = {tf.field: draw(_value(tf)) for tf in family.spec.token_fields()}
    try:
        spec = family.spec.model_validate(values)
    except ValueError:
        assume(False)
    run = draw(
        st.one_of(
            st.none(),
            st.builds(
                registry.RunOptions,
                weight_classes=st.booleans(),
                augment=st.booleans(),
                body_part=st.one_of(st.none(), st.sampled_from(registry.BODY_PARTS)),
            ),
        )
    )
    model_name = "_".join([family.name, *spec.to_tokens()])
    return registry.format_name(model_name, run)


@pytest.mark.parametrize("family_name", sorted(registry.families()))
def test_format_parse_round_trip(family_name):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
    @given(names(family_name))
    def check(name):
        parsed = registry.parse(name)
        assert parsed.full_name == name
        assert registry.parse(parsed.model_name).spec == parsed.spec
        assert registry.canonical(name) == name

    check()


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_arbitrary_text_parses_or_raises_invalid_name(text):
    try:
        parsed = registry.parse(text)
    except InvalidNameError as error:
        assert "\n" not in str(error)
    else:
        assert registry.parse(parsed.full_name) == parsed


@pytest.mark.parametrize("family_name", sorted(registry.families()))
def test_family_example_is_canonical(family_name):
    family = registry.get_family(family_name)
    assert registry.canonical(family.example) == family.example
