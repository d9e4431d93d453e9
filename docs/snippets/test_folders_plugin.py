"""Tests of the example dataset plugin, as the plugin author's guide shows them.

The test suite runs this file with ``examples/mura-folders-plugin`` importable, so the
guide's dataset section is known to work.
"""

from __future__ import annotations

from pathlib import Path

import mura_folders
import pytest
from PIL import Image

import registry
from mura_core.cli import main
from mura_core.data.sources import open_data
from registry import Registry


@pytest.fixture
def xrays(tmp_path: Path) -> Path:
    """A tiny labelled-folders root: two patients, one study each, two 8x8 images."""
    for label, patient in (("normal", "p1"), ("abnormal", "p2")):
        study = tmp_path / "xrays" / label / "XR_WRIST" / patient / "s1"
        study.mkdir(parents=True)
        for number in (1, 2):
            Image.new("L", (8, 8), 40 * number).save(study / f"image{number}.png")
    return tmp_path / "xrays"


@pytest.fixture
def folders_registered():
    """The plugin in the process-wide registry (what the CLI uses), for one test."""
    name = registry.get_registry().register_plugin(mura_folders, name="folders-test")
    try:
        yield
    finally:
        registry.get_registry().unregister_plugin(name)


def test_registers_its_layout() -> None:
    reg = Registry(autoload=False)  # no entry points: independent of what is installed
    reg.register_plugin(mura_folders, name="folders")
    assert list(reg.datasets()) == ["labelled-folders"]


def test_detects_its_roots_only(xrays: Path, tmp_path: Path) -> None:
    assert mura_folders.detect(xrays)
    assert not mura_folders.detect(tmp_path)


def test_loads_one_row_per_image(xrays: Path, folders_registered) -> None:
    data = open_data(xrays)
    assert data.layout.name == "labelled-folders"
    frame = data.load().frame
    assert len(frame) == 4 and sorted(frame["label"]) == [0, 0, 1, 1]
    assert frame["relpath"].iloc[0] == "normal/XR_WRIST/p1/s1/image1.png"
    assert set(frame["patient"]) == {"p1", "p2"}


def test_mura_data_inspect_reads_it(xrays: Path, folders_registered, capsys) -> None:
    assert main(["data", "inspect", str(xrays), "--check", "exists"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"data: {xrays} (layout labelled-folders)")
    assert "train: 4 images, 2 studies, 2 patients" in out
