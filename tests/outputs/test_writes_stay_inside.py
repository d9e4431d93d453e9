"""Every writing command writes only inside the folders it is given (or the run folder it
owns), whatever the shape of its paths: relative, ``..``, absolute, through symbolic
links. Each command runs in a working directory inside a temporary root; the root, the
working directory, the session's data tree and the file-system root are listed before
and after, and every change must lie inside the named folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import TINY_CNN
from tests.test_abuse.helpers import copy_run, run_cli

from .helpers import changed, listing, outside, private_tree

#: Training kept to seconds: one epoch over a few images, no evaluation.
QUICK = ["--epochs", "1", "--batch-size", "8", "--limit", "16", "--no-evaluate", "--quiet"]

#: Each command: its arguments and the folders it may change, relative to the root.
#: ``{run}`` is the run's folder name under ``runs/``; ``{root}`` the absolute root,
#: ``{mura_root}`` the session's tree; the working directory is ``cwd/``; ``links/data``
#: and ``links/out`` are symbolic links to ``data/`` and ``out/``.
COMMANDS: dict[str, tuple[list[str], list[str]]] = {
    "train": (["train", TINY_CNN, "--data", "../links/data", "--runs", "../runs_train", *QUICK],
              ["runs_train"]),
    "sweep": (["sweep", TINY_CNN, "--data", "{root}/data", "--runs", "../links/out/sweep",
               "--engine", "local", *QUICK], ["out/sweep"]),
    "evaluate": (["evaluate", "../runs/{run}", "--data", "{mura_root}", "--resamples", "10"],
                 ["runs/{run}"]),
    "predict": (["predict", "../runs/{run}", "../inputs/x.png", "{root}/inputs/" + "{study}"],
                []),
    "explain": (["explain", "{root}/runs/{run}", "../inputs/x.png", "{root}/inputs/{study}",
                 "../links/data/MURA-v1.1/valid/{study}", "--output", "o_rel"], ["cwd/o_rel"]),
    "explain into a link": (["explain", "../runs/{run}", "{root}/inputs/x.png", "--output",
                             "../links/out/explained"], ["out/explained"]),
    "export": (["export", "../runs/{run}", "--format", "onnx", "--output", "../links/out/exp",
                "--parity-images", "8"], ["out/exp"]),
    "submit": (["submit", "{root}/runs/{run}", "../data/MURA-v1.1/valid_image_paths.csv",
                "sub.csv"], ["cwd/sub.csv"]),
    "synth": (["synth", "../links/out/s", "--studies", "8", "--max-side", "32"], ["out/s"]),
    "data split": (["data", "split", "../links/data", "../split/m.csv"], ["split"]),
    "compare --plot": (["compare", "../runs/{run}", "--plot", "../links/out/curves"],
                       ["out/curves.png"]),
}  # fmt: skip


@pytest.fixture
def world(tmp_path, mura_root, trained, monkeypatch) -> dict[str, str]:
    """The temporary root, laid out as :data:`COMMANDS` expects; the working directory
    is ``cwd/``."""
    private_tree(mura_root, tmp_path / "data")
    run = copy_run(trained, tmp_path / "runs")
    study = next((mura_root / "MURA-v1.1" / "valid").glob("XR_*/patient*/study*"))
    relative = study.relative_to(mura_root / "MURA-v1.1" / "valid")
    (tmp_path / "inputs" / relative).mkdir(parents=True)
    shutil.copy(study / "image1.png", tmp_path / "inputs" / relative / "image1.png")
    shutil.copy(study / "image1.png", tmp_path / "inputs" / "x.png")
    for folder in ("cwd", "out", "links"):
        (tmp_path / folder).mkdir()
    (tmp_path / "links" / "data").symlink_to(tmp_path / "data")
    (tmp_path / "links" / "out").symlink_to(tmp_path / "out")
    monkeypatch.chdir(tmp_path / "cwd")
    return {"root": str(tmp_path), "run": run.name, "study": str(relative),
            "mura_root": str(mura_root)}  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_a_command_changes_nothing_outside_the_folders_it_is_given(
    capsys, world, mura_root, command
):
    arguments, named = COMMANDS[command]
    root = Path(world["root"])
    args = [argument.format(**world) for argument in arguments]
    before, top = listing(root, mura_root), set(os.listdir("/"))
    status, _, err = run_cli(capsys, *args)
    assert status == 0, err
    changes = changed(before, listing(root, mura_root))
    assert not outside(changes, *(root / folder.format(**world) for folder in named)), changes
    assert set(os.listdir("/")) == top, "a command wrote at the file-system root"
    if named:
        assert changes, f"{command} wrote nothing at all"
