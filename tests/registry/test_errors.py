"""Every kind of bad name raises InvalidNameError naming the token, the expectation and a hint."""

from __future__ import annotations

import pytest

import registry
from registry import InvalidNameError

CNN = "cnn_in.256.256.3_cl.6.1_f.32_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"

CASES = [
    # (name, offending token in the message, words the message must contain, suggestion)
    ("cnm_in.256.256.3_cl.6.1_f.32", "'cnm'", ["unknown family", "cnn"], "cnn"),
    ("densnet201_in.256.256.3_p.avg", "'densnet201'", ["unknown family"], "densenet201"),
    ("cnn_in.256.256.3_cl.6.1_f.32_fx.3", "'fx.3'", ["unknown token", "one of the tokens"], "f"),
    ("cnn_in.256.256.3_cl.6.1_f.32_bnn", "'bnn'", ["unknown token"], "bn"),
    ("cnn_in.256.256.3_cl.6.1", "'f'", ["missing token", "filters"], None),
    ("cnn_cl.6.1_f.32", "'in'", ["missing token", "in.<"], None),
    ("cnn_in.256.256_cl.6.1_f.32", "'in.256.256'", ["2 values given", "3 integers"], None),
    ("cnn_in.256.256.3.1_cl.6.1_f.32", "'in.256.256.3.1'", ["4 values"], None),
    (
        "cnn_in.256.256.3_cl.6.1_f.abc",
        "'f.abc'",
        ["not an integer", "an integer in [1, 1024]"],
        None,
    ),
    ("cnn_in.256.256.3_cl.6.1_f.32_p.median", "'p.median'", ["not a choice", "max, avg"], None),
    ("cnn_in.256.256.3_cl.6.1_f.32_p.mx", "'p.mx'", ["not a choice", "did you mean 'max'"], None),
    ("cnn_in.256.256.3_cl.6.1_f.32_ld.1.5", "'ld.1.5'", ["less than 1", "[0.0, 1.0)"], None),
    ("cnn_in.256.256.3_cl.6.1_f.32_ld.abc", "'ld.abc'", ["not a number"], None),
    ("cnn_in.256.256.3_cl.6.1_f.32_ld.nan", "'ld.nan'", ["not a finite number"], None),
    ("cnn_in.256.256.3_cl.6.1_f.0", "'f.0'", ["greater than or equal to 1"], None),
    ("cnn_in.8.8.3_cl.1.1_f.32", "'in.8.8.3'", ["greater than or equal to 16"], None),
    ("cnn_in.256.256.9_cl.6.1_f.32", "'in.256.256.9'", ["less than or equal to 3"], None),
    ("cnn_in.64.64.3_cl.7.1_f.32", None, ["too small for 7 pooled blocks"], None),
    ("cnn_in.256.256.3_cl.6.1_f.32_f.16", "'f.16'", ["duplicate token", "'f.32'"], None),
    ("cnn_in.256.256.3_cl.6.1_f.32_bn.1", "'bn.1'", ["takes no value"], None),
    ("cnn_in.256.256.3_cl.6.1_f.", "'f.'", ["value missing"], None),
    (CNN + "__wc_XR_KNEE", "'XR_KNEE'", ["unknown body part", "XR_WRIST"], None),
    (CNN + "__wc_XR", "'XR'", ["incomplete"], None),
    (CNN + "__wc_wc", "'wc'", ["duplicate run token"], None),
    (CNN + "__wcc", "'wcc'", ["unknown run token"], "wc"),
    (CNN + "__", "'__'", ["empty run token"], None),
    (CNN + "__wc__aug", None, ["empty run token"], None),
    ("cnn_in.256.256.3__cl.6.1_f.32", None, ["unknown run token"], None),
    ("cnn_in.256.256.3_cl.6.1_f.32 ", "' '", ["stray character", "position 28"], None),
    ("cnn_in.256.256.3_cl.6.1_f.32;rm", "';'", ["stray character"], None),
    ("cnn_in.256.256.3__", None, ["empty run token"], None),
    ("cnn__in.256.256.3", None, ["unknown run token"], None),
    ("cnn_in.256.256.3_cl.6.1_f.32_", "'_'", ["empty token"], None),
    ("", None, ["empty"], None),
    ("densenet201_in.256.256.3_p.avg_mdp.0.2", None, ["needs an MLP head"], None),
    ("densenet201_in.16.16.3_p.avg", "'in.16.16.3'", ["greater than or equal to 32"], None),
    ("densenet201_in.256.256.3_p.avg_m.0", "'m.0'", ["greater than or equal to 1"], None),
]


@pytest.mark.parametrize(("name", "token", "words", "suggestion"), CASES)
def test_bad_names_explain_themselves(name, token, words, suggestion):
    with pytest.raises(InvalidNameError) as caught:
        registry.parse(name)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"invalid model name {name!r}: ")
    if token is not None:
        assert token in message
    for word in words:
        assert word in message, message
    if suggestion is not None:
        assert caught.value.suggestion == suggestion
        assert f"did you mean {suggestion!r}?" in message


def test_error_carries_structured_fields():
    with pytest.raises(InvalidNameError) as caught:
        registry.parse("cnn_in.256.256.3_cl.6.1_f.abc")
    error = caught.value
    assert error.token == "f.abc"
    assert error.expected == "an integer in [1, 1024]"
    assert error.name == "cnn_in.256.256.3_cl.6.1_f.abc"


def test_unknown_override_is_reported_before_building():
    with pytest.raises(InvalidNameError, match="unknown override 'colour'"):
        registry.build(CNN, colour="red")


def test_invalid_override_value_is_reported():
    with pytest.raises(InvalidNameError, match="greater than or equal to 16"):
        registry.build(CNN, input_shape=(8, 8, 3))
