"""Registry queries: families, list_models with patterns and tags, presets, describe."""

from __future__ import annotations

import pytest

import registry

CNN6 = "cnn_in.256.256.3_cl.6.1_f.32_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"


def test_builtin_families_are_registered_by_their_plugins():
    families = registry.families()
    for name in ("cnn", "ffcnn", "densenet201", "resnet50", "resnet152v2"):
        assert name in families
    assert families["cnn"].plugin == "cnn"
    assert families["densenet201"].plugin == "densenet"
    assert families["densenet201"].preprocessing == "torch"
    assert families["resnet50"].preprocessing == "caffe"
    assert families["cnn"].preprocessing == "unit"


def test_list_models_by_family_pattern_and_tag():
    dense = registry.list_models(family="densenet201")
    assert "densenet201_in.256.256.3_p.avg" in dense
    assert all(name.startswith("densenet201_") for name in dense)
    assert registry.list_models("densenet*", tag="seed") == sorted(
        name for name in dense if name.endswith("__wc_aug")
    )
    assert registry.list_models("resnet*", family="resnet5*") == [
        "resnet50_in.256.256.3_p.avg",
        "resnet50v2_in.256.256.3_p.avg",
    ]
    assert registry.list_models("nothing-matches-*") == []


def test_list_models_matches_aliases():
    assert registry.list_models("report_cnn6_wc_aug") == [CNN6 + "__wc_aug"]


def test_seed_presets_answer_what_the_report_trained():
    seed = registry.list_models(tag="seed")
    cnn_blocks = {registry.parse(n).spec.conv_layers[0] for n in seed if n.startswith("cnn_")}
    assert cnn_blocks == {3, 4, 5, 6}
    spatial = [n for n in seed if "_spdp." in n]
    assert len(spatial) == 4
    best = registry.get_registry().preset(CNN6 + "__wc_aug")
    assert best.metrics["kappa"] == pytest.approx(0.5275)
    assert best.metrics["auc"] == pytest.approx(0.8317)
    dense = registry.get_registry().preset("report_densenet201_tla606_mlp")
    assert dense.metrics == {"loss": 0.4570, "auc": 0.8596, "accuracy": 0.8008, "kappa": 0.5978}
    assert "test set" in dense.metrics_source


def test_describe_without_building():
    info = registry.describe("report_cnn6_wc_aug_wrist")
    assert info["name"] == CNN6
    assert info["family"] == "cnn"
    assert info["run"] == {
        "weight_classes": True,
        "augment": True,
        "body_part": "XR_WRIST",
        "seed": 0,
    }
    assert info["config"]["in"] == [256, 256, 3]
    assert info["config"]["bn"] is True
    assert info["preset"]["metrics"]["kappa"] == pytest.approx(0.5247)
    tokens = {t["token"]: t for t in info["tokens"]}
    assert tokens["f"]["value"] == 32 and tokens["f"]["field"] == "filters"


def test_unknown_family_lookup():
    with pytest.raises(registry.UnknownModelError, match="did you mean 'cnn'"):
        registry.get_family("cnm")
