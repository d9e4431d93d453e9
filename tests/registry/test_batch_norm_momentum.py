"""The ``bnm`` token: one spelling per model, refused without batch norm, in every BN family."""

from __future__ import annotations

import pytest

import registry

NAMES = [
    "cnn_in.32.32.1_cl.2.1_f.4_ck.3.3_bn_bnm.0.9_p.max_ps.2.2_pstr.2.2",
    "ffcnn_in.32.32.3_cl.4.1_f.4_ck.3.3_bn_bnm.0.5_p.max_ps.2.2_pstr.2.2_spdp.0.1",
    "densenet121_in.32.32.3_p.avg_bnm.0.9",
    "densenet201_in.256.256.3_p.avg_tla.606_m.512.512_mdp.0.25_bnm.0.97",
    "resnet50_in.64.64.3_p.max_bnm.0.95",
    "resnet152v2_in.64.64.3_p.avg_bnm.0.001",
]


@pytest.mark.parametrize("name", NAMES)
def test_the_momentum_round_trips(name: str) -> None:
    parsed = registry.parse(name)
    assert parsed.model_name == registry.canonical(name) == name
    assert parsed.spec.batch_norm_momentum == float(name.split("bnm.")[1].split("_")[0])


@pytest.mark.parametrize("name", NAMES)
def test_keras_default_momentum_is_written_as_absent(name: str) -> None:
    default = name.replace(name.split("bnm.")[1].split("_")[0], "0.99")
    without = default.replace("_bnm.0.99", "")
    assert registry.canonical(default) == registry.canonical(without) == without
    assert registry.parse(default).spec.batch_norm_momentum is None


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        (
            "cnn_in.32.32.1_cl.2.1_f.4_bnm.0.9",
            "bnm (batch-norm momentum) needs batch normalisation",
        ),
        ("cnn_in.32.32.1_cl.2.1_f.4_bn_bnm.1", "token 'bnm.1': input should be less than 1"),
        ("resnet50_in.64.64.3_bnm.0", "token 'bnm.0': input should be greater than 0"),
    ],
)
def test_bad_momentum_is_a_one_line_error(name: str, fragment: str) -> None:
    with pytest.raises(registry.InvalidNameError) as error:
        registry.parse(name)
    assert fragment in str(error.value) and "\n" not in str(error.value)
