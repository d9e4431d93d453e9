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

__all__ = ["collect_images"]


def _body_part(path: Path) -> str | None:
    return next((part for part in reversed(path.parts) if part.startswith("XR_")), None)


def _csv_images(table: Path) -> Iterator[Path]:
    bases = (table.parent.parent, table.parent, Path.cwd())
    try:
        with table.open(newline="", encoding="utf-8") as handle:
            rows = [row for row in csv.reader(handle) if row and row[0].strip()]
    except (UnicodeDecodeError, csv.Error) as error:
        raise MuraError(f"{table}: not a CSV of image paths ({error})") from None
    for number, row in enumerate(rows, start=1):
        relative = Path(row[0].strip())
        found = next((base / relative for base in bases if (base / relative).is_file()), None)
        if found is None:
            raise MuraError(f"{table}, line {number}: no image at {relative}")
        yield found


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

    Raises:
        MuraError: a path that is not an image, a folder of images or a CSV of them, or
            an image that cannot be read (one line naming it).
    """
    from mura_core.data.loader import image_problem
    from mura_core.data.walking import decodable, printable

    rows = []
    for given in paths:
        for file in _files(given):
            if not decodable(str(file)):
                raise MuraError(f"{printable(str(file))}: file name is not valid UTF-8")
            problem = image_problem(file)
            if problem:
                raise MuraError(f"{file}: {problem}")
            rows.append(
                {"path": str(file), "study": str(file.parent), "body_part": _body_part(file)}
            )
    return pd.DataFrame(rows).drop_duplicates("path").reset_index(drop=True)
