"""Images named on the command line: PNG or DICOM files, study folders, or MURA CSVs of paths.

A study folder's images are its PNG and DICOM files: those named ``*.png``, ``*.dcm`` or
``*.dicom``, and any other file that is DICOM by content (archives often name them
``IM000001``); hidden files are left out.

A CSV is read as MURA's ``*_image_paths.csv``: headerless, one image path per line,
relative to the folder holding ``MURA-v1.1`` (the CSV's grandparent), to the CSV's own
folder, or to the working directory, whichever holds the file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from mura_core.data.layout import IMAGE_SUFFIXES
from mura_core.errors import MuraError

__all__ = [
    "body_part_of",
    "collect_images",
    "csv_bases",
    "csv_rows",
    "grayscale_pixels",
    "image_size",
    "is_image_file",
    "locate_csv_path",
]


def is_image_file(path: Path) -> bool:
    """True for a file taken as an image in a folder: not hidden, and named as a PNG or
    DICOM file or DICOM by content."""
    from mura_core.data.dicom import is_dicom

    if path.name.startswith(".") or not path.is_file():
        return False
    return path.suffix.lower() in IMAGE_SUFFIXES or is_dicom(path)


def grayscale_pixels(path: str | Path) -> np.ndarray:
    """``uint8 [height, width]``: the image as the models see it before resizing (a PNG
    as luminance, a DICOM file through :mod:`mura_core.data.dicom`'s transform)."""
    from PIL import Image

    from mura_core.data.dicom import is_dicom, read_dicom

    if is_dicom(path):
        return read_dicom(path)
    with Image.open(path) as image:
        return np.asarray(image.convert("L"), dtype=np.uint8)


def image_size(path: str | Path) -> tuple[int, int]:
    """``(width, height)`` of a PNG (from its header) or DICOM image."""
    from PIL import Image

    from mura_core.data.dicom import is_dicom

    if is_dicom(path):
        height, width = grayscale_pixels(path).shape
        return width, height
    with Image.open(path) as image:
        return image.size


def body_part_of(path: Path) -> str | None:
    """The ``XR_*`` part of a path (None: no such folder in it)."""
    return next((part for part in reversed(path.parts) if part.startswith("XR_")), None)


def csv_rows(table: Path) -> list[tuple[int, list[str]]]:
    """The non-blank rows of a CSV with their line numbers (1-based).

    Raises:
        MuraError: the file is not UTF-8 text or not CSV.
    """
    try:
        with table.open(newline="", encoding="utf-8-sig") as handle:  # a BOM is dropped
            rows = list(enumerate(csv.reader(handle), start=1))
    except (UnicodeDecodeError, csv.Error) as error:
        raise MuraError(f"{table}: not a CSV of image paths ({error})") from None
    return [(number, row) for number, row in rows if row and any(c.strip() for c in row)]


def csv_bases(table: Path) -> tuple[Path, Path, Path]:
    """Where a CSV's relative paths are looked up, in order: the CSV's grandparent (the
    folder holding ``MURA-v1.1``), its own folder, the working directory."""
    return (table.parent.parent, table.parent, Path.cwd())


def locate_csv_path(table: Path, relative: str) -> Path | None:
    """The file a CSV row names, under the first of :func:`csv_bases` that holds it
    (None: none does)."""
    bases = csv_bases(table)
    path = Path(relative.strip())
    return next((base / path for base in bases if (base / path).is_file()), None)


def _csv_images(table: Path) -> Iterator[Path]:
    """The files a CSV's rows name, in row order (each distinct path looked up once)."""
    from mura_core.data.distinct import once_each

    numbered = csv_rows(table)
    found = once_each((row[0].strip() for _, row in numbered),
                      lambda given: locate_csv_path(table, given))  # fmt: skip
    for number, row in numbered:
        file = found[row[0].strip()]
        if file is None:
            raise MuraError(f"{table}, line {number}: no image at {Path(row[0].strip())}")
        yield file


def _files(given: str) -> list[Path]:
    path = Path(given)
    if path.is_dir():
        files = sorted(file for file in path.iterdir() if is_image_file(file))
        if not files:
            raise MuraError(f"{path}: no PNG or DICOM images in this folder")
        return files
    if path.is_file() and path.suffix.lower() == ".csv":
        return list(_csv_images(path))
    if path.is_file():
        if not is_image_file(path):
            raise MuraError(
                f"{path}: not a PNG or DICOM image, a study folder or a CSV of image paths"
            )
        return [path]
    raise MuraError(f"{path}: no such file or folder")


def collect_images(paths: Sequence[str]) -> pd.DataFrame:
    """One row per image: ``path``, ``study`` (its folder) and ``body_part``.

    Each distinct file is checked once, however many times it is named.

    Raises:
        MuraError: a path that is not an image, a folder of images or a CSV of them, or
            an image that cannot be read (one line naming it).
    """
    from mura_core.data.checks import max_pixels
    from mura_core.data.dicom import is_dicom, read_dicom
    from mura_core.data.distinct import once_each
    from mura_core.data.loader import image_problem
    from mura_core.data.walking import decodable, printable

    def checked(file: Path) -> dict[str, str | None]:
        if not decodable(str(file)):
            raise MuraError(f"{printable(str(file))}: file name is not valid UTF-8")
        if is_dicom(file):  # a refusal is its own one line
            read_dicom(file, max_pixels=max_pixels())
            problem = None
        else:
            problem = image_problem(file)
        if problem:
            raise MuraError(f"{file}: {problem}")
        return {"path": str(file), "study": str(file.parent), "body_part": body_part_of(file)}

    files = (file for given in paths for file in _files(given))
    return pd.DataFrame(list(once_each(files, checked).values())).reset_index(drop=True)
