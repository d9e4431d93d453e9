"""Every preset builds the architecture the package pins; a change is named in one line."""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from pydantic import Field

import registry
from mura_core.cli import main
from mura_core.conformance import check_family
from mura_core.conformance.pins import pin_problems, pinned_names, write_pins
from mura_plugins.pins import pins_file
from registry import Family, FamilySpec, Registry, Token, hookimpl

#: Every preset's model name, with its family (several presets share a model name).
PRESET_MODELS = sorted(
    {
        registry.parse(name).model_name: registry.parse(name).family.name
        for name in registry.presets()
    }.items()
)


@pytest.mark.parametrize(("name", "family"), PRESET_MODELS, ids=[name for name, _ in PRESET_MODELS])
def test_every_preset_builds_its_pinned_architecture(name, family):
    """Full-size presets, built with their weights left uninitialised (shapes only)."""
    assert pin_problems(registry.get_family(family), [name], registry.get_registry()) == []


def test_every_built_in_family_pins_its_examples_and_presets():
    reg = registry.get_registry()
    for family in reg.families().values():
        pinned = json.loads(family.pins.read_text(encoding="utf-8"))
        assert sorted(pinned) == sorted(pinned_names(family, reg)), family.name


def test_pin_writes_what_the_package_ships(tmp_path, capsys):
    output = tmp_path / "pins.json"
    assert main(["plugins", "pin", "ffcnn", "--output", str(output)]) == 0
    assert capsys.readouterr().out == f"ffcnn: 2 name(s) pinned in {output}\n"
    assert output.read_text(encoding="utf-8") == pins_file("ffcnn").read_text(encoding="utf-8")


def test_pin_refuses_an_unknown_family_in_one_line(tmp_path, capsys):
    assert main(["plugins", "pin", "cnm", "--output", str(tmp_path / "p.json")]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "mura: error: unknown family 'cnm'; did you mean 'cnn'?"
    ]
    assert not (tmp_path / "p.json").exists()


class DenseSpec(FamilySpec):
    input_shape: Annotated[tuple[int, int, int], Token("in", "input shape")]
    units: Annotated[int, Field(ge=1, le=64), Token("u", "hidden units")] = 4


def dense_family(builder: Any, pins: Any) -> Registry:
    """A private registry holding one small family, ``dense``."""

    class Plugin:
        @hookimpl
        def register_families(self, register: Any) -> None:
            register(Family("dense", DenseSpec, builder, "a small MLP", "dense_in.8.8.1_u.4",
                            pins=pins))  # fmt: skip

    reg = Registry(autoload=False)
    reg.register_plugin(Plugin(), name="dense-plugin")
    return reg


def build_dense(spec: DenseSpec, *, extra: bool = False) -> Any:
    import keras

    inputs = keras.Input(spec.input_shape)
    x = keras.layers.Flatten()(inputs)
    x = keras.layers.Dense(spec.units + extra, activation="relu", name="hidden")(x)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid", name="output")(x))


def fingerprint_check(reg: Registry) -> tuple[str, str]:
    (check,) = check_family("dense", registry=reg, checks=["fingerprint"]).checks
    return check.status, check.detail


def test_a_builder_change_fails_the_check_naming_the_layer(tmp_path):
    pins = tmp_path / "dense.json"
    write_pins(pins, ["dense"], registry=dense_family(build_dense, pins))
    assert fingerprint_check(dense_family(build_dense, pins)) == (
        "passed",
        "1 example(s) build their pinned architecture",
    )
    changed = dense_family(lambda spec: build_dense(spec, extra=True), pins)
    assert fingerprint_check(changed) == (
        "failed",
        "dense_in.8.8.1_u.4 builds another model than pinned: parameters 265 -> 331; "
        "trainable parameters 265 -> 331; layer 3 was 'hidden: 64x4, 4', is 'hidden: 64x5, 5'",
    )


def test_a_family_without_pins_is_skipped_with_how_to_pin():
    assert fingerprint_check(dense_family(build_dense, None)) == (
        "skipped",
        "no pinned architectures: write them with `mura plugins pin dense --output FILE` "
        "and declare Family(pins=FILE)",
    )


def test_unreadable_or_missing_pins_fail_in_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    status, detail = fingerprint_check(dense_family(build_dense, bad))
    assert status == "failed" and detail.startswith(
        f"MuraError: the pins of family 'dense' ({bad}) cannot be read: JSONDecodeError"
    )
    status, detail = fingerprint_check(dense_family(build_dense, {}))
    assert (status, detail) == (
        "failed",
        "dense_in.8.8.1_u.4 is not pinned; pin it with `mura plugins pin dense`",
    )


def test_pins_of_another_kind_are_the_plugins_load_failure():
    reg = dense_family(build_dense, 42)
    assert "dense" not in reg.families()
    (info,) = reg.plugins()
    assert info.status == "failed"
    assert info.error.startswith("family 'dense': pins must be a JSON file")
