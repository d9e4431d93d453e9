"""Names of the report parse, format back to themselves, and carry their run options."""

from __future__ import annotations

import pytest

import registry
from registry import InvalidNameError, RunOptions

REPORT_NAMES = [
    "cnn_in.256.256.3_cl.6.1_f.32_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25",
    "cnn_in.256.256.3_cl.6.1_f.32_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_spdp.0.25",
    "densenet201_in.256.256.3_p.avg",
    "densenet201_in.256.256.3_p.avg_tla.606",
    "densenet201_in.256.256.3_p.avg_tla.690",
    "densenet201_in.256.256.3_p.avg_tla.606_m.512.512_mdp.0.25",
]


@pytest.mark.parametrize("name", REPORT_NAMES)
def test_report_names_round_trip(name):
    parsed = registry.parse(name)
    assert parsed.full_name == name
    assert parsed.model_name == name
    assert parsed.run is None


def test_cnn_tokens_land_in_fields():
    spec = registry.parse(REPORT_NAMES[0]).spec
    assert spec.input_shape == (256, 256, 3)
    assert spec.conv_layers == (6, 1)
    assert spec.filters == 32
    assert spec.kernel == (3, 3)
    assert spec.batch_norm is True
    assert spec.pooling == "max"
    assert spec.dropout == 0.25
    assert spec.spatial_dropout is None


def test_densenet_tokens_land_in_fields():
    spec = registry.parse(REPORT_NAMES[-1]).spec
    assert spec.trainable_after == 606
    assert spec.mlp == (512, 512)
    assert spec.mlp_dropout == 0.25


@pytest.mark.parametrize(
    ("name", "model", "run"),
    [
        (
            REPORT_NAMES[0] + "__wc_aug_XR_WRIST",
            REPORT_NAMES[0],
            RunOptions(weight_classes=True, augment=True, body_part="XR_WRIST"),
        ),
        (
            "densenet201_in.256.256.3_p.avg__wc_aug",
            "densenet201_in.256.256.3_p.avg",
            RunOptions(weight_classes=True, augment=True),
        ),
        (
            REPORT_NAMES[-1] + "_wc_aug",  # the report's single-underscore form
            REPORT_NAMES[-1],
            RunOptions(weight_classes=True, augment=True),
        ),
        (REPORT_NAMES[2] + "_XR_HAND", REPORT_NAMES[2], RunOptions(body_part="XR_HAND")),
        (REPORT_NAMES[2] + "__aug", REPORT_NAMES[2], RunOptions(augment=True)),
    ],
)
def test_run_suffix_parses_separately(name, model, run):
    parsed = registry.parse(name)
    assert parsed.model_name == model
    assert parsed.run == run
    assert registry.parse(parsed.model_name).run is None
    assert parsed.full_name == f"{model}__{run.suffix}"
    assert registry.parse(parsed.full_name) == parsed


def test_canonical_orders_tokens_and_fills_defaults():
    shuffled = "cnn_f.32_cl.6.1_in.256.256.3_bn_ld.0.250_wc"
    assert registry.canonical(shuffled) == (
        "cnn_in.256.256.3_cl.6.1_f.32_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25__wc"
    )


def test_run_suffix_order_is_canonical():
    name = REPORT_NAMES[2] + "__XR_WRIST_aug_wc"
    assert registry.canonical(name) == REPORT_NAMES[2] + "__wc_aug_XR_WRIST"


def test_format_name_from_flags():
    run = RunOptions(weight_classes=True, body_part="XR_ELBOW")
    assert registry.format_name("cnn_x", run) == "cnn_x__wc_XR_ELBOW"
    assert registry.format_name("cnn_x", RunOptions()) == "cnn_x"
    assert registry.format_name("cnn_x", None) == "cnn_x"


def test_preset_alias_resolves_to_its_name():
    parsed = registry.parse("report_densenet201_tla606_mlp")
    assert parsed.full_name == REPORT_NAMES[-1] + "__wc_aug"


def test_body_parts_are_murás_seven():
    assert registry.BODY_PARTS == (
        "XR_ELBOW",
        "XR_FINGER",
        "XR_FOREARM",
        "XR_HAND",
        "XR_HUMERUS",
        "XR_SHOULDER",
        "XR_WRIST",
    )


def test_invalid_name_is_a_value_error():
    with pytest.raises(ValueError):
        registry.parse("nope")
    assert issubclass(InvalidNameError, registry.RegistryError)
