"""Every registered family passes the conformance kit; family-specific figures."""

from __future__ import annotations

import pytest

import registry
from mura_core.conformance import check_family

SMALL_CNN = "cnn_in.32.32.1_cl.2.2_f.4_ck.3.3_bn_p.avg_ps.2.2_pstr.2.2_ld.0.1"


@pytest.mark.parametrize("family", sorted(registry.families()))
def test_family_conforms(family):
    """The checks of ``mura plugins check``: round trip, light imports, builds, counts drawn
    from the spec, one spelling per model, pins, reload, a step, a map to explain."""
    report = check_family(family)
    assert report.passed, str(report)
    statuses = {check.name: check.status for check in report.checks}
    assert statuses["explain_layer"] == "passed"  # every built-in family declares one
    assert statuses["parameter_count"] == "passed"
    assert statuses["fingerprint"] == "passed"  # every built-in family pins its examples
    assert statuses["imports_without_tensorflow"] == "passed"  # no check of the kit skipped
    assert statuses["one_spelling"] == "passed"


def test_ffcnn_concatenates_block_n_minus_2():
    model = registry.build(registry.get_family("ffcnn").test_example)
    concat = model.get_layer("block3_concat")
    sources = {tensor._keras_history[0].name for tensor in concat.input}
    assert sources == {"block2_pool", "block3_skip_pool"}
    skip = model.get_layer("block3_skip_pool")
    assert skip.input._keras_history[0].name == "block1_pool"
    assert model.get_layer("block4_concat") is not None
    with pytest.raises(ValueError):
        model.get_layer("block2_concat")


def test_override_changes_the_name():
    model = registry.build(SMALL_CNN, input_shape=(48, 48, 3), filters=2)
    assert model.name == "cnn_in.48.48.3_cl.2.2_f.2_ck.3.3_bn_p.avg_ps.2.2_pstr.2.2_ld.0.1"
    assert model.input_shape == (None, 48, 48, 3)


def test_weights_file_missing_is_a_clear_error(tmp_path):
    with pytest.raises(registry.WeightsUnavailableError, match="neither a file nor a known"):
        registry.build("resnet50_in.32.32.3_p.avg", weights=str(tmp_path / "nope.h5"))


def test_weights_file_that_does_not_fit_is_one_line(tmp_path):
    bad = tmp_path / "bad.weights.h5"
    bad.write_bytes(b"not an h5 file")
    with pytest.raises(registry.WeightsUnavailableError) as caught:
        registry.build("resnet50_in.32.32.3_p.avg", weights=str(bad))
    assert f"weights file {bad} could not be loaded into resnet50" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_imagenet_offline_without_cache_says_where_to_put_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(
        "keras.src.utils.file_utils.urlretrieve",
        lambda *a, **k: (_ for _ in ()).throw(OSError("network unreachable")),
    )
    with pytest.raises(registry.WeightsUnavailableError) as caught:
        registry.build("densenet201_in.64.64.3_p.avg")  # the family's default: imagenet
    message = str(caught.value)
    assert "densenet201_weights_tf_dim_ordering_tf_kernels_notop.h5" in message
    assert str(tmp_path / "models") in message
    assert "\n" not in message


def test_imagenet_needs_three_channels_and_says_the_fix():
    with pytest.raises(registry.WeightsUnavailableError) as caught:
        registry.build("resnet50_in.64.64.1_p.avg", weights="imagenet")
    assert "need 3 input channels, the name asks for 1; write in.H.W.3" in str(caught.value)
    assert "--pretrained none" in str(caught.value)


def test_weights_for_a_family_without_pretrained_weights_are_refused():
    with pytest.raises(registry.BuildError, match="family 'cnn' takes no pretrained weights"):
        registry.build(SMALL_CNN, weights="imagenet")
    assert registry.build(SMALL_CNN, weights=None).name == SMALL_CNN


def test_tla_past_the_last_layer_is_an_error():
    with pytest.raises(registry.BuildError, match="past the last layer"):
        registry.build("densenet121_in.32.32.3_p.avg_tla.5000", weights=None)


def test_a_model_too_large_is_refused_before_building(monkeypatch):
    name = "cnn_in.4096.4096.3_cl.1.1_f.1024_ps.1.1_pstr.1.1"
    estimate = registry.parse(name).family.estimate_parameters(registry.parse(name).spec)
    monkeypatch.setenv("MURA_MAX_PARAMETERS", str(estimate - 1))
    with pytest.raises(registry.BuildError) as caught:
        registry.build(name)
    assert f"would have {estimate:,} parameters" in str(caught.value)
    assert "MURA_MAX_PARAMETERS" in str(caught.value)
