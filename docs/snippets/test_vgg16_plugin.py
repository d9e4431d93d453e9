"""Tests of the example VGG16 family plugin, as the plugin author's guide shows them.

The test suite runs this file with ``examples/mura-vgg16-plugin`` importable, so the
guide's testing section is known to work.
"""

from __future__ import annotations

import argparse
import json
from typing import Annotated, Any

import mura_vgg16
import pytest
from pydantic import Field

import registry
from mura_core.conformance import assert_family_conforms
from registry import Family, FamilySpec, Preset, Registry, Token, hookimpl

NAME = "vgg16_in.64.64.3_p.avg_ld.0.5"


@pytest.fixture
def vgg16_registry() -> Registry:
    """A private registry holding only the plugin under test."""
    reg = Registry(autoload=False)  # no entry points: independent of what is installed
    reg.register_plugin(mura_vgg16, name="vgg16")
    return reg


def test_names_round_trip(vgg16_registry: Registry) -> None:
    assert vgg16_registry.canonical(NAME) == NAME
    assert (
        vgg16_registry.canonical("vgg16_p.max_in.64.64.3") == "vgg16_in.64.64.3_p.max"
    )
    parsed = vgg16_registry.parse(NAME + "__wc_aug")
    assert parsed.spec.dropout == 0.5 and parsed.run.augment


def test_bad_names_are_explained(vgg16_registry: Registry) -> None:
    with pytest.raises(registry.InvalidNameError, match="'ld.1.5'"):
        vgg16_registry.parse("vgg16_in.64.64.3_ld.1.5")
    with pytest.raises(registry.InvalidNameError, match="did you mean 'vgg16'"):
        vgg16_registry.parse("vgg61_in.64.64.3")


def test_builds_without_pretrained_weights(vgg16_registry: Registry) -> None:
    model = vgg16_registry.build(NAME, weights=None)  # never download in tests
    assert model.name == NAME
    assert model.output_shape == (None, 1)
    built = [(layer.name, layer.output.shape[1:], layer.count_params())
             for layer in model.layers if layer.count_params()]  # fmt: skip
    assert built == mura_vgg16.layer_table(
        vgg16_registry.parse(NAME).spec
    )  # vgg16-info's table


def test_adds_the_vgg16_info_command(capsys) -> None:
    """A command runs in the process-wide registry, as ``mura`` does: register it for
    one test."""
    plugin_name = registry.get_registry().register_plugin(mura_vgg16, name="vgg16-test")
    try:
        parser = argparse.ArgumentParser(prog="mura")
        registry.commands()["vgg16-info"].add(parser.add_subparsers())
        args = parser.parse_args(["vgg16-info", NAME, "--json"])
        assert args.func(args) == 0
    finally:
        registry.get_registry().unregister_plugin(plugin_name)
    table = json.loads(capsys.readouterr().out)
    assert table["layers"][-1] == {
        "layer": "output",
        "output_shape": [1],
        "parameters": 513,
    }
    assert table["total"] == 14_714_688 + 513


def test_presets_are_canonical(vgg16_registry: Registry) -> None:
    assert vgg16_registry.list_models(tag="demo") == [
        "vgg16_in.256.256.3_p.avg_ld.0.5__wc_aug"
    ]


def test_passes_the_conformance_kit(vgg16_registry: Registry) -> None:
    """The same checks the built-in families pass (``mura plugins check vgg16``)."""
    assert_family_conforms("vgg16", registry=vgg16_registry)


def test_offline_imagenet_weights_fail_in_one_line(
    vgg16_registry, tmp_path, monkeypatch
):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # an empty Keras cache
    monkeypatch.setattr(
        "keras.src.utils.file_utils.urlretrieve",
        lambda *a, **k: (_ for _ in ()).throw(OSError("network unreachable")),
    )
    with pytest.raises(registry.WeightsUnavailableError) as caught:
        vgg16_registry.build(NAME)  # the family's default source: imagenet
    assert mura_vgg16.WEIGHTS_FILE in str(caught.value)
    assert str(tmp_path / "models") in str(caught.value)


class TinySpec(FamilySpec):
    """A family defined inside a test."""

    input_shape: Annotated[
        tuple[int, int, int], Token("in", "input height.width.channels")
    ]
    units: Annotated[int, Field(ge=1, le=64), Token("u", "hidden units")] = 8


class TinyPlugin:
    """A plugin object: any object with ``@hookimpl`` methods named after hooks."""

    @hookimpl
    def register_families(self, register: Any) -> None:
        register(
            Family("tiny", TinySpec, build_tiny, "a tiny MLP", "tiny_in.8.8.1_u.8")
        )

    @hookimpl
    def register_presets(self, register: Any) -> None:
        register(Preset("tiny_in.8.8.1_u.4", alias="tiny4", tags=("test",)))


def build_tiny(spec: TinySpec) -> Any:
    import keras

    inputs = keras.Input(spec.input_shape)
    x = keras.layers.Flatten()(inputs)
    x = keras.layers.Dense(spec.units, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))


def test_plugin_in_the_process_registry() -> None:
    """Register in the process-wide registry for one test, and always unregister."""
    plugin_name = registry.get_registry().register_plugin(
        TinyPlugin(), name="tiny-test"
    )
    try:
        assert "tiny" in registry.families()
        assert registry.list_models(tag="test") == ["tiny_in.8.8.1_u.4"]
        assert registry.canonical("tiny4") == "tiny_in.8.8.1_u.4"
        assert registry.build("tiny4").count_params() == 8 * 8 * 4 + 4 + 4 + 1
    finally:
        registry.get_registry().unregister_plugin(plugin_name)
    assert "tiny" not in registry.families()
