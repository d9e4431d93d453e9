"""Property: for every family, formatting a valid spec and parsing it back is the identity."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import registry
from mura_core.conformance.strategies import names as conformance_names
from registry import InvalidNameError


def names(family_name: str) -> st.SearchStrategy[str]:
    """Valid names of the family, drawn from its spec by the conformance kit's strategy
    (an ensemble's members from every single-model family)."""
    singles = [f for f in registry.families().values() if not f.is_ensemble]
    return conformance_names(registry.get_family(family_name), members=singles)


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
