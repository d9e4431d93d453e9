"""Names with ``bnm`` build models whose batch-norm layers use that momentum; a plugin
family gets the same by declaring a :data:`registry.BatchNormMomentum` field."""

from __future__ import annotations

from typing import Annotated, Any

import pytest

import registry
from registry import BatchNormMomentum, Family, FamilySpec, Registry, Token, hookimpl


def momenta(model: Any) -> set[float]:
    return {layer.momentum for layer in registry.batch_norm_layers(model)}


@pytest.mark.parametrize(
    "name",
    [
        "cnn_in.32.32.1_cl.2.1_f.4_bn_bnm.0.9_p.max",
        "ffcnn_in.32.32.3_cl.3.1_f.4_bn_bnm.0.9_p.max",
        "densenet121_in.32.32.3_p.avg_bnm.0.9",
    ],
)
def test_every_batch_norm_layer_takes_the_momentum(name: str) -> None:
    options = {"weights": None} if name.startswith("densenet") else {}
    assert momenta(registry.build(name, **options)) == {0.9}


def test_the_momentum_changes_no_weight_and_survives_reloading(tmp_path) -> None:
    name = "cnn_in.32.32.1_cl.2.1_f.4_bn_bnm.0.9_p.max"
    model, default = registry.build(name), registry.build(name.replace("_bnm.0.9", ""))
    assert momenta(default) == {registry.KERAS_MOMENTUM}
    assert [w.shape for w in model.weights] == [w.shape for w in default.weights]
    model.save_weights(tmp_path / "bnm.weights.h5")
    reloaded = registry.build(name)
    reloaded.load_weights(tmp_path / "bnm.weights.h5")
    assert momenta(reloaded) == {0.9}


class TinySpec(FamilySpec):
    """A plugin family with batch norm."""

    input_shape: Annotated[tuple[int, int, int], Token("in", "input shape")] = (16, 16, 1)
    batch_norm_momentum: BatchNormMomentum = None


def build_tiny(spec: TinySpec) -> Any:
    import keras

    inputs = keras.Input(spec.input_shape)
    x = keras.layers.BatchNormalization()(keras.layers.Flatten()(inputs))
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))


class TinyPlugin:
    @hookimpl
    def register_families(self, register: Any) -> None:
        register(Family(name="tinybn", spec=TinySpec, builder=build_tiny, summary="tiny",
                        example="tinybn_in.16.16.1"))  # fmt: skip


def test_a_plugin_family_declares_the_token_and_the_registry_applies_it() -> None:
    own = Registry(autoload=False)
    own.register_plugin(TinyPlugin(), name="tinybn-under-test")
    assert own.canonical("tinybn_in.16.16.1_bnm.0.99") == "tinybn_in.16.16.1"
    assert momenta(own.build("tinybn_in.16.16.1_bnm.0.8")) == {0.8}
