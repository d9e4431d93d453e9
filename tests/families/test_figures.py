"""The report's parameter figures, built from names with no pretrained weights."""

from __future__ import annotations

import numpy as np
import pytest

import registry

CNN6 = "cnn_in.256.256.3_cl.6.1_f.32_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"


def trainable(model) -> int:
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def test_report_cnn_has_6308609_trainable_parameters():
    model = registry.build(CNN6)
    assert model.name == CNN6
    assert trainable(model) == 6_308_609
    assert model.input_shape == (None, 256, 256, 3)
    assert model.output_shape == (None, 1)
    assert model.layers[-1].activation.__name__ == "sigmoid"


def test_spatial_dropout_variant_has_spatial_dropout_layers():
    model = registry.build(CNN6.replace("ld.0.25", "spdp.0.25"))
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("SpatialDropout2D") == 6
    assert "Dropout" not in kinds
    assert trainable(model) == 6_308_609


@pytest.fixture(scope="module")
def densenet_frozen():
    return registry.build("densenet201_in.256.256.3_p.avg", weights=None)


def test_frozen_densenet201_trains_only_the_output(densenet_frozen):
    assert trainable(densenet_frozen) == 1_921
    assert densenet_frozen.layers[-1].name == "output"


def test_tla_606_trains_from_conv5_block19():
    model = registry.build("densenet201_in.256.256.3_p.avg_tla.606", weights=None)
    names = [layer.name for layer in model.layers]
    first = names.index("conv5_block19_0_bn")
    assert first == 607
    assert all(not layer.trainable for layer in model.layers[:first] if layer.weights)
    assert all(layer.trainable for layer in model.layers[first:])
    assert model.get_layer("conv5_block18_2_conv").trainable is False
    assert model.get_layer("conv5_block32_2_conv").trainable is True


def test_mlp_head_adds_dense_and_dropout_twice():
    model = registry.build(
        "densenet201_in.256.256.3_p.avg_tla.606_m.512.512_mdp.0.25", weights=None
    )
    head = model.layers[-5:]
    assert [type(layer).__name__ for layer in head] == [
        "Dense",
        "Dropout",
        "Dense",
        "Dropout",
        "Dense",
    ]
    assert [head[0].units, head[2].units, head[4].units] == [512, 512, 1]
    assert head[0].activation.__name__ == "relu"
    assert head[1].rate == 0.25 and head[3].rate == 0.25
    # 1920*512+512 + 512*512+512 + 512+1 on top of the tla.606 backbone
    frozen = registry.build("densenet201_in.256.256.3_p.avg_tla.606", weights=None)
    assert (
        trainable(model) - trainable(frozen) == (1920 * 512 + 512) + (512 * 512 + 512) + 512 - 1920
    )
