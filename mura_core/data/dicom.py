"""DICOM images: recognised by content, turned into the 8-bit grayscale a PNG decodes to.

A file is DICOM when its bytes 128-131 are ``DICM`` (the preamble of a DICOM file),
whatever its name. Its pixels become the model's input by this transform, in order:

1. the modality LUT: the Modality LUT Sequence, else Rescale Slope and Intercept
   (pydicom's ``apply_modality_lut``);
2. the VOI LUT: the first VOI LUT Sequence item, else the first Window Center and
   Width with the VOI LUT Function (pydicom's ``apply_voi_lut``), else nothing;
3. the output range: the VOI LUT's ``[0, 2**bits - 1]`` after a VOI LUT Sequence, else
   the range the stored values can take (Bits Stored, signed or not, or the Modality
   LUT's bits) passed through the rescale, which is also the range a window maps to;
4. inversion within that range when the Photometric Interpretation is ``MONOCHROME1``;
5. scaling of that range to [0, 255], rounded half to even and clipped, as ``uint8``.

The result is what a grayscale PNG decodes to, and goes through the same resizing and
normalisation (:mod:`mura_core.data.pipeline`). An 8-bit image without LUTs is
unchanged by it. Refused, in one line naming the file and why: multi-frame images,
colour images (RGB, YBR, PALETTE COLOR), objects without pixel data (structured reports,
RT plans, waveforms, DICOMDIRs) and pixel data that cannot be decoded.

pydicom, and the decoders of the compressed transfer syntaxes, are the ``dicom`` extra
(``pip install 'mura-registry[dicom]'``); they are imported only when a DICOM file is
read.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from mura_core.errors import MuraError

__all__ = [
    "DICOM_EXTRA",
    "DicomImage",
    "DicomRefused",
    "display_range",
    "is_dicom",
    "is_dicom_bytes",
    "read_dicom",
    "to_8bit",
]

#: What to install for DICOM input.
DICOM_EXTRA = "mura-registry[dicom]"
#: Where the ``DICM`` preamble of a DICOM file is, and what it says.
_MAGIC_AT, _MAGIC = 128, b"DICM"
#: Photometric interpretations read (grayscale); every other one is refused.
GRAYSCALE = ("MONOCHROME1", "MONOCHROME2")

DicomImage = np.ndarray  # uint8 [rows, columns]


class DicomRefused(MuraError):
    """A DICOM file that is not read: one line naming the file and why."""


def is_dicom_bytes(head: bytes) -> bool:
    """True when ``head`` (a file's first bytes, at least 132) is a DICOM file's start."""
    return head[_MAGIC_AT : _MAGIC_AT + len(_MAGIC)] == _MAGIC


def is_dicom(path: str | os.PathLike[str]) -> bool:
    """True when the file at ``path`` is DICOM by content (``DICM`` at byte 128)."""
    try:
        with open(path, "rb") as stream:
            return is_dicom_bytes(stream.read(_MAGIC_AT + len(_MAGIC)))
    except OSError:
        return False


def _pydicom(file: Path) -> Any:
    try:
        import pydicom
    except ImportError:
        raise MuraError(
            f"{file}: a DICOM file; reading it needs the dicom extra: pip install '{DICOM_EXTRA}'"
        ) from None
    return pydicom


def display_range(ds: Any) -> tuple[float, float]:
    """The range the transform scales to [0, 255]: ``(value shown black, white)`` before
    inversion (see the module's step 3)."""
    voi = ds.get("VOILUTSequence")
    if voi:
        return 0.0, float(2 ** int(voi[0].LUTDescriptor[2]) - 1)
    modality = ds.get("ModalityLUTSequence")
    if modality:
        return 0.0, float(2 ** int(modality[0].LUTDescriptor[2]) - 1)
    bits = int(ds.BitsStored)
    if ds.PixelRepresentation == 0:
        low, high = 0, 2**bits - 1
    else:  # two's complement
        low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    slope, intercept = ds.get("RescaleSlope"), ds.get("RescaleIntercept")
    if slope is not None and intercept is not None:
        return low * float(slope) + float(intercept), high * float(slope) + float(intercept)
    return float(low), float(high)


def to_8bit(pixels: np.ndarray, ds: Any) -> DicomImage:
    """The module's transform applied to ``pixels``, a frame as pydicom's ``pixel_array``
    gives it (stored values), with ``ds`` its dataset."""
    from pydicom.pixels import apply_modality_lut, apply_voi_lut

    values = apply_voi_lut(apply_modality_lut(pixels, ds), ds, index=0, prefer_lut=True)
    black, white = display_range(ds)
    values = np.asarray(values, dtype=np.float64)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        values = black + white - values
    if white == black:
        raise ValueError("its display range is empty")
    scaled = (values - black) / (white - black) * 255.0
    return np.clip(np.round(scaled), 0, 255).astype(np.uint8)


def _refusal(ds: Any) -> str | None:
    """Why the dataset is not a single-frame grayscale image (None: it is one)."""
    if "PixelData" not in ds:
        kind = getattr(ds.get("SOPClassUID"), "name", None) or "object"
        return f"a DICOM {kind} without pixel data, not an image"
    frames = int(ds.get("NumberOfFrames") or 1)
    if frames != 1:
        return f"a multi-frame DICOM image ({frames} frames); only single images are read"
    colour = ds.get("PhotometricInterpretation")
    if colour not in GRAYSCALE or ds.get("SamplesPerPixel", 1) != 1:
        return (f"a DICOM image with photometric interpretation {colour or 'missing'}; "
                "only grayscale (MONOCHROME1/2) images are read")  # fmt: skip
    return None


def _first_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _decoded(ds: Any, max_pixels: int | None) -> tuple[np.ndarray | None, str | None]:
    """The stored pixels of a dataset, or why it is refused."""
    refusal = _refusal(ds)
    if refusal is None and max_pixels is not None:
        rows, columns = int(ds.Rows), int(ds.Columns)
        if rows * columns > max_pixels:
            return None, f"a {columns}x{rows} DICOM image, above the limit of {max_pixels} pixels"
    if refusal is not None:
        return None, refusal
    try:
        return ds.pixel_array, None
    except Exception as error:  # pydicom's decoders raise many kinds
        return None, f"DICOM pixel data cannot be decoded ({_first_line(error)})"


def read_dicom(path: str | os.PathLike[str], *, max_pixels: int | None = None) -> DicomImage:
    """The 8-bit grayscale image of the DICOM file at ``path`` (the module's transform);
    ``max_pixels`` bounds its rows times columns.

    Raises:
        DicomRefused: one line naming the file and why it is refused.
        MuraError: pydicom is not installed (the line says which extra to install).
    """
    file = Path(path)
    pydicom = _pydicom(file)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(file)
            pixels, refusal = _decoded(ds, max_pixels)
            if pixels is not None:
                return to_8bit(pixels, ds)
    except Exception as error:  # a damaged header: pydicom raises many kinds
        refusal = f"not readable as DICOM ({_first_line(error)})"
    raise DicomRefused(f"{file}: {refusal}")
