"""A dataset plugin end to end: a third-party layout (examples/mura-folders-plugin) trains
and evaluates like MURA, on the tiny tree."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

import registry
from mura_core.cli import main
from mura_core.data.loader import load_mura
from tests.conftest import REPO

PLUGIN = REPO / "examples" / "mura-folders-plugin"


@pytest.fixture
def folders_plugin(monkeypatch):
    """The example plugin registered in the process-wide registry for one test (its loader
    module importable, as an installed copy's would be)."""
    monkeypatch.syspath_prepend(str(PLUGIN))
    spec = importlib.util.spec_from_file_location("mura_folders", PLUGIN / "mura_folders.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "mura_folders", module)
    spec.loader.exec_module(module)
    name = registry.get_registry().register_plugin(module, name="folders-under-test")
    yield module
    registry.get_registry().unregister_plugin(name)


def as_labelled_folders(mura_root: Path, out: Path) -> Path:
    """The MURA tree's images as ``labelled-folders``: ``normal|abnormal/<part>/<patient>/
    <study>/``, hard links."""
    frame = load_mura(mura_root, check="exists").frame
    for row in frame.itertuples():
        study = row.study.rsplit("/", 1)[1]
        folder = out / ("abnormal" if row.label else "normal") / row.body_part / row.patient / study
        folder.mkdir(parents=True, exist_ok=True)
        os.link(row.path, folder / Path(row.path).name)
    return out


def cli(capsys, *args) -> dict:
    status = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return json.loads(captured.out)


def test_a_plugin_layout_trains_and_evaluates(capsys, folders_plugin, mura_root, tmp_path,
                                              tiny_cnn):  # fmt: skip
    root = as_labelled_folders(mura_root, tmp_path / "xrays")
    common = ["--data", root, "--runs", tmp_path / "runs", "--json"]
    result = cli(capsys, "train", tiny_cnn, "--layout", "labelled-folders", "--epochs", "1",
                 "--batch-size", "16", "--limit", "40", "--xla", "off", "--quiet",
                 *common)  # fmt: skip
    assert result["epochs"] == 1 and result["evaluation"] is None  # no test set: no valid studies
    run = tmp_path / "runs" / tiny_cnn
    assert json.loads((run / "run.json").read_text())["config"]["layout"] == "labelled-folders"
    recorded = (run / "split.csv").read_text(encoding="utf-8").splitlines()
    assert recorded[1].startswith(("normal/XR_", "abnormal/XR_"))  # the layout's own paths
    scored = cli(capsys, "evaluate", run, "--subset", "validation", "--resamples", "10",
                 *common)  # read with the layout the run recorded
    assert scored["data"]["checked"] and scored["data"]["images_differ"] == 0
    assert 0.0 <= scored["study"]["auc"] <= 1.0

