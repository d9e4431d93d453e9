"""DICOM input without TensorFlow: pydicom's own test corpus, crafted files, refusals."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from mura_core.data.images import collect_images
from mura_core.errors import MuraError
from tests.data.dicom_helpers import write_dicom

pydicom = pytest.importorskip("pydicom")
from pydicom.data import get_testdata_file, get_testdata_files  # noqa: E402
from pydicom.pixels import apply_modality_lut, apply_voi_lut  # noqa: E402

from mura_core.data.dicom import DicomRefused, is_dicom, read_dicom  # noqa: E402

CORPUS = sorted(path for path in get_testdata_files() if os.path.isfile(path))
#: MR_small.dcm and its lossless twins (other transfer syntaxes, same pixels).
TWINS = ("MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm",
         "MR_small_bigendian.dcm", "MR_small_expb.dcm", "MR_small_implicit.dcm",
         "MR_small_padded.dcm")  # fmt: skip


def expected(path: str) -> np.ndarray:
    """The documented transform, step by step, on pydicom's own ``pixel_array``."""
    ds = pydicom.dcmread(path)
    values = apply_voi_lut(apply_modality_lut(ds.pixel_array, ds), ds, index=0)
    if ds.get("VOILUTSequence"):
        black, white = 0, 2 ** ds.VOILUTSequence[0].LUTDescriptor[2] - 1
    elif ds.get("ModalityLUTSequence"):
        black, white = 0, 2 ** ds.ModalityLUTSequence[0].LUTDescriptor[2] - 1
    else:
        bits, signed = ds.BitsStored, ds.PixelRepresentation == 1
        black, white = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
        slope, intercept = float(ds.get("RescaleSlope", 1)), float(ds.get("RescaleIntercept", 0))
        black, white = black * slope + intercept, white * slope + intercept
    values = np.asarray(values, np.float64)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        values = white - (values - black)
    scaled = (values - black) / (white - black) * 255
    return np.clip(np.round(scaled), 0, 255).astype(np.uint8)


@pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom's, on padded pixel data
@pytest.mark.parametrize("path", CORPUS, ids=[os.path.relpath(p, CORPUS[0].rsplit("/", 2)[0])
                                             for p in CORPUS])  # fmt: skip
def test_every_corpus_file_is_decoded_as_documented_or_refused_in_one_line(path):
    try:
        frame = collect_images([path])
    except MuraError as error:
        message = str(error)
        assert message.startswith(f"{path}: ") and "\n" not in message
        if is_dicom(path):
            assert "DICOM" in message
        return
    assert list(frame["path"]) == [path]
    decoded = read_dicom(path)
    assert decoded.dtype == np.uint8 and decoded.ndim == 2
    assert np.array_equal(decoded, expected(path))


def test_lossless_syntaxes_decode_to_their_uncompressed_twin():
    original = read_dicom(get_testdata_file("MR_small.dcm"))
    assert original.std() > 10  # an image, not a flat field
    for twin in TWINS:
        assert np.array_equal(read_dicom(get_testdata_file(twin)), original), twin


def test_corpus_refusals_name_why():
    reasons = {}
    for path in filter(is_dicom, CORPUS):
        try:
            read_dicom(path)
        except DicomRefused as error:
            reasons[os.path.basename(path)] = str(error).split(": ", 1)[1]
    assert "without pixel data, not an image" in reasons["rtplan.dcm"]
    assert "Comprehensive SR Storage without pixel data" in reasons["test-SR.dcm"]
    assert "ECG Waveform Storage without pixel data" in reasons["waveform_ecg.dcm"]
    assert reasons["rtdose.dcm"].startswith("a multi-frame DICOM image (15 frames)")
    assert reasons["MR_truncated.dcm"].startswith("DICOM pixel data cannot be decoded")
    assert "photometric interpretation RGB" in reasons["SC_rgb_rle.dcm"]
    assert "PALETTE COLOR" in reasons["examples_palette.dcm"]


def _window_pixels() -> np.ndarray:
    return np.array([[0, 256, 384, 512], [640, 768, 65535, 1]], dtype=np.uint16)


#: Stored x -> rescaled 2x - 1024 -> window 0/1025 (LINEAR) -> 8 bits, worked by hand:
#: ((y + 0.5) / 1024 + 0.5) * 255 inside the window, 0 below it, 255 above.
WINDOWED = np.array([[0, 0, 64, 128], [191, 255, 255, 0]], dtype=np.uint8)


@pytest.mark.parametrize("photometric", ["MONOCHROME2", "MONOCHROME1"])
def test_a_16_bit_image_with_rescale_and_window(tmp_path, photometric):
    path = write_dicom(tmp_path / "window.dcm", _window_pixels(), bits=16, RescaleSlope=2,
                       RescaleIntercept=-1024, WindowCenter=0, WindowWidth=1025,
                       PhotometricInterpretation=photometric)  # fmt: skip
    flipped = photometric == "MONOCHROME1"
    assert np.array_equal(read_dicom(path), 255 - WINDOWED if flipped else WINDOWED)


def test_without_a_window_the_stored_range_is_scaled(tmp_path):
    pixels = np.array([[0, 2048, 4095]], dtype=np.uint16)
    path = write_dicom(tmp_path / "plain.dcm", pixels, bits=12)
    assert read_dicom(path).tolist() == [[0, 128, 255]]
    eight = write_dicom(tmp_path / "eight.dcm", np.array([[0, 7, 200]]), bits=8)
    assert read_dicom(eight).tolist() == [[0, 7, 200]]  # 8 bits without LUTs: unchanged


def test_content_decides_not_the_suffix(tmp_path):
    from PIL import Image

    from mura_core.data.images import grayscale_pixels

    pixels = np.arange(48, dtype=np.uint8).reshape(6, 8) * 5
    study = tmp_path / "study1"
    study.mkdir()
    write_dicom(study / "dicom.png", pixels, bits=8)
    Image.fromarray(pixels).save(study / "png.dcm", format="PNG")
    write_dicom(study / "IM000001", pixels, bits=8)  # an archive's name, no suffix
    (study / "notes.txt").write_text("not an image")
    frame = collect_images([str(study)])
    assert [Path(p).name for p in frame["path"]] == ["IM000001", "dicom.png", "png.dcm"]
    for path in frame["path"]:
        assert np.array_equal(grayscale_pixels(path), pixels)


def test_a_refused_file_in_a_study_folder_is_one_line(tmp_path):
    study = tmp_path / "study1"
    study.mkdir()
    write_dicom(study / "frames.dcm", np.zeros((2, 4, 4)).reshape(8, 4), bits=8,
                NumberOfFrames=2, Rows=4)  # fmt: skip
    with pytest.raises(MuraError, match=r"frames\.dcm: a multi-frame DICOM image \(2 frames\)"):
        collect_images([str(study)])


def test_without_the_extra_a_dicom_file_names_it(tmp_path, monkeypatch):
    path = write_dicom(tmp_path / "image.dcm", np.zeros((4, 4)), bits=8)
    monkeypatch.setitem(sys.modules, "pydicom", None)  # import pydicom fails
    with pytest.raises(MuraError) as caught:
        collect_images([str(path)])
    assert not isinstance(caught.value, DicomRefused)
    assert str(caught.value) == (f"{path}: a DICOM file; reading it needs the dicom extra: "
                                 "pip install 'mura-registry[dicom]'")  # fmt: skip


def test_a_study_csv_layout_lists_dicom_images(tmp_path):
    from mura_core.data.study_csv import StudyCsvDataset

    study = tmp_path / "wrist" / "p1" / "s1"
    study.mkdir(parents=True)
    write_dicom(study / "IM000001", np.full((5, 7), 9), bits=8)
    write_dicom(study / "view2.dcm", np.full((6, 4), 9), bits=8)
    write_dicom(study / "cine.dcm", np.zeros((8, 4)), bits=8, NumberOfFrames=2, Rows=4)
    (tmp_path / "studies.csv").write_text("study,patient,body_part,label\nwrist/p1/s1,p1,wrist,1\n")
    data = StudyCsvDataset(tmp_path)
    frame = data.frame
    assert list(frame["relpath"]) == ["wrist/p1/s1/IM000001", "wrist/p1/s1/view2.dcm"]
    assert list(zip(frame["width"], frame["height"], frame["mode"])) == [(7, 5, "L"), (4, 6, "L")]
    assert data.problems["corrupt"] == 1
    assert "multi-frame DICOM image (2 frames)" in data.problems.examples["corrupt"].detail
