"""The kit's stricter checks: each fails on a family built to break it, with the fix.

Every built-in family passes them (``tests/families/test_build_all.py``). The families
here are tiny, and each test runs only the checks it needs.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import pytest
from pydantic import Field

from mura_core.conformance import check_family
from registry import Family, FamilySpec, Registry, Token, hookimpl


class TinySpec(FamilySpec):
    input_shape: Annotated[tuple[int, int, int], Token("in", "input shape")]
    filters: Annotated[int, Field(ge=1, le=8), Token("f", "filters")] = 2
    dropout: Annotated[float | None, Field(ge=0.0, lt=1.0), Token("dr", "dropout")] = None


class OffSpec(TinySpec):
    dropout: Annotated[float | None, Field(ge=0.0, lt=1.0), Token("dr", "dropout", off=0.0)] = None


def build_tiny(spec: TinySpec):
    """Conv, then pooling by 8 (the explain layer), dropout when set, a sigmoid output."""
    import keras

    inputs = keras.Input(spec.input_shape)
    x = keras.layers.Conv2D(spec.filters, 3, padding="same", name="conv")(inputs)
    x = keras.layers.MaxPooling2D(8, name="pooled")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    if spec.dropout:
        x = keras.layers.Dropout(spec.dropout)(x)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid", name="output")(x))


def grayscale_only_count(spec: TinySpec) -> int:
    """Right for one input channel only: the conv's kernel is counted as 3 x 3 x 1."""
    return 3 * 3 * 1 * spec.filters + spec.filters + spec.filters + 1


def tiny_count(spec: TinySpec) -> int:
    channels = spec.input_shape[2]
    return 3 * 3 * channels * spec.filters + spec.filters + spec.filters + 1


def private_registry(**declared) -> Registry:
    """A registry holding only the family ``tiny`` (declarations overridden by ``declared``)."""
    declared = {"spec": OffSpec, "example": "tiny_in.64.64.1_f.2", "explain_layer": "pooled",
                "parameter_count": tiny_count, **declared}  # fmt: skip
    family = Family(name="tiny", builder=build_tiny, summary="a tiny family", **declared)

    class Plugin:
        @hookimpl
        def register_families(self, register):
            register(family)

    reg = Registry(autoload=False)
    reg.register_plugin(Plugin(), name="tiny-plugin")
    return reg


def statuses(reg: Registry, *checks: str) -> dict[str, tuple[str, str]]:
    report = check_family("tiny", registry=reg, checks=["example_builds", *checks])
    return {check.name: (check.status, check.detail) for check in report.checks}


def test_a_map_smaller_than_4x4_at_the_example_size_fails_and_says_the_size_needed():
    small = statuses(private_registry(example="tiny_in.16.16.1_f.2"), "explain_layer")
    assert small["explain_layer"] == ("failed", (
        "explain layer 'pooled' gives a map of 2x2 at the example's input 16x16; Grad-CAM needs "
        "at least 4x4: explain an earlier layer, or give the example an input of about 32x32 "
        "or more"))  # fmt: skip
    large = statuses(private_registry(), "explain_layer")
    assert large["explain_layer"] == (
        "passed",
        "explain layer 'pooled': a map of 8x8 at the example's input 64x64",
    )


def test_an_estimate_right_for_one_channel_count_only_fails():
    wrong = statuses(private_registry(parameter_count=grayscale_only_count), "parameter_count")
    status, detail = wrong["parameter_count"]
    assert status == "failed"
    assert detail.startswith("tiny_in.64.64.3_") and ": the declared estimate is " in detail
    right = statuses(private_registry(), "parameter_count")
    assert right["parameter_count"][0] == "passed"
    assert right["parameter_count"][1].endswith("names drawn from the spec (channels 1, 3)")


def test_zero_and_absence_as_two_names_of_one_model_fail_with_the_fix():
    twice = statuses(private_registry(spec=TinySpec), "one_spelling")
    assert twice["one_spelling"] == ("failed", (
        "tiny_in.64.64.1_f.2_dr.0 and tiny_in.64.64.1_f.2 are one model with two canonical names "
        "(token 'dr' at its 'off' value, and absent): declare Token('dr', ..., off=0.0) so that "
        "it is written as absent, or bound it with Field(gt=0.0)"))  # fmt: skip
    once = statuses(private_registry(), "one_spelling")
    assert once["one_spelling"][0] == "passed"


HEAVY_PLUGIN = """
    import keras  # at module level: every mura command would start TensorFlow
    from registry import Family, hookimpl
    from tests.registry.test_strict_kit import OffSpec, build_tiny

    @hookimpl
    def register_families(register):
        register(Family("tiny", OffSpec, build_tiny, "imports Keras", "tiny_in.64.64.1_f.2"))
"""

LIGHT_PLUGIN = HEAVY_PLUGIN.replace("    import keras  # at module level", "    # no Keras")


@pytest.mark.parametrize("source", [HEAVY_PLUGIN, LIGHT_PLUGIN], ids=["heavy", "light"])
def test_a_plugin_module_importing_tensorflow_fails(plugin_site, monkeypatch, source):
    env = plugin_site("mura_heavy", source, distribution="mura-heavy")
    monkeypatch.syspath_prepend(env["PYTHONPATH"].split(os.pathsep)[0])  # the site folder
    monkeypatch.delitem(sys.modules, "mura_heavy", raising=False)
    monkeypatch.setenv("MURA_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("MURA_PLUGINS", "mura_heavy")
    report = check_family("tiny", registry=Registry(), checks=["imports_without_tensorflow"])
    (check,) = report.checks
    if source is LIGHT_PLUGIN:
        assert (check.status, check.detail) == (
            "passed",
            "importing mura_heavy, tests.registry.test_strict_kit imports no TensorFlow",
        )
        return
    assert (check.status, check.detail) == ("failed", (
        "importing mura_heavy imports TensorFlow (line 2: import keras  # at module level: every "
        "mura command would start TensorFlow); import Keras inside the builder, when a model is "
        "built"))  # fmt: skip
