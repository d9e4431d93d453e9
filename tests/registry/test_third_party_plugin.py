"""The example third-party package, pip-installed, adds a family built from its name."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "examples" / "mura-vgg16-plugin"


def _pip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def installed_example():
    result = _pip("install", "--no-deps", "--no-build-isolation", str(PACKAGE))
    assert result.returncode == 0, result.stderr
    try:
        yield
    finally:
        _pip("uninstall", "-y", "mura-vgg16")


def test_installed_plugin_is_listed_with_its_distribution(cli, installed_example):
    result = cli("plugins", "--json")
    assert result.returncode == 0, result.stderr
    infos = {p["name"]: p for p in json.loads(result.stdout)}
    assert infos["vgg16"]["distribution"] == "mura-vgg16"
    assert infos["vgg16"]["version"] == "1.0.0"
    assert infos["vgg16"]["families"] == ["vgg16"]
    assert infos["vgg16"]["status"] == "loaded"


def test_installed_plugin_builds_from_a_name(cli, installed_example):
    result = cli("models", "show", "vgg16_in.32.32.3_p.max_ld.0.5__aug", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["name"] == "vgg16_in.32.32.3_p.max_ld.0.5"
    assert info["family"] == "vgg16"
    assert info["run"]["augment"] is True
    assert info["params"]["total"] == 14_714_688 + 513  # VGG16 without top, plus the output


def test_installed_plugin_respects_disabled_autoload(cli, installed_example):
    env = {"MURA_DISABLE_PLUGIN_AUTOLOAD": "1"}
    infos = {p["name"]: p for p in json.loads(cli("plugins", "--json", env=env).stdout)}
    assert infos["vgg16"]["status"] == "disabled"
    assert infos["cnn"]["status"] == "loaded"
    shown = cli("plugins", "--json", env={**env, "MURA_PLUGINS": "vgg16"})
    assert {p["name"]: p for p in json.loads(shown.stdout)}["vgg16"]["status"] == "loaded"


def test_installed_plugin_can_be_blocked(cli, installed_example):
    result = cli("models", "show", "vgg16_in.32.32.3_p.max", env={"MURA_BLOCK_PLUGINS": "vgg16"})
    assert result.returncode == 2
    assert "unknown family 'vgg16'" in result.stderr
