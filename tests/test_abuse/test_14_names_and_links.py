"""Item 14: undecodable file names are counted problems; symbolic links are treated the
same in walk and CSV mode (followed inside the root, ``outside_root`` when leaving it)."""

from __future__ import annotations

import os
import shutil

import pytest

from mura_core.data.loader import load_mura

from .data_helpers import private_tree
from .helpers import assert_one_line_error, run_cli


def _study(root, part="XR_WRIST"):
    return sorted((root / "MURA-v1.1" / "train" / part).glob("patient*/study*"))[0]


def test_a_non_utf8_file_name_is_a_problem_not_a_crash(capsys, mura_root, tmp_path):
    root = private_tree(mura_root, tmp_path / "data", csvs=False)
    study = _study(root)
    bad = os.path.join(os.fsencode(study), b"image\xff.png")
    shutil.copyfile(study / "image1.png", bad)
    data = load_mura(root)
    assert data.problems["malformed"] == 1
    assert data.problems.examples["malformed"].path.endswith("image\\xff.png")
    assert all("\udcff" not in path for path in data.frame["path"])
    status, out, err = run_cli(capsys, "data", "split", root, tmp_path / "split.csv")
    assert status == 0 and err == "" and "1 problem" in out
    assert run_cli(capsys, "data", "inspect", root)[0] == 0
    status, _, err = run_cli(capsys, "predict", tmp_path / "run", study)
    assert_one_line_error(status, err, "not valid UTF-8")


@pytest.mark.parametrize("csvs", [False, True], ids=["walk", "csv"])
def test_a_linked_body_part_inside_the_root_is_followed(mura_root, tmp_path, csvs):
    root = private_tree(mura_root, tmp_path, csvs=csvs)
    expected = load_mura(root).frame
    train = root / "MURA-v1.1" / "train"
    (root / "MURA-v1.1" / "storage").mkdir()
    shutil.move(train / "XR_WRIST", root / "MURA-v1.1" / "storage" / "XR_WRIST")
    (train / "XR_WRIST").symlink_to(os.path.join("..", "storage", "XR_WRIST"))
    data = load_mura(root)
    assert len(data.frame) == len(expected) and data.problems.total == 0
    assert (data.frame["body_part"] == "XR_WRIST").sum() > 0


@pytest.mark.parametrize("csvs", [False, True], ids=["walk", "csv"])
def test_links_leaving_the_root_are_outside_root_in_both_modes(mura_root, tmp_path, csvs):
    root = private_tree(mura_root, tmp_path / "data", csvs=csvs)
    train = root / "MURA-v1.1" / "train"
    frame = load_mura(root).frame
    hands = ((frame["body_part"] == "XR_HAND") & (frame["split"] == "train")).sum()
    shutil.move(train / "XR_HAND", tmp_path / "elsewhere")
    (train / "XR_HAND").symlink_to(tmp_path / "elsewhere")
    study = _study(root, "XR_ELBOW")
    (study / "image1.png").unlink()
    (study / "image1.png").symlink_to(next((tmp_path / "elsewhere").rglob("image1.png")))
    data = load_mura(root)
    assert data.problems["outside_root"] == (1 if not csvs else hands) + 1
    assert not ((data.frame["body_part"] == "XR_HAND") & (data.frame["split"] == "train")).any()
    assert str(study / "image1.png") not in set(data.frame["path"])
