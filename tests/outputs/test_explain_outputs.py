"""``mura explain`` gives each input image its own files, inside ``--output`` whatever the
shape of the input's path (two studies with the same last parts, ``..``, shallow
absolute paths)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.test_abuse.helpers import run_cli

from .helpers import changed, listing, outside

STUDY = Path("XR_FOREARM/patient00022/study1_positive")


@pytest.fixture(scope="module")
def images(mura_root) -> list[Path]:
    """Two different X-rays of the session's tree."""
    return sorted((mura_root / "MURA-v1.1" / "valid").glob("XR_*/patient*/study*/image1.png"))[:2]


def test_two_studies_with_the_same_last_parts_get_two_heatmaps(capsys, trained, images, tmp_path):
    for root, image in zip(("r1", "r2"), images, strict=True):
        (tmp_path / root / STUDY).mkdir(parents=True)
        shutil.copy(image, tmp_path / root / STUDY / "image1.png")
    output = tmp_path / "o"
    status, out, err = run_cli(capsys, "explain", trained.folder.path, tmp_path / "r1" / STUDY,
                               tmp_path / "r2" / STUDY, "--output", output, "--json")  # fmt: skip
    assert status == 0, err
    heatmaps = [Path(row["heatmap"]) for row in json.loads(out)]
    assert len(heatmaps) == 2 and heatmaps[0] != heatmaps[1]
    assert all(output in path.parents and path.is_file() for path in heatmaps)
    assert len(list(output.glob("*/montage.png"))) == 2
    assert heatmaps[0].read_bytes() != heatmaps[1].read_bytes()


def test_an_input_above_the_working_directory_is_explained_into_the_output(
    capsys, trained, images, tmp_path, monkeypatch
):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    shutil.copy(images[0], tmp_path / "x.png")
    monkeypatch.chdir(cwd)
    before = listing(tmp_path)
    run = trained.folder.path
    status, _, err = run_cli(capsys, "explain", run, "../x.png", "--output", "o_rel")
    assert status == 0, err
    assert not outside(changed(before, listing(tmp_path)), cwd / "o_rel")
    written = sorted(path.name for path in (cwd / "o_rel").rglob("*.png"))
    assert written == ["montage.png", "x_gradcam.png"]


def test_a_shallow_absolute_input_writes_nothing_at_the_file_system_root(
    capsys, trained, images, tmp_path
):
    folder = Path(tempfile.mkdtemp(dir="/tmp"))  # /tmp/<d>/x.png: two parts below the root
    escaped = Path("/") / f"_tmp_{folder.name}"  # where the input's parts once led
    try:
        shutil.copy(images[0], folder / "x.png")
        top = set(os.listdir("/"))
        status, _, err = run_cli(capsys, "explain", trained.folder.path, folder / "x.png",
                                 "--output", tmp_path / "o")  # fmt: skip
        assert set(os.listdir("/")) == top, "explain wrote at the file-system root"
        assert status == 0, err
        assert (tmp_path / "o" / f"tmp_{folder.name}" / "x_gradcam.png").is_file()
    finally:
        shutil.rmtree(folder)
        shutil.rmtree(escaped, ignore_errors=True)


def test_a_link_in_the_output_pointing_elsewhere_is_refused_before_any_work(
    capsys, trained, images, tmp_path
):
    output, elsewhere = tmp_path / "o", tmp_path / "elsewhere"
    output.mkdir()
    elsewhere.mkdir()
    name = "_".join(images[0].parent.parts[-3:])
    (output / name).symlink_to(elsewhere)
    status, _, err = run_cli(capsys, "explain", trained.folder.path, images[0], "--output",
                             output, "--overwrite")  # fmt: skip
    assert status == 2 and "outside" in err and len(err.strip().splitlines()) == 1
    assert not any(elsewhere.iterdir())
