"""Every registered family builds at a small input and runs one forward pass."""

from __future__ import annotations

import numpy as np
import pytest

import registry

SMALL = {
    "cnn": "cnn_in.32.32.1_cl.2.2_f.4_ck.3.3_bn_p.avg_ps.2.2_pstr.2.2_ld.0.1",
    "ffcnn": "ffcnn_in.32.32.3_cl.4.1_f.4_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_spdp.0.1",
}


def small_name(family: str) -> str:
    if family in SMALL:
        return SMALL[family]
    return f"{family}_in.32.32.3_p.max_tla.10_m.8_mdp.0.1"


@pytest.mark.parametrize("family", sorted(registry.families()))
def test_family_builds_and_predicts(family):
    name = small_name(family)
    options = {"weights": None} if "weights" in registry.get_family(family).options else {}
    model = registry.build(name, **options)
    assert model.name == registry.canonical(name)
    shape = registry.parse(name).spec.input_shape
    batch = np.random.default_rng(0).random((2, *shape), dtype=np.float32)
    out = np.asarray(model(batch, training=False))
    assert out.shape == (2, 1)
    assert np.all((out >= 0) & (out <= 1))


def test_ffcnn_concatenates_block_n_minus_2():
    model = registry.build(SMALL["ffcnn"])
    concat = model.get_layer("block3_concat")
    sources = {tensor._keras_history[0].name for tensor in concat.input}
    assert sources == {"block2_pool", "block3_skip_pool"}
    skip = model.get_layer("block3_skip_pool")
    assert skip.input._keras_history[0].name == "block1_pool"
    assert model.get_layer("block4_concat") is not None
    with pytest.raises(ValueError):
        model.get_layer("block2_concat")


def test_override_changes_the_name():
    model = registry.build(SMALL["cnn"], input_shape=(48, 48, 3), filters=2)
    assert model.name == "cnn_in.48.48.3_cl.2.2_f.2_ck.3.3_bn_p.avg_ps.2.2_pstr.2.2_ld.0.1"
    assert model.input_shape == (None, 48, 48, 3)


def test_weights_file_missing_is_a_clear_error(tmp_path):
    from mura_plugins.applications import WeightsUnavailableError

    with pytest.raises(WeightsUnavailableError, match="weights file not found"):
        registry.build("resnet50_in.32.32.3_p.avg", weights=str(tmp_path / "nope.h5"))


def test_imagenet_offline_without_cache_says_where_to_put_the_file(tmp_path, monkeypatch):
    from mura_plugins.applications import WeightsUnavailableError

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(
        "keras.src.utils.file_utils.urlretrieve",
        lambda *a, **k: (_ for _ in ()).throw(OSError("network unreachable")),
    )
    with pytest.raises(WeightsUnavailableError) as caught:
        registry.build("densenet201_in.64.64.3_p.avg")
    message = str(caught.value)
    assert "densenet201_weights_tf_dim_ordering_tf_kernels_notop.h5" in message
    assert str(tmp_path / "models") in message
    assert "\n" not in message


def test_imagenet_needs_three_channels():
    from mura_plugins.applications import WeightsUnavailableError

    with pytest.raises(WeightsUnavailableError, match="3 input channels"):
        registry.build("resnet50_in.64.64.1_p.avg", weights="imagenet")


def test_tla_past_the_last_layer_is_an_error():
    with pytest.raises(registry.BuildError, match="past the last layer"):
        registry.build("densenet121_in.32.32.3_p.avg_tla.5000", weights=None)
