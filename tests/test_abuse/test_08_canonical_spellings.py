"""Item 8: two spellings of one model have one canonical name (and one run folder).

Negative zero is normalised, and a token whose value means "off" (a zero dropout rate)
is declared so in the grammar and written as absent.
"""

from __future__ import annotations

import pytest

import registry
from registry.tokens import format_value

BASE = "cnn_in.32.32.1_cl.2.1_f.8_ck.3.3_p.max_ps.2.2_pstr.2.2"


@pytest.mark.parametrize(
    "spelling",
    [
        f"{BASE}_ld.0",
        f"{BASE}_ld.-0.0",
        f"{BASE}_ld.0e7",
        f"{BASE}_spdp.-1e-400",
        f"{BASE}_ld.-0_spdp.0.0",
        "densenet121_in.64.64.3_p.avg_mdp.-0",
    ],
)
def test_an_off_value_or_negative_zero_is_the_same_model_as_no_token(spelling):
    without = spelling.split("_ld.")[0].split("_spdp.")[0].split("_mdp.")[0]
    assert registry.canonical(spelling) == registry.canonical(without)
    assert registry.parse(spelling) == registry.parse(without)


def test_negative_zero_is_never_written():
    assert "-0" not in registry.canonical("densenet121_in.64.64.3_p.avg_tla.-0")
    floats = [
        tf
        for family in registry.families().values()
        for tf in family.spec.token_fields()
        if tf.item_type == "float"
    ]
    assert floats and all(format_value(tf, -0.0) == "0" for tf in floats)


def test_the_off_value_is_declared_per_token_in_the_grammar():
    fields = {tf.key: tf for tf in registry.get_family("cnn").spec.token_fields()}
    assert (fields["ld"].off, fields["spdp"].off) == (0.0, 0.0)
    assert fields["f"].off is None
    replaced = registry.parse(f"{BASE}_ld.0.25").replace(dropout=0.0)
    assert replaced == registry.parse(BASE) and replaced.full_name == registry.canonical(BASE)


def test_a_token_declaring_off_must_default_to_none():
    from typing import Annotated

    from registry import FamilySpec, Token

    with pytest.raises(TypeError, match="'off' value must default to None"):

        class Spec(FamilySpec):  # noqa: F841
            rate: Annotated[float, Token("r", "a rate", off=0.0)] = 0.5
