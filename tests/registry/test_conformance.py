"""The conformance kit: a broken family fails it with a clear report; the CLI's JSON."""

from __future__ import annotations

import json
from typing import Annotated

import pytest
from pydantic import Field

from mura_core.conformance import assert_family_conforms, check_family
from mura_core.conformance.checks import malformed_names
from registry import Family, FamilySpec, Registry, Token, hookimpl


class BrokenSpec(FamilySpec):
    input_shape: Annotated[tuple[int, int, int], Token("in", "input shape")]
    width: Annotated[int, Field(ge=1, le=8), Token("w", "units")] = 2


def build_broken(spec: BrokenSpec):
    import keras

    inputs = keras.Input((spec.input_shape[0], spec.input_shape[1], 3))  # ignores channels
    x = keras.layers.GlobalAveragePooling2D()(inputs)
    return keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x))  # two outputs


class BrokenPlugin:
    @hookimpl
    def register_families(self, register):
        register(
            Family("broken", BrokenSpec, build_broken, "a family that breaks its contract",
                   "broken_in.16.16.1_w.2", explain_layer="no_such_layer",
                   parameter_count=lambda spec: 12345)
        )  # fmt: skip


@pytest.fixture
def broken_registry() -> Registry:
    reg = Registry(autoload=False)
    reg.register_plugin(BrokenPlugin(), name="broken-plugin")
    return reg


def test_a_broken_family_fails_with_a_clear_report(broken_registry):
    report = check_family("broken", registry=broken_registry)
    assert not report.passed
    status = {check.name: (check.status, check.detail) for check in report.checks}
    assert status["round_trip"][0] == "passed"
    assert status["malformed_rejected"][0] == "passed"
    assert status["example_builds"] == ("failed", "input shape (16, 16, 3), the family declares "
                                        "(16, 16, 1)")  # fmt: skip
    assert status["parameter_count"] == (
        "failed",
        "the declared estimate is 12,345, the build has 8",
    )
    assert status["explain_layer"] == (
        "failed",
        "the declared explain layer 'no_such_layer' is not in the model",
    )
    with pytest.raises(AssertionError, match="broken \\(broken-plugin\\): FAILED"):
        assert_family_conforms("broken", registry=broken_registry)


def test_malformed_variants_cover_every_kind_of_mistake(broken_registry):
    variants = malformed_names(broken_registry, "broken_in.16.16.1_w.2")
    assert "" in variants and "broken_in.16.16.1_w.2/" in variants
    assert "broken_in.16.16.1_w.2_zzzz.1" in variants  # unknown token
    assert "broken_in.16.16.1_w.2_in.16.16.1" in variants  # duplicate
    assert "broken_w.2" in variants  # missing required token
    assert "broken_in.16.16.1_w.x" in variants  # wrong type


def test_plugins_check_json_and_exit_status(cli, plugin_site):
    env = plugin_site(
        "lying_plugin",
        """
        from typing import Annotated
        from mura_plugins.cnn import CNNSpec, build_cnn
        from registry import Family, hookimpl

        @hookimpl
        def register_families(register):
            register(Family("liar", CNNSpec, build_cnn, "wrong parameter estimate",
                            "liar_in.32.32.1_cl.1.1_f.2_ck.3.3_p.max_ps.2.2_pstr.2.2",
                            parameter_count=lambda spec: 1))
        """,
        distribution="mura-liar",
        version="0.1",
    )
    result = cli("plugins", "check", "cnn", "liar", "--json", env=env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == "mura: conformance failed for liar"
    cnn, liar = json.loads(result.stdout)
    assert cnn["passed"] and cnn["distribution"] == "mura-registry" and cnn["plugin"] == "cnn"
    assert {check["name"] for check in cnn["checks"]} >= {
        "round_trip", "train_step", "imports_without_tensorflow", "one_spelling"
    }
    assert not liar["passed"] and liar["distribution"] == "mura-liar"
    failed = [check for check in liar["checks"] if not check["passed"]]
    assert [check["name"] for check in failed] == ["parameter_count"]
    explain = next(check for check in liar["checks"] if check["name"] == "explain_layer")
    assert explain["status"] == "skipped" and explain["passed"]
