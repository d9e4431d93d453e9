"""The family contract in training and reloading: declared input shapes, pretrained
weights, failing callback hooks, and the provider recorded in run.json."""

from __future__ import annotations

import json
import shutil
from typing import Annotated

import pytest

import registry
from mura_core.runs import load_run
from mura_core.training.runner import train
from registry import Family, FamilySpec, PluginError, Token, hookimpl


class SizeSpec(FamilySpec):
    """A family whose input token sits on a field not called ``input_shape``."""

    size: Annotated[tuple[int, int, int], Token("in", "input height.width.channels")]
    units: Annotated[int, Token("u", "hidden units")] = 4


def build_small(spec: SizeSpec):
    import keras

    inputs = keras.Input(spec.size)
    x = keras.layers.Conv2D(spec.units, 3, activation="relu", name="features")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))


class SizePlugin:
    @hookimpl
    def register_families(self, register):
        register(
            Family("sized", SizeSpec, build_small, "renamed input field", "sized_in.32.32.1_u.4",
                   input_shape="size", explain_layer="features")
        )  # fmt: skip


@pytest.fixture
def sized_family():
    reg = registry.get_registry()
    name = reg.register_plugin(SizePlugin(), name="sized-test")
    try:
        yield
    finally:
        reg.unregister_plugin(name)


def test_a_family_with_a_renamed_input_field_trains(sized_family, mura_root, tmp_path):
    result = train("sized_in.32.32.1_u.4", mura_root, out=tmp_path, epochs=1, batch_size=16,
                   limit=64, verbose=0)  # fmt: skip
    info = json.loads((result.folder.path / "run.json").read_text())
    assert info["input_shape"] == [32, 32, 1] and info["status"] == "complete"
    assert info["provider"] == {"plugin": "sized-test", "distribution": None, "version": None}
    assert info["pretrained"] is None


def test_a_failing_extend_callbacks_hook_aborts_before_anything_is_written(mura_root, tmp_path):
    class Faulty:
        @hookimpl
        def extend_callbacks(self, callbacks, run):
            raise ValueError("no such callback")

    reg = registry.get_registry()
    name = reg.register_plugin(Faulty(), name="faulty-callbacks")
    try:
        with pytest.raises(PluginError) as caught:
            train("cnn_in.32.32.1_cl.1.1_f.2", mura_root, out=tmp_path / "runs", epochs=1,
                  limit=32, verbose=0)  # fmt: skip
    finally:
        reg.unregister_plugin(name)
    assert str(caught.value) == (
        "plugin 'faulty-callbacks' failed in hook extend_callbacks: ValueError: no such callback"
    )
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_run_json_records_the_provider_of_the_family(trained):
    info = json.loads((trained.folder.path / "run.json").read_text())
    assert info["provider"] == {
        "plugin": "cnn",
        "distribution": "mura-registry",
        "version": registry.__version__,
    }


def test_grayscale_input_with_default_imagenet_weights_is_refused_up_front(cli, mura_root,
                                                                           tmp_path):  # fmt: skip
    runs = tmp_path / "runs"
    result = cli("train", "densenet121_in.32.32.1_p.avg", "--data", str(mura_root),
                 "--runs", str(runs), "--epochs", "1")  # fmt: skip
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "imagenet weights of densenet121 need 3 input channels, the name asks for 1" in line
    assert "write in.H.W.3" in line and "--pretrained none" in line
    assert not runs.exists()


def test_pretrained_weights_for_a_family_without_them_are_refused(cli, mura_root, tmp_path):
    result = cli("train", "cnn_in.32.32.1_cl.1.1_f.2", "--data", str(mura_root),
                 "--runs", str(tmp_path), "--pretrained", "imagenet")  # fmt: skip
    assert result.returncode == 2
    assert "family 'cnn' takes no pretrained weights" in result.stderr.strip()
    assert not any(tmp_path.iterdir())


IMPOSTOR = """
from mura_plugins.cnn import CNNSpec, build_cnn
from registry import Family, hookimpl

@hookimpl
def register_families(register):
    register(Family("cnn", CNNSpec, build_cnn, "another cnn",
                    "cnn_in.256.256.3_cl.6.1_f.32_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"))
"""


@pytest.fixture
def run_copy(trained, tmp_path):
    """A private copy of the trained run folder."""
    folder = tmp_path / "runs" / trained.folder.path.name
    shutil.copytree(trained.folder.path, folder)
    return folder


def test_a_run_is_not_rebuilt_by_another_provider_without_consent(cli, plugin_site, run_copy,
                                                                  mura_root):  # fmt: skip
    env = plugin_site("impostor_cnn", IMPOSTOR, distribution="mura-impostor", version="9.9")
    env["MURA_BLOCK_PLUGINS"] = "cnn"
    refused = cli("evaluate", str(run_copy), "--data", str(mura_root), env=env)
    assert refused.returncode == 2
    (line,) = refused.stderr.strip().splitlines()
    assert "was trained with family 'cnn' of mura-registry" in line
    assert "but mura-impostor 9.9 provides it now" in line and "--allow-other-provider" in line
    allowed = cli("evaluate", str(run_copy), "--data", str(mura_root), "--json",
                  "--allow-other-provider", env=env)  # fmt: skip
    assert allowed.returncode == 0, allowed.stderr
    assert "mura-impostor 9.9 provides it now (allowed)" in allowed.stderr


def test_a_run_whose_family_is_missing_names_its_distribution(cli, run_copy, mura_root):
    result = cli("evaluate", str(run_copy), "--data", str(mura_root),
                 env={"MURA_BLOCK_PLUGINS": "cnn"})  # fmt: skip
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert f"run {run_copy.name} needs family 'cnn'" in line
    assert f"(plugin 'cnn' of mura-registry {registry.__version__})" in line
    assert "not a run folder" not in line


def test_other_version_warns_and_old_runs_load_with_a_note(run_copy, caplog):
    run_json = run_copy / "run.json"
    info = json.loads(run_json.read_text())
    info["provider"]["version"] = "0.0.1"
    run_json.write_text(json.dumps(info))
    load_run(run_copy)
    assert "was trained with mura-registry 0.0.1" in caplog.text
    del info["provider"]
    run_json.write_text(json.dumps(info))
    caplog.clear()
    load_run(run_copy)
    assert "records no provider of family 'cnn'" in caplog.text
