"""How one image file is checked before it is used: present, a PNG, complete, not too large.

A DICOM file (by content: see :mod:`mura_core.data.dicom`) is checked, at ``verify`` and
``full`` alike, by decoding it through the DICOM transform: a refused file is the
problem ``corrupt`` with the refusal as its detail.

Levels (:data:`CHECKS`):

``exists``
    a ``stat``: the file is there and is a regular file.
``verify`` (the default)
    the PNG header and every chunk's checksum (Pillow's ``verify``), then the image data
    inflated (zlib) to the exact length its header announces, without unfiltering or
    decoding pixels. This finds truncated files, damaged checksums, and a damaged or
    short zlib stream whose chunk checksums are valid (which would otherwise stop
    training mid-epoch). It costs more than the checksums alone and less than
    ``full``'s decode.
``full``
    ``verify`` plus a full decode by Pillow.

Whatever the level, an image larger than :func:`max_pixels` (50 megapixels unless the
environment variable ``MURA_MAX_PIXELS`` says otherwise) is the problem ``too_large``,
stated in one line; Pillow's own decompression-bomb warnings never reach the user.
"""

from __future__ import annotations

import os
import struct
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from mura_core.errors import MuraError
from mura_core.vocabulary import CHECKS, Check

__all__ = [
    "CHECKS",
    "DEFAULT_MAX_PIXELS",
    "MAX_PIXELS_VARIABLE",
    "Check",
    "FileCheck",
    "check_file",
    "image_problem",
    "max_pixels",
]

#: Largest image accepted, in pixels, unless :data:`MAX_PIXELS_VARIABLE` is set.
DEFAULT_MAX_PIXELS = 50_000_000
#: Environment variable setting the largest image accepted, in pixels.
MAX_PIXELS_VARIABLE = "MURA_MAX_PIXELS"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Samples per pixel of each PNG colour type.
_SAMPLES = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
#: Adam7 passes: (first row, first column, row step, column step).
_ADAM7 = (
    (0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4),
    (2, 0, 4, 2), (0, 1, 2, 2), (1, 0, 2, 1),
)  # fmt: skip


def max_pixels() -> int:
    """The largest image accepted, in pixels (``MURA_MAX_PIXELS`` or 50 megapixels).

    Raises:
        MuraError: the environment variable is not a positive whole number.
    """
    text = os.environ.get(MAX_PIXELS_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MAX_PIXELS
    if not text.isdigit() or int(text) < 1:
        raise MuraError(f"{MAX_PIXELS_VARIABLE} must be a whole number of pixels (got {text!r})")
    return int(text)


@dataclass(frozen=True)
class FileCheck:
    """The outcome of checking one file: a problem kind and detail, or its header."""

    kind: str | None  # None when the file is usable
    detail: str = ""
    width: int | None = None
    height: int | None = None
    mode: str | None = None


def _png_size(file: Path) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR, or ``None`` for anything else."""
    with file.open("rb") as stream:
        head = stream.read(24)
    if len(head) < 24 or head[:8] != _PNG_SIGNATURE or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def _raw_length(width: int, height: int, depth: int, colour: int, interlaced: bool) -> int:
    """Bytes of filtered scanlines a PNG's image data inflates to."""
    bits = depth * _SAMPLES.get(colour, 1)
    passes = _ADAM7 if interlaced else ((0, 0, 1, 1),)
    total = 0
    for row, column, row_step, column_step in passes:
        rows = max(0, (height - row + row_step - 1) // row_step)
        columns = max(0, (width - column + column_step - 1) // column_step)
        if rows and columns:
            total += rows * (1 + (columns * bits + 7) // 8)
    return total


def inflate_problem(file: Path) -> str | None:
    """Why the zlib stream of a PNG's IDAT chunks is damaged or short, or ``None``."""
    data = file.read_bytes()
    position, header, inflater, length = 8, None, zlib.decompressobj(), 0
    try:
        while position + 8 <= len(data):
            size, kind = struct.unpack(">I4s", data[position : position + 8])
            body = data[position + 8 : position + 8 + size]
            position += 12 + size
            if kind == b"IHDR":
                header = struct.unpack(">IIBBBBB", body[:13])
            elif kind == b"IDAT":
                length += len(inflater.decompress(body))
            elif kind == b"IEND":
                break
        length += len(inflater.flush())
    except (zlib.error, struct.error) as error:
        return f"image data damaged ({error})"
    if header is None:
        return "no IHDR chunk"
    width, height, depth, colour, _, _, interlace = header
    expected = _raw_length(width, height, depth, colour, interlace == 1)
    if not inflater.eof or length != expected:
        return f"image data incomplete ({length} of {expected} bytes)"
    return None


def _too_large(width: int, height: int) -> FileCheck | None:
    limit = max_pixels()
    if width * height <= limit:
        return None
    detail = (
        f"{width}x{height} is {width * height / 1e6:.1f} megapixels, above the limit of "
        f"{limit / 1e6:g} ({MAX_PIXELS_VARIABLE})"
    )
    return FileCheck("too_large", detail, width, height)


def _open_and_verify(file: Path, check: str) -> FileCheck:
    with warnings.catch_warnings():  # the limit is the project's, stated as a problem
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(file) as image:
            width, height = image.size
            mode, kind = image.mode, image.format
            if kind != "PNG":
                return FileCheck("corrupt", f"{kind} data, not PNG or DICOM")
            too_large = _too_large(width, height)
            if too_large:
                return too_large
            image.verify()
        problem = inflate_problem(file)
        if problem:
            return FileCheck("corrupt", problem)
        if check == "full":
            with Image.open(file) as image:
                image.load()
    return FileCheck(None, width=width, height=height, mode=mode)


def _dicom_check(file: Path) -> FileCheck:
    """A DICOM file decoded through the transform of :mod:`mura_core.data.dicom`."""
    from mura_core.data.dicom import DicomRefused, read_dicom

    try:
        height, width = read_dicom(file, max_pixels=max_pixels()).shape
    except DicomRefused as error:
        return FileCheck("corrupt", str(error).removeprefix(f"{file}: "))
    return FileCheck(None, width=width, height=height, mode="L")


def check_file(file: Path, check: str) -> FileCheck:
    """Check ``file`` at the level ``check`` (:data:`CHECKS`)."""
    from mura_core.data.dicom import is_dicom

    try:
        if not file.is_file():
            if file.exists():
                return FileCheck("corrupt", "not a regular file")
            return FileCheck("missing")
        if check == "exists":
            return FileCheck(None)
        if is_dicom(file):
            return _dicom_check(file)
        size = _png_size(file)
        too_large = _too_large(*size) if size else None
        if too_large:
            return too_large
        return _open_and_verify(file, check)
    except UnidentifiedImageError:
        return FileCheck("corrupt", "not an image")
    except Image.DecompressionBombError as error:
        return FileCheck("too_large", str(error)[:120])
    except MuraError:
        raise
    except Exception as error:  # PIL raises OSError, SyntaxError, ValueError, zlib.error...
        text = str(error).replace(str(file), "").strip() or type(error).__name__
        return FileCheck("corrupt", text[:120])


def image_problem(file: str | Path, check: str = "full") -> str | None:
    """Why ``file`` is not a usable image (missing, not PNG or DICOM, corrupt), or ``None``."""
    result = check_file(Path(file), check)
    if result.kind is None:
        return None
    return result.kind + (f" ({result.detail})" if result.detail else "")
