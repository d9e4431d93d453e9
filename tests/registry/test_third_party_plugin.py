"""The example third-party package, pip-installed, adds a family built from its name.

It is installed with ``pip install --target`` into a temporary folder put on
PYTHONPATH, never into the shared environment other tests run in.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "examples" / "mura-vgg16-plugin"


@pytest.fixture(scope="module")
def installed_example(tmp_path_factory):
    """The environment of a subprocess that sees the example installed."""
    site = tmp_path_factory.mktemp("site")
    source = tmp_path_factory.mktemp("source") / PACKAGE.name  # builds leave no trace here
    shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", "install",
         "--no-deps", "--no-build-isolation", "--target", str(site), str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}


def test_installed_plugin_is_listed_with_its_distribution(cli, installed_example):
    result = cli("plugins", "--json", env=installed_example)
    assert result.returncode == 0, result.stderr
    infos = {p["name"]: p for p in json.loads(result.stdout)}
    assert infos["vgg16"]["distribution"] == "mura-vgg16"
    assert infos["vgg16"]["version"] == "1.0.0"
    assert infos["vgg16"]["families"] == ["vgg16"]
    assert infos["vgg16"]["commands"] == ["vgg16-info"]
    assert infos["vgg16"]["status"] == "loaded"


def test_installed_plugin_adds_a_command(cli, installed_example):
    result = cli("vgg16-info", "vgg16_in.32.32.3_p.max__aug", env=installed_example)
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines()]
    assert lines[:3] == [
        ["vgg16_in.32.32.3_p.max"],
        ["layer", "output", "parameters"],
        ["block1_conv1", "32x32x64", "1,792"],
    ]
    assert lines[-3:] == [
        ["block5_conv3", "2x2x512", "2,359,808"],
        ["output", "1", "513"],
        ["total", f"{14_714_688 + 513:,}"],
    ]


def test_installed_plugin_builds_from_a_name(cli, installed_example):
    result = cli("models", "show", "vgg16_in.32.32.3_p.max_ld.0.5__aug", "--json",
                 env=installed_example)  # fmt: skip
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["name"] == "vgg16_in.32.32.3_p.max_ld.0.5"
    assert info["family"] == "vgg16"
    assert info["run"]["augment"] is True
    assert info["params"]["total"] == 14_714_688 + 513  # VGG16 without top, plus the output
    assert info["parameters_estimate"] == info["params"]["total"]
    assert info["provider"] == {"plugin": "vgg16", "distribution": "mura-vgg16", "version": "1.0.0"}


def test_installed_plugin_passes_the_conformance_kit(cli, installed_example):
    result = cli("plugins", "check", "vgg16", "--json", env=installed_example)
    assert result.returncode == 0, result.stdout + result.stderr
    (report,) = json.loads(result.stdout)
    assert report["passed"] and report["distribution"] == "mura-vgg16"
    assert [check["name"] for check in report["checks"]] == [
        "round_trip", "canonical_idempotent", "malformed_rejected", "imports_without_tensorflow",
        "example_builds", "parameter_count", "one_spelling", "fingerprint", "weights_reload",
        "train_step", "explain_layer",
    ]  # fmt: skip
    statuses = {check["name"]: check["status"] for check in report["checks"]}
    assert statuses.pop("fingerprint") == "skipped"  # the example pins no architectures
    assert set(statuses.values()) == {"passed"}


def test_installed_plugin_respects_disabled_autoload(cli, installed_example):
    env = {**installed_example, "MURA_DISABLE_PLUGIN_AUTOLOAD": "1"}
    infos = {p["name"]: p for p in json.loads(cli("plugins", "--json", env=env).stdout)}
    assert infos["vgg16"]["status"] == "disabled"
    assert infos["cnn"]["status"] == "loaded"
    shown = cli("plugins", "--json", env={**env, "MURA_PLUGINS": "vgg16"})
    assert {p["name"]: p for p in json.loads(shown.stdout)}["vgg16"]["status"] == "loaded"


def test_installed_plugin_can_be_blocked(cli, installed_example):
    result = cli("models", "show", "vgg16_in.32.32.3_p.max",
                 env={**installed_example, "MURA_BLOCK_PLUGINS": "vgg16"})  # fmt: skip
    assert result.returncode == 2
    assert "unknown family 'vgg16'" in result.stderr
