"""DICOM files through a trained run: ``mura predict`` and ``mura explain`` on a study folder
of them, and predictions that follow the documented transform."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.data.dicom_helpers import write_dicom

pytest.importorskip("pydicom")


def _radiographs(mura_root: Path, count: int) -> list[Path]:
    """The first images of the synthetic test set (grayscale PNGs)."""
    return sorted((mura_root / "MURA-v1.1" / "valid").glob("XR_*/patient*/study*/*.png"))[:count]


def _pixels(png: Path) -> np.ndarray:
    with Image.open(png) as image:
        return np.asarray(image.convert("L"))


def test_monochrome1_and_swapped_suffixes_predict_as_their_twins(trained, mura_root, tmp_path):
    from mura_core.data.images import collect_images
    from mura_core.inference import predict_frame
    from mura_core.runs import load_run

    (png,) = _radiographs(mura_root, 1)
    pixels = _pixels(png)
    stored = (255 - pixels.astype(np.uint16)) * 16  # 12 bits, stored inverted
    files = [
        write_dicom(tmp_path / "mono1.dcm", stored, bits=12,
                    PhotometricInterpretation="MONOCHROME1"),  # fmt: skip
        write_dicom(tmp_path / "mono2.dcm", 4095 - stored, bits=12),
        write_dicom(tmp_path / "dicom.png", pixels, bits=8),
        tmp_path / "png.dcm",
        tmp_path / "original.png",
    ]
    shutil.copy(png, files[3])
    shutil.copy(png, files[4])
    loaded = load_run(trained.folder.path)
    images = collect_images([str(file) for file in files])
    probability = predict_frame(loaded.model, images, loaded.name)["probability"].to_numpy()
    assert probability[0] == pytest.approx(probability[1], abs=1e-6)  # MONOCHROME1 = inverted 2
    assert probability[2:] == pytest.approx([probability[4]] * 3, abs=1e-6)  # content, not name
    assert 0.0 <= probability[0] <= 1.0


def test_predict_explain_and_submit_a_study_folder_of_dicom_files(
    trained, mura_root, tmp_path, capsys
):
    from mura_core.cli import main
    from mura_core.data.images import collect_images
    from mura_core.inference import predict_frame
    from mura_core.runs import load_run

    pngs = _radiographs(mura_root, 2)
    study = tmp_path / "MURA-v1.1" / "test" / "XR_WRIST" / "patient1" / "study1"
    study.mkdir(parents=True)
    dicoms = [write_dicom(study / "IM000001", _pixels(pngs[0]), bits=8),  # an archive's name
              write_dicom(study / "image2.dcm", _pixels(pngs[1]), bits=8)]  # fmt: skip
    run = str(trained.folder.path)
    assert main(["predict", run, str(study), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["images"]
    assert [row["path"] for row in rows] == [str(file) for file in dicoms]
    loaded = load_run(trained.folder.path)
    as_png = predict_frame(loaded.model, collect_images(list(map(str, pngs))), loaded.name)
    expected = list(as_png["probability"])  # 8 bits without LUTs: the PNG's pixels
    assert [row["probability"] for row in rows] == pytest.approx(expected, abs=1e-6)

    output = tmp_path / "explained"
    assert main(["explain", run, str(study), "--output", str(output), "--json"]) == 0
    explained = json.loads(capsys.readouterr().out)
    assert [row["path"] for row in explained] == [str(file) for file in dicoms]
    for row, png in zip(explained, pngs, strict=True):
        assert row["probability"] == pytest.approx(expected[pngs.index(png)], abs=1e-5)
        with Image.open(row["heatmap"]) as picture:
            assert picture.size == _pixels(png).shape[::-1]
    assert len(list(output.glob("*/montage.png"))) == 1

    table = tmp_path / "test_image_paths.csv"
    table.write_text("".join(f"{file.relative_to(tmp_path).as_posix()}\n" for file in dicoms))
    submission = tmp_path / "submission.csv"
    assert main(["submit", run, str(table), str(submission)]) == 0
    assert submission.read_text() == (
        f"MURA-v1.1/test/XR_WRIST/patient1/study1/,{int(np.mean(expected) > 0.5)}\n")


def test_a_multi_frame_file_is_refused_in_one_line(trained, tmp_path, capsys):
    from mura_core.cli import main

    frames = write_dicom(tmp_path / "cine.dcm", np.zeros((8, 4)), bits=8, NumberOfFrames=2,
                         Rows=4)  # fmt: skip
    assert main(["predict", str(trained.folder.path), str(frames)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"mura: error: {frames}: a multi-frame DICOM image (2 frames); only single "
                   "images are read"]  # fmt: skip
