"""An output never replaces a file that mura did not write: each writing command, pointed
at a data set's file, a split manifest or a run folder, refuses in one line (even with
``--overwrite``), before any work, and nothing changes."""

from __future__ import annotations

import pytest

from mura_core.data.loader import load_mura
from mura_core.data.split import split_by_patient
from tests.conftest import TINY_CNN
from tests.test_abuse.helpers import assert_one_line_error, copy_run, run_cli

from .helpers import changed, listing, private_tree


@pytest.fixture
def world(tmp_path, mura_root, trained):
    """A private MURA tree under ``data``, a copy of the trained run under ``runs`` and
    a split manifest ``split.csv`` (with its hash)."""
    data = private_tree(mura_root, tmp_path / "data")
    run = copy_run(trained, tmp_path / "runs")
    other = copy_run(trained, tmp_path / "other")  # a run folder no command is given
    manifest = tmp_path / "split.csv"
    split_by_patient(load_mura(data).frame, validation_fraction=0.2, seed=0).write_manifest(
        manifest
    )
    return {"root": tmp_path, "data": data, "mura": data / "MURA-v1.1", "run": run,
            "manifest": manifest, "other": other}  # fmt: skip


def _refused(capsys, world, args, *fragments):
    before = listing(world["root"])
    status, out, err = run_cli(capsys, *args)
    assert_one_line_error(status, err, *fragments)
    assert not changed(before, listing(world["root"])), "a refused command changed files"


@pytest.mark.parametrize("overwrite", [(), ("--overwrite",)])
def test_submit_never_replaces_the_data_sets_label_file(capsys, world, overwrite):
    labels = world["mura"] / "valid_labeled_studies.csv"
    content = labels.read_bytes()
    args = ["submit", world["run"], world["mura"] / "valid_image_paths.csv", labels, *overwrite]
    _refused(capsys, world, args, str(labels), "MURA tree", "not even with --overwrite")
    assert labels.read_bytes() == content


@pytest.mark.parametrize("overwrite", [(), ("--overwrite",)])
def test_submit_never_replaces_a_split_manifest(capsys, world, overwrite):
    manifest = world["manifest"]
    content = manifest.read_bytes()
    args = ["submit", world["run"], world["mura"] / "valid_image_paths.csv", manifest, *overwrite]
    _refused(capsys, world, args, str(manifest), "split manifest")
    assert manifest.read_bytes() == content


def test_submit_replaces_another_file_only_with_overwrite(capsys, world):
    output = world["root"] / "earlier.csv"
    output.write_text("a file of the user's\n")
    args = ["submit", world["run"], world["mura"] / "valid_image_paths.csv", output]
    _refused(capsys, world, args, "not written by mura submit", "--overwrite")
    assert run_cli(capsys, *args, "--overwrite")[0] == 0
    assert output.read_text() != "a file of the user's\n"


def _targets(world):
    """Protected places, by kind: a CSV, a folder and a picture in each."""
    image = next((world["mura"] / "valid").glob("XR_*/patient*/study*/image1.png"))
    return {
        "MURA tree": (world["mura"] / "valid_labeled_studies.csv", world["mura"] / "valid", image),
        "run folder": (world["other"] / "history.tsv", world["other"],
                       world["other"] / "roc_curve.png"),
    }


#: Each writing command with its output pointed at ``target`` (``{csv}``: a file,
#: ``{dir}``: a folder, ``{png}``: a picture), with --overwrite when the command has it.
COMMANDS = {
    "submit": ["submit", "{run}", "{mura}/valid_image_paths.csv", "{csv}", "--overwrite"],
    "compare --plot": ["compare", "{run}", "--plot", "{png}", "--overwrite"],
    "data split": ["data", "split", "{data}", "{csv}", "--overwrite"],
    "explain": ["explain", "{run}", "{image}", "--output", "{dir}", "--overwrite"],
    "export": ["export", "{run}", "--format", "onnx", "--output", "{dir}", "--overwrite"],
    "synth": ["synth", "{dir}", "--studies", "8", "--max-side", "32", "--overwrite"],
    "train": ["train", TINY_CNN, "--data", "{data}", "--runs", "{dir}", "--epochs", "1"],
    "sweep": ["sweep", TINY_CNN, "--data", "{data}", "--runs", "{dir}", "--engine", "local",
              "--epochs", "1"],
    "train --cache": ["train", TINY_CNN, "--data", "{data}", "--runs", "{root}/runs2",
                      "--cache", "{dir}", "--epochs", "1"],
}  # fmt: skip


@pytest.mark.parametrize("kind", ["MURA tree", "run folder"])
@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_writes_into_a_data_tree_or_a_run_folder(capsys, world, command, kind):
    csv, folder, png = _targets(world)[kind]
    image = next((world["mura"] / "valid").glob("XR_*/patient*/study*/image1.png"))
    values = {"csv": csv, "dir": folder, "png": png, "image": image,
              **{key: value for key, value in world.items()}}  # fmt: skip
    args = [part.format(**values) for part in COMMANDS[command]]
    _refused(capsys, world, args, kind, "not even with --overwrite")


def test_a_run_folder_holding_a_link_out_of_it_is_neither_evaluated_nor_trained(
    capsys, world, mura_root
):
    mine = world["root"] / "mine.tsv"
    mine.write_text("a file of the user's\n")
    (world["run"] / "evaluation.tsv").unlink()
    (world["run"] / "evaluation.tsv").symlink_to(mine)
    _refused(capsys, world, ["evaluate", world["run"], "--data", mura_root],
             "evaluation.tsv is a link to", "outside the run folder")  # fmt: skip
    _refused(capsys, world, ["train", TINY_CNN, "--data", mura_root, "--runs", world["run"].parent,
                             "--weight-classes", "--augment", "--epochs", "3"],
             "outside the run folder")  # fmt: skip
    assert mine.read_text() == "a file of the user's\n"
