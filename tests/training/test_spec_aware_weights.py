"""Weights declared per name: a third-party family whose input field is ``res`` and whose
ImageNet weights fit 3 channels only trains, sweeps and ensembles in grayscale without
``--pretrained none``; what a run would refuse is refused, one line each, before any
run starts or any folder is written."""

from __future__ import annotations

import json
import types

import pytest

import registry
from mura_core.errors import InputProblems, MuraError
from registry import Family, Pretrained, WeightsUnavailableError, loading_weights

#: A plugin module with two families on a ``res.H.W.C`` input field: ``gray`` starts from
#: ImageNet for 3 channels and from random weights otherwise; ``strict`` refuses a
#: grayscale name unless asked for no weights, and has ImageNet weights for f.2 and f.4 only.
PLUGIN = '''
from typing import Annotated, Any

from pydantic import Field

from registry import Family, FamilySpec, Pretrained, Token, hookimpl


class ResSpec(FamilySpec):
    res: Annotated[tuple[Annotated[int, Field(ge=8, le=64)], Annotated[int, Field(ge=8, le=64)],
                         Annotated[int, Field(ge=1, le=3)]], Token("res", "input H.W.C")]
    filters: Annotated[int, Field(ge=1, le=8), Token("f", "filters")] = 2


def build(spec: ResSpec, weights: Any) -> Any:
    if weights is not None:  # no weights are downloaded in tests
        raise RuntimeError(f"asked for {weights} weights")
    import keras

    inputs = keras.Input(spec.res)
    x = keras.layers.Conv2D(spec.filters, 3, name="features")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))


@hookimpl
def register_families(register: Any) -> None:
    for name, pretrained in (
        ("gray", Pretrained(default="imagenet", channels=3, otherwise="none")),
        ("strict", Pretrained(default="imagenet", channels=3, requires={"filters": (2, 4)})),
    ):
        register(Family(name, ResSpec, build, "test family", f"{name}_res.16.16.1_f.2",
                        input_shape="res", pretrained=pretrained))
'''
GRAY = "gray_res.16.16.1_f.2"
SETTINGS = {"epochs": 1, "batch_size": 16, "limit": 32, "verbose": 0}


@pytest.fixture
def res_families():
    """The plugin registered in this process for one test."""
    module = types.ModuleType("res_families")
    exec(compile(PLUGIN, "res_families.py", "exec", dont_inherit=True), module.__dict__)
    reg = registry.get_registry()
    name = reg.register_plugin(module, name="res-families")
    try:
        yield reg
    finally:
        reg.unregister_plugin(name)


def test_the_default_and_the_sources_depend_on_the_name(res_families):
    assert registry.resolve_weights(GRAY) is None
    assert registry.resolve_weights("gray_res.16.16.3_f.2") == "imagenet"
    assert registry.describe(GRAY)["default_weights"] is None
    with pytest.raises(WeightsUnavailableError) as grayscale:
        registry.resolve_weights("strict_res.16.16.1_f.2")
    assert str(grayscale.value) == (
        "imagenet weights of strict need 3 input channels, the name asks for 1; write "
        "res.H.W.3 or start from random weights (--pretrained none, weights=None)"
    )
    with pytest.raises(WeightsUnavailableError, match="need f.2, f.4, the name asks for f.3;"):
        registry.resolve_weights("strict_res.16.16.3_f.3")
    assert registry.resolve_weights("strict_res.16.16.3_f.3", "none") is None


def test_requires_must_name_a_field_of_the_spec(res_families):
    family = registry.get_family("strict")
    bad = Family("bad", family.spec, family.builder, "x", "bad_res.16.16.3_f.2",
                 input_shape="res", pretrained=Pretrained(requires={"width": (1,)}))  # fmt: skip
    with pytest.raises(ValueError, match="requires=...\\) names 'width', which is not a field"):
        bad.validate(registry.parse, examples=False)


def test_loading_weights_names_the_cache_and_keeps_keras_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(WeightsUnavailableError) as offline, loading_weights("mob", "imagenet"):
        raise OSError("no network")
    assert str(offline.value).startswith("imagenet weights for mob are not in the Keras cache")
    assert f"put it in {tmp_path / 'models'}" in str(offline.value)
    with pytest.raises(WeightsUnavailableError) as missing, loading_weights("mob", "imagenet"):
        raise ValueError("alpha can be one of 0.25, 0.50, 0.75 or 1.0 only")
    assert str(missing.value) == (
        "mob cannot start from imagenet weights: alpha can be one of 0.25, 0.50, 0.75 or 1.0 "
        "only; start from random weights (--pretrained none, weights=None)"
    )


def test_a_sweep_with_refused_runs_exits_2_before_any_starts(cli, plugin_site, mura_root,
                                                             tmp_path):  # fmt: skip
    env = plugin_site("res_families", PLUGIN)
    runs = tmp_path / "runs"
    pattern = "strict_res.16.16.{1,3}_f.{2,3}"
    for extra in (["--dry-run"], ["--data", str(mura_root), "--runs", str(runs)]):
        result = cli("sweep", pattern, *extra, env=env)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert [line.split(": ")[2] for line in lines] == [
            "strict_res.16.16.1_f.2", "strict_res.16.16.1_f.3", "strict_res.16.16.3_f.3"
        ]  # fmt: skip
        assert "write res.H.W.3 or start" in lines[0] and "need f.2, f.4" in lines[2]
    assert not runs.exists()
    dry = cli("sweep", "gray_res.16.16.{1,3}_f.2", "--dry-run", env=env)
    assert dry.returncode == 0 and dry.stdout.split() == [GRAY, "gray_res.16.16.3_f.2"]


def test_a_refused_member_leaves_no_folder(res_families, mura_root, tmp_path):
    from mura_core.ensembles import train_ensemble
    from mura_core.training import TrainConfig

    runs = tmp_path / "runs"
    config = TrainConfig(name="parts_m(strict_res.16.16.1_f.2)_bp.HAND.WRIST", data_root=mura_root,
                         out=runs, **SETTINGS)  # fmt: skip
    with pytest.raises(InputProblems) as caught:
        train_ensemble(config)
    assert [line.split(":")[0] for line in caught.value.problems] == [
        "strict_res.16.16.1_f.2__XR_HAND", "strict_res.16.16.1_f.2__XR_WRIST"
    ]  # fmt: skip
    assert not runs.exists()
    warm = TrainConfig(name="parts_m(strict_res.16.16.1_f.2)_bp.WRIST_ws", data_root=mura_root,
                       out=runs, **SETTINGS)  # fmt: skip
    with pytest.raises(MuraError) as missing:
        train_ensemble(warm)
    assert str(missing.value).endswith(
        f"(mura train strict_res.16.16.1_f.2 --data {mura_root} --runs {runs} --pretrained none)"
    )
    assert not runs.exists()


def test_a_grayscale_family_trains_and_ensembles_without_pretrained_none(
    res_families, mura_root, tmp_path
):
    from mura_core.ensembles import train_ensemble
    from mura_core.sweeps import run_sweep
    from mura_core.training import TrainConfig

    runs = tmp_path / "runs"
    records = run_sweep([GRAY], {"data_root": mura_root, "out": runs, **SETTINGS},
                        engine="local", evaluate=False)  # fmt: skip
    assert [record.status for record in records] == ["complete"]
    info = json.loads((runs / GRAY / "run.json").read_text())
    assert info["pretrained"] is None and info["input_shape"] == [16, 16, 1]
    # members start from the all-parts run the sweep trained, not from ImageNet
    config = TrainConfig(name=f"parts_m({GRAY})_bp.WRIST_ws", data_root=mura_root, out=runs,
                         **SETTINGS)  # fmt: skip
    result = train_ensemble(config, engine="local", evaluate=False)
    assert result.members == {"XR_WRIST": "trained"} and not result.failed


def test_an_ensemble_shows_its_members_normalisation():
    assert registry.describe("parts_m(densenet121_in.32.32.3_p.avg)_bp.WRIST")["preprocessing"] \
        == registry.get_family("densenet121").preprocessing != "unit"
