"""Images named on the command line: PNG files, study folders, or MURA CSVs of paths.

A CSV is read as MURA's ``*_image_paths.csv``: headerless, one image path per line,
relative to the folder holding ``MURA-v1.1`` (the CSV's grandparent), to the CSV's own
folder, or to the working directory, whichever holds the file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from mura_core.data.layout import IMAGE_SUFFIXES
from mura_core.errors import MuraError

__all__ = ["body_part_of", "collect_images", "csv_bases", "csv_rows", "locate_csv_path"]


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
        files = sorted(
            file for file in path.iterdir()
            if file.suffix.lower() in IMAGE_SUFFIXES and not file.name.startswith(".")
        )  # fmt: skip
        if not files:
            raise MuraError(f"{path}: no PNG images in this folder")
        return files
    if path.is_file() and path.suffix.lower() == ".csv":
        return list(_csv_images(path))
    if path.is_file():
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            raise MuraError(f"{path}: not a PNG image, a study folder or a CSV of image paths")
        return [path]
    raise MuraError(f"{path}: no such file or folder")


def collect_images(paths: Sequence[str]) -> pd.DataFrame:
    """One row per image: ``path``, ``study`` (its folder) and ``body_part``.

    Each distinct file is checked once, however many times it is named.

    Raises:
        MuraError: a path that is not an image, a folder of images or a CSV of them, or
            an image that cannot be read (one line naming it).
    """
    from mura_core.data.distinct import once_each
    from mura_core.data.loader import image_problem
    from mura_core.data.walking import decodable, printable

    def checked(file: Path) -> dict[str, str | None]:
        if not decodable(str(file)):
            raise MuraError(f"{printable(str(file))}: file name is not valid UTF-8")
        problem = image_problem(file)
        if problem:
            raise MuraError(f"{file}: {problem}")
        return {"path": str(file), "study": str(file.parent), "body_part": body_part_of(file)}

    files = (file for given in paths for file in _files(given))
    return pd.DataFrame(list(once_each(files, checked).values())).reset_index(drop=True)
