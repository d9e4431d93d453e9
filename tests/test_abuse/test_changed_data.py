"""Data that changed since a run was trained is never scored as the run's own.

A run records a fingerprint of its data (``fingerprint.tsv``: each image's size,
modification time and label) when its training starts. ``evaluate``, ``export``'s
parity check and ``submit`` compare the data they are given with it: a difference is
refused in one line naming the counts and the first files, and nothing is written,
unless ``--other-data``; ``evaluate`` then writes ``evaluations/<name>/``, never the
run's own files.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from mura_core.runs import RunFolder

from .helpers import assert_one_line_error, copy_run, run_cli, snapshot


def _listing(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its content."""
    files = (path for path in sorted(root.rglob("*")) if path.is_file())
    return {str(path.relative_to(root)): path.read_bytes() for path in files}


def _paths(folder: Path, subset: str) -> list[str]:
    manifest = pd.read_csv(folder / "split.csv")
    return list(manifest.loc[manifest["subset"] == subset, "path"])


def replace_images(data: Path, folder: Path, subset: str = "test", count: int = 3) -> None:
    """Put other images at ``count`` paths of the run's ``subset``."""
    paths = _paths(folder, subset)
    donor = (data / paths[-1]).read_bytes() + b"\0"  # another picture, another size
    for path in paths[:count]:
        (data / path).write_bytes(donor)


def flip_label(data: Path, folder: Path) -> None:
    """Flip the label of the first test study in ``valid_labeled_studies.csv``."""
    study = _paths(folder, "test")[0].rsplit("/", 1)[0] + "/"
    table = data / "MURA-v1.1" / "valid_labeled_studies.csv"
    rows = list(csv.reader(table.open(newline="")))
    rows = [[path, str(1 - int(label))] if path == study else [path, label] for path, label in rows]
    with table.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)


@pytest.fixture
def setup(trained, mura_root, tmp_path) -> SimpleNamespace:
    """A private copy of the data tree (times kept) and of the trained run."""
    data = tmp_path / "data"
    shutil.copytree(mura_root / "MURA-v1.1", data / "MURA-v1.1")
    folder = copy_run(trained, tmp_path / "runs")
    return SimpleNamespace(data=data, folder=folder, name=trained.name, tmp=tmp_path)


def _argv(command: str, s: SimpleNamespace) -> list:
    return {
        "evaluate": ["evaluate", s.folder, "--data", s.data, "--resamples", "5"],
        "validation": ["evaluate", s.folder, "--data", s.data, "--subset", "validation",
                       "--resamples", "5"],
        "export": ["export", s.folder, "--format", "savedmodel", "--output", s.tmp / "export",
                   "--data", s.data],
        "submit": ["submit", s.folder, s.data / "MURA-v1.1" / "valid_image_paths.csv",
                   s.tmp / "submission.csv"],
    }[command]  # fmt: skip


CASES = [
    ("evaluate", "images", "3 images differ"),
    ("evaluate", "labels", "1 label differs ("),
    ("validation", "validation images", "3 images differ"),
    ("export", "images", "3 images differ"),
    ("export", "labels", "1 label differs ("),
    ("submit", "images", "3 images differ"),
]


@pytest.mark.parametrize(("command", "change", "count"), CASES)
def test_changed_data_is_refused_in_one_line_and_nothing_is_written(
    capsys, setup, command, change, count
):
    if change == "labels":
        flip_label(setup.data, setup.folder)
    else:
        replace_images(setup.data, setup.folder, "validation" if "validation" in change else "test")
    before = _listing(setup.tmp)
    status, _, err = run_cli(capsys, *_argv(command, setup))
    line = assert_one_line_error(status, err, "changed since", setup.name, count,
                                 "pass --other-data to ")  # fmt: skip
    assert len(line) < 400 and ("size" in line or "now" in line)
    assert _listing(setup.tmp) == before


def test_other_data_is_evaluated_into_its_own_named_folder(capsys, setup):
    replace_images(setup.data, setup.folder)
    flip_label(setup.data, setup.folder)
    own = snapshot(setup.folder)
    argv = [*_argv("evaluate", setup), "--other-data", "--json"]
    status, out, err = run_cli(capsys, *argv)
    assert status == 0 and err == "", err
    result = json.loads(out)
    assert result["data"] == {"checked": True, "images_differ": 3, "labels_differ": 1,
                              "other_data": result["data"]["other_data"]}  # fmt: skip
    name = result["data"]["other_data"]
    assert name.startswith("data-")
    after = snapshot(setup.folder)
    assert {key: value for key, value in after.items() if not key.startswith("evaluations/")} == own
    evaluation = setup.folder / "evaluations" / name
    assert {p.name for p in evaluation.iterdir()} == {
        "evaluation.tsv", "predictions.test.tsv", "roc_curve.png", "evaluation.json"}  # fmt: skip
    study = _paths(setup.folder, "test")[0].rsplit("/", 1)[0]
    predictions = pd.read_csv(evaluation / "predictions.test.tsv", sep="\t")
    recorded = pd.read_csv(setup.folder / "predictions.test.tsv", sep="\t")
    flipped = predictions["study"] == study
    assert flipped.any()
    assert (predictions.loc[flipped, "label"] != recorded.loc[flipped, "label"]).all()
    assert json.loads((evaluation / "evaluation.json").read_text())["labels_differ"] == 1
    assert run_cli(capsys, *argv)[0] == 0  # the same data names the same evaluation
    assert [p.name for p in (setup.folder / "evaluations").iterdir()] == [name]
    assert run_cli(capsys, *argv, "--evaluation-name", "flipped")[0] == 0
    assert (setup.folder / "evaluations" / "flipped" / "evaluation.tsv").is_file()


@pytest.mark.parametrize(("flags", "fragment"), [
    (["--evaluation-name", "x"], "add --other-data"),
    (["--other-data", "--evaluation-name", "../x"], "evaluation name '../x'"),
    (["--other-data", "--evaluation-name", "/tmp/x"], "evaluation name '/tmp/x'"),
])  # fmt: skip
def test_a_bad_evaluation_name_is_one_line(capsys, setup, flags, fragment):
    before = _listing(setup.tmp)
    assert_one_line_error(*run_cli(capsys, *_argv("evaluate", setup), *flags)[::2], fragment)
    assert _listing(setup.tmp) == before


def test_other_data_exports_and_submits_with_a_note(capsys, setup):
    replace_images(setup.data, setup.folder)
    status, _, err = run_cli(capsys, *_argv("submit", setup), "--other-data")
    assert status == 0 and (setup.tmp / "submission.csv").is_file(), err
    status, out, err = run_cli(capsys, *_argv("export", setup), "--other-data")
    assert status == 0, err
    assert err.startswith("mura: note: parity measured on other data: 3 images differ"), err
    assert (setup.tmp / "export" / "export.json").is_file()


def test_the_same_data_elsewhere_is_submitted_without_a_word(capsys, setup):
    status, _, err = run_cli(capsys, *_argv("submit", setup))
    assert status == 0 and "note" not in err and "error" not in err, err


def test_a_run_without_a_fingerprint_is_evaluated_with_one_note(capsys, setup):
    (setup.folder / "fingerprint.tsv").unlink()
    replace_images(setup.data, setup.folder)
    for command in ("evaluate", "submit"):
        status, _, err = run_cli(capsys, *_argv(command, setup))
        assert status == 0, err
        notes = [line for line in err.splitlines() if line.startswith("mura: note: ")]
        assert len(notes) == 1 and "could not be checked" in notes[0], err


def test_a_damaged_fingerprint_is_one_line(capsys, setup):
    table = setup.folder / "fingerprint.tsv"
    table.write_text(table.read_text().replace("\t", ",", 3))
    before = _listing(setup.tmp)
    assert_one_line_error(*run_cli(capsys, *_argv("evaluate", setup))[::2], "fingerprint.tsv")
    assert _listing(setup.tmp) == before


def test_the_fingerprint_records_every_image_and_label_the_run_was_given(trained):
    from mura_core.data.fingerprint import compare, read_fingerprint

    folder = trained.folder.path
    table = read_fingerprint(folder / "fingerprint.tsv")
    manifest = pd.read_csv(folder / "split.csv")
    assert list(table["path"]) == list(manifest["path"])
    assert list(table["subset"]) == list(manifest["subset"])
    assert list(table["label"]) == list(manifest["label"])
    root = Path(read_json(folder)["config"]["data_root"])
    status = os.stat(root / table["path"].iloc[0])
    first = table.iloc[0]
    assert (first["size"], first["mtime_ns"]) == (status.st_size, status.st_mtime_ns)
    assert not compare(table, root)


def read_json(folder: Path) -> dict:
    return json.loads((folder / "run.json").read_text())


def test_the_fingerprint_is_written_at_start_and_kept_on_resume(trained, mura_root, tmp_path):
    from mura_core.data.split import read_manifest
    from mura_core.training.records import write_split

    folder = RunFolder(copy_run(trained, tmp_path))
    split = read_manifest(folder.split, mura_root)
    run = SimpleNamespace(folder=folder, name=trained.name)
    recorded = folder.fingerprint.read_bytes()
    folder.fingerprint.write_bytes(recorded.replace(b"\t0\n", b"\t1\n", 1))
    (folder.backup).mkdir()
    (folder.backup / "state.json").write_text(
        json.dumps({"epoch": 1, "weights": "epoch-0001.weights.h5", "callbacks": []})
    )  # one committed epoch: the run resumes
    write_split(run, SimpleNamespace(split=split))  # resuming: the record stays
    assert folder.fingerprint.read_bytes() != recorded
    (folder.backup / "state.json").unlink()
    write_split(run, SimpleNamespace(split=split))  # starting afresh: taken again
    assert folder.fingerprint.read_bytes() == recorded


def test_the_same_data_elsewhere_is_evaluated_and_the_check_costs_little(capsys, setup):
    from mura_core.runs.data_check import check_subsets

    started = time.perf_counter()
    status, _, err = run_cli(capsys, *_argv("evaluate", setup))
    evaluate = time.perf_counter() - started
    assert status == 0 and err == "", err
    started = time.perf_counter()
    check_subsets(RunFolder(setup.folder), setup.name, setup.data, ["test"], other_data=False,
                  hint="")  # fmt: skip
    check = time.perf_counter() - started
    print(f"evaluate {evaluate:.2f} s, of which the data check {check * 1000:.1f} ms")
    assert check < 0.05 * evaluate
