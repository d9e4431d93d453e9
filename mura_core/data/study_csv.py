"""The ``study-csv`` layout: a folder of study folders and one CSV of study labels.

For data of your own, laid out as::

    ROOT/
        studies.csv
        <any folders>/<study folder>/<image>.png (or DICOM: .dcm, or any name)

``studies.csv`` is UTF-8 with a header row; its columns, in any order (others are
ignored):

``study``
    the study folder, relative to ROOT with ``/`` separators (``wrist/p0001/s1``); its
    images are the PNG and DICOM files directly inside it (as
    :func:`~mura_core.data.images.is_image_file` decides: ``.png``, ``.dcm``, ``.dicom``,
    or DICOM by content). No absolute path, no ``..``.
``patient``
    who the study is of: any non-empty text. Every study of one patient lands in the same
    subset of a split, so the same person is never in training and validation.
``body_part``
    one of the seven MURA body parts, as ``XR_WRIST`` or ``wrist`` (any case).
``label``
    ``0`` normal or ``1`` abnormal.
``split`` (optional)
    ``train`` (the default) or ``valid``: ``valid`` studies are the held-out test set,
    the rest are split by patient into training and validation.

A missing column, an unknown body part, a bad label, a study folder that is missing or
holds no PNG or DICOM image, and a study listed twice are one-line errors naming the CSV line.
Image files that cannot be read are counted as problems and skipped, as for MURA.
"""

from __future__ import annotations

import csv
import os
import posixpath
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from mura_core.data.checks import check_file
from mura_core.data.dataset import FRAME_COLUMNS, ImageDataset
from mura_core.data.layout import SPLITS
from mura_core.data.loader import EXTRA_COLUMNS, _ordered_map, _typed, select_body_parts
from mura_core.data.problems import ProblemReport
from mura_core.data.walking import Confinement
from mura_core.errors import MuraError
from mura_core.vocabulary import CHECKS, Check

__all__ = ["COLUMNS", "OPTIONAL_COLUMNS", "STUDIES_CSV", "StudyCsvDataset", "detect", "labels"]

#: The CSV's file name, directly in ROOT.
STUDIES_CSV = "studies.csv"
#: Columns every ``studies.csv`` has.
COLUMNS: tuple[str, ...] = ("study", "patient", "body_part", "label")
#: Columns it may have.
OPTIONAL_COLUMNS: tuple[str, ...] = ("split",)


def detect(root: Path) -> bool:
    """True when ``root`` holds a ``studies.csv``."""
    return (root / STUDIES_CSV).is_file()


def _study_folder(text: str) -> str:
    """The study path, normalised; ``ValueError`` when it is absolute or leaves ROOT."""
    path = posixpath.normpath(text.strip().replace("\\", "/"))
    if not text.strip() or posixpath.isabs(path) or path == "." or path.split("/")[0] == "..":
        raise ValueError(f"study {text!r} must be a folder path relative to ROOT, inside it")
    return path


def _row(values: dict[str, str], where: str) -> tuple[str, str, str, int, str]:
    """``(study, patient, body part, label, split)`` of one CSV row, checked."""
    try:
        study = _study_folder(values["study"])
    except ValueError as error:
        raise MuraError(f"{where}: {error}") from None
    patient = values["patient"].strip()
    if not patient:
        raise MuraError(f"{where}: patient is empty")
    try:
        (body_part,) = select_body_parts(values["body_part"])
    except MuraError as error:
        raise MuraError(f"{where}: {error}") from None
    label = values["label"].strip()
    if label not in ("0", "1"):
        raise MuraError(f"{where}: label must be 0 or 1 (got {label!r})")
    split = (values.get("split") or "train").strip()
    if split not in SPLITS:
        raise MuraError(f"{where}: split must be train or valid (got {split!r})")
    return study, patient, body_part, int(label), split


def read_studies(root: Path) -> list[tuple[str, str, str, int, str]]:
    """The checked rows of ``root/studies.csv``.

    Raises:
        MuraError: no such file, a missing column or a bad row (naming its line).
    """
    file = root / STUDIES_CSV
    try:
        text = file.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError as error:
        raise MuraError(f"{file}: cannot read ({error.strerror or error})") from None
    reader = csv.reader(text.replace("\0", "").splitlines())
    header = [name.strip() for name in next(reader, [])]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise MuraError(
            f"{file}: missing column(s) {', '.join(missing)} "
            f"(a header row of {', '.join(COLUMNS)}[, split] is needed)"
        )
    rows, seen = [], {}
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        where = f"{STUDIES_CSV} line {number}"
        row = _row(dict(zip(header, cells + [""] * (len(header) - len(cells)))), where)
        if row[0] in seen:
            raise MuraError(f"{where}: study {row[0]} listed again (first at line {seen[row[0]]})")
        seen[row[0]] = number
        rows.append(row)
    return rows


def _images(root: Path, study: str, where: str) -> list[str]:
    """The image file names in the study folder, sorted; an error when there are none."""
    from mura_core.data.images import is_image_file

    folder = root.joinpath(*study.split("/"))
    if not folder.is_dir():
        raise MuraError(f"{where}: study folder {study} does not exist under {root}")
    names = sorted(entry.name for entry in os.scandir(folder)
                   if is_image_file(Path(entry.path)))  # fmt: skip
    if not names:
        raise MuraError(f"{where}: study folder {study} holds no PNG or DICOM image")
    return names


class StudyCsvDataset(ImageDataset):
    """A ``study-csv`` root loaded from disk (see the module for its layout).

    Args: as :class:`~mura_core.data.loader.MuraDataset`'s: ``root``, ``body_parts``,
    ``strict``, ``check``.

    Attributes:
        root: the folder holding ``studies.csv``.
        sources: per split, ``csv``.
        body_part_filter: the body parts loaded.

    Raises:
        MuraError: the CSV or a study folder is not as the module describes.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        body_parts: str | Iterable[str] | None = None,
        strict: bool = False,
        check: Check = "verify",
    ) -> None:
        if check not in CHECKS:
            raise MuraError(f"unknown check {check!r}; expected one of {', '.join(CHECKS)}")
        self.root = Path(root).absolute()
        if not detect(self.root):
            raise MuraError(f"{root}: no {STUDIES_CSV} (the study-csv layout needs one)")
        self.body_part_filter = select_body_parts(body_parts)
        self._problems = ProblemReport(strict=strict)
        rows = read_studies(self.root)
        self.sources = {split: "csv" for split in sorted({row[4] for row in rows})}
        self._frame = _typed(pd.DataFrame(self._checked(rows, check),
                                          columns=[*FRAME_COLUMNS, *EXTRA_COLUMNS]))  # fmt: skip

    @property
    def frame(self) -> pd.DataFrame:
        return self._frame

    @property
    def problems(self) -> ProblemReport:
        return self._problems

    def _checked(self, rows: list[tuple[str, str, str, int, str]], check: str) -> list[tuple]:
        confinement = Confinement(self.root)
        listed = []
        for number, (study, patient, body_part, label, split) in enumerate(rows, start=2):
            if body_part not in self.body_part_filter:
                continue
            for name in _images(self.root, study, f"{STUDIES_CSV} line {number}"):
                relpath = f"{study}/{name}"
                file = self.root.joinpath(*relpath.split("/"))
                if not confinement.inside(file):
                    self._problems.add("outside_root", relpath, "a symbolic link")
                    continue
                listed.append((file, split, body_part, patient, study, label, relpath))
        results = _ordered_map(lambda item: check_file(item[0], check), listed, 8)
        kept = []
        for (file, *values, relpath), result in zip(listed, results):
            if result.kind is not None:
                self._problems.add(result.kind, relpath, result.detail)  # type: ignore[arg-type]
                continue
            kept.append((str(file), *values, relpath, result.width, result.height, result.mode))
        return kept

    def __repr__(self) -> str:
        return (
            f"StudyCsvDataset(root={str(self.root)!r}, images={len(self._frame)}, "
            f"problems={self._problems.total})"
        )


def labels(root: Path, relpaths: Iterable[str]) -> list[int]:
    """The label ``studies.csv`` gives each image of ``relpaths`` now (-1: not listed)."""
    by_study = {row[0]: row[3] for row in read_studies(Path(root))}
    return [by_study.get(str(path).rsplit("/", 1)[0], -1) for path in relpaths]
