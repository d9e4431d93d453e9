"""The MURA loader: MURA-v1.1 as Stanford ships it, into an :class:`ImageDataset`.

>>> from mura_core.data import load_mura
>>> data = load_mura("~/data", body_parts="XR_WRIST")       # doctest: +SKIP
>>> data.frame.head()                                        # doctest: +SKIP
>>> print(data.problems.lines())                             # doctest: +SKIP

Per split, images come from ``<split>_image_paths.csv`` when present, otherwise from
walking ``<split>/``; labels from ``<split>_labeled_studies.csv`` when present, otherwise
from the study folder names. Every bad input is counted in
:attr:`~mura_core.data.ImageDataset.problems` with one example per kind (see
:mod:`mura_core.data.problems`) and skipped; with ``strict=True`` the first one raises
:class:`~mura_core.data.problems.DataProblemError` naming its path. Loading never imports
TensorFlow.
"""

from __future__ import annotations

import csv
import os
import posixpath
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from mura_core.data.checks import check_file, image_problem
from mura_core.data.dataset import FRAME_COLUMNS, ImageDataset
from mura_core.data.layout import (
    BODY_PARTS,
    IMAGE_SUFFIXES,
    SPLITS,
    ImagePath,
    MuraRoot,
    image_paths_csv,
    labeled_studies_csv,
    parse_image_path,
    parse_study_path,
    resolve_root,
)
from mura_core.data.problems import ProblemReport
from mura_core.data.walking import Confinement, decodable, printable, walk_files
from mura_core.errors import MuraError
from mura_core.vocabulary import CHECKS, Check

#: Columns of :attr:`~mura_core.data.ImageDataset.frame` beyond :data:`FRAME_COLUMNS`:
#: ``relpath`` the path as the CSVs write it; ``width``, ``height`` (pixels) and ``mode`` (PIL mode,
#: ``L``, ``RGB``...) from the file header, missing with ``check="exists"``.
EXTRA_COLUMNS: tuple[str, ...] = ("relpath", "width", "height", "mode")

__all__ = [
    "CHECKS",
    "EXTRA_COLUMNS",
    "Check",
    "MuraDataset",
    "image_problem",
    "load_mura",
    "read_study_labels",
    "select_body_parts",
]


def select_body_parts(body_parts: str | Iterable[str] | None) -> tuple[str, ...]:
    """Validate a body-part filter; ``None`` means all seven.

    Accepts MURA's folder names (``XR_WRIST``) and, case-insensitively, the bare part
    (``wrist``).

    Raises:
        MuraError: an unknown body part (with the closest one suggested).
    """
    from registry.errors import closest

    if body_parts is None:
        return BODY_PARTS
    if isinstance(body_parts, str):
        body_parts = [body_parts]
    selected: list[str] = []
    for part in body_parts:
        name = part.strip().upper()
        if not name.startswith("XR_"):
            name = f"XR_{name}"
        if name not in BODY_PARTS:
            bare = closest(name[3:], [known[3:] for known in BODY_PARTS])
            hint = f"XR_{bare}" if bare else None
            message = f"unknown body part {part!r}; expected one of {', '.join(BODY_PARTS)}"
            raise MuraError(message + (f" (did you mean {hint}?)" if hint else ""))
        if name not in selected:
            selected.append(name)
    return tuple(part for part in BODY_PARTS if part in selected)


def _ordered_map(function, items: Sequence, workers: int) -> Iterator:
    """``map`` over a thread pool, in order, cancelling pending work when abandoned."""
    if workers <= 1 or len(items) < 64:
        yield from map(function, items)
        return
    executor = ThreadPoolExecutor(max_workers=workers)
    try:
        futures: list[Future] = [executor.submit(function, item) for item in items]
        for future in futures:
            yield future.result()
    finally:
        # no wait: an abandoned generator may be finalised by one of the pool's threads,
        # which cannot join itself; running items finish on their own
        executor.shutdown(wait=False, cancel_futures=True)


def _read_csv_rows(file: Path) -> list[tuple[int, list[str]]]:
    """Non-blank rows of a headerless CSV with their line numbers.

    Undecodable bytes and rows the csv module rejects become rows of their raw text,
    which the caller then reports as malformed: a damaged CSV is never a crash.

    Raises:
        MuraError: the file cannot be read at all.
    """
    try:
        text = file.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError as error:
        raise MuraError(f"{file}: cannot read ({error.strerror or error})") from None
    rows = []
    for number, line in enumerate(text.replace("\0", "").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = next(csv.reader([line]), [line])
        except csv.Error:
            row = [line]
        rows.append((number, row or [line]))
    return rows


def read_study_labels(
    file: Path, split: str, malformed: Callable[[str, str], None] | None = None
) -> dict[str, int]:
    """Each study's label in ``file``, a ``<split>_labeled_studies.csv`` (the first row
    of a study wins). Malformed rows are skipped, each passed to ``malformed(text,
    detail)``.

    Raises:
        MuraError: the file cannot be read at all.
    """
    labels: dict[str, int] = {}
    for number, row in _read_csv_rows(file):
        text = row[0].strip()
        try:
            study = parse_study_path(posixpath.normpath(text.replace("\\", "/")))
            if study.split != split:
                raise ValueError(f"listed in the {split} CSV")
            if len(row) < 2 or row[1].strip() not in ("0", "1"):
                raise ValueError("label must be 0 or 1")
        except ValueError as error:
            if malformed is not None:
                malformed(text, f"{file.name}:{number}: {error}")
            continue
        labels.setdefault(study.study, int(row[1]))
    return labels


class MuraDataset(ImageDataset):
    """MURA-v1.1 loaded from disk, one frame row per usable image.

    Args:
        root: the folder holding ``MURA-v1.1``, or that folder itself.
        body_parts: a body part or several (``XR_WRIST`` or ``wrist``); all by default.
        splits: which MURA splits to load (``train``, ``valid``).
        strict: raise :class:`~mura_core.data.problems.DataProblemError` on the first
            problem instead of counting it.
        check: how much of each image file is checked (:data:`CHECKS`).
        workers: threads checking files (default: a few per CPU).

    Attributes:
        root: where the tree was found.
        sources: per split, where its images were listed: ``csv``, ``walk`` or ``absent``.
        body_part_filter: the body parts loaded.

    Raises:
        MuraError: ROOT is not a MURA tree, or an argument is invalid.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        body_parts: str | Iterable[str] | None = None,
        splits: Sequence[str] = SPLITS,
        strict: bool = False,
        check: Check = "verify",
        workers: int | None = None,
    ) -> None:
        if check not in CHECKS:
            raise MuraError(f"unknown check {check!r}; expected one of {', '.join(CHECKS)}")
        unknown = [split for split in splits if split not in SPLITS]
        if unknown:
            raise MuraError(f"unknown split {unknown[0]!r}; expected train or valid")
        self.root: MuraRoot = resolve_root(root)
        self._confinement = Confinement(self.root.mura)
        self.body_part_filter = select_body_parts(body_parts)
        self.sources: dict[str, str] = {}
        self._problems = ProblemReport(strict=strict)
        self._workers = workers or min(16, 4 * (os.cpu_count() or 1))
        frames = [self._load_split(split, check) for split in splits]
        self._frame = pd.concat(frames, ignore_index=True) if frames else _empty_frame()

    @property
    def frame(self) -> pd.DataFrame:
        return self._frame

    @property
    def problems(self) -> ProblemReport:
        return self._problems

    def __repr__(self) -> str:
        return (
            f"MuraDataset(root={str(self.root.mura)!r}, images={len(self._frame)}, "
            f"problems={self._problems.total})"
        )

    # -- one split --------------------------------------------------------------------

    def _load_split(self, split: str, check: str) -> pd.DataFrame:
        listing = self.root.mura / image_paths_csv(split)
        folder = self.root.mura / split
        if listing.is_file():
            self.sources[split] = "csv"
            images = self._listed_images(split, listing)
            self._report_unlisted(split, {image.relpath for image in images})
        elif folder.is_dir():
            self.sources[split] = "walk"
            images = self._walked_images(split)
        else:
            self.sources[split] = "absent"
            return _empty_frame()
        rows = self._check_files(images, check)
        frame = pd.DataFrame(rows, columns=[*FRAME_COLUMNS, *EXTRA_COLUMNS])
        return self._apply_labels(split, frame)

    def _walk_roots(self, split: str) -> list[Path]:
        folder = self.root.mura / split
        if self.body_part_filter == BODY_PARTS:
            return [folder]
        return [folder / part for part in self.body_part_filter if (folder / part).is_dir()]

    def _listed_images(self, split: str, listing: Path) -> list[ImagePath]:
        images: list[ImagePath] = []
        seen: set[str] = set()
        for number, row in _read_csv_rows(listing):
            text = row[0].strip()
            where = f"{listing.name}:{number}"
            normalized = posixpath.normpath(text.replace("\\", "/"))
            if posixpath.isabs(normalized) or normalized.split("/")[0] == "..":
                self._problems.add("outside_root", text, f"listed at {where}")
                continue
            try:
                image = parse_image_path(normalized)
            except ValueError as error:
                self._problems.add("malformed", text, f"{where}: {error}")
                continue
            if image.split != split:
                self._problems.add("malformed", text, f"{where}: listed in the {split} CSV")
                continue
            if image.body_part not in self.body_part_filter:
                continue
            if image.relpath in seen:
                self._problems.add("duplicate", text, f"listed again at {where}")
                continue
            seen.add(image.relpath)
            images.append(image)
        return images

    def _walk(self, split: str) -> Iterator[tuple[Path, str, bool]]:
        """Files of ``split``: path, CSV form, and whether it stays inside the root."""
        for walk_root in self._walk_roots(split):
            for file, inside in walk_files(walk_root, self._confinement):
                yield file, self.root.relative(file), inside

    def _report_unlisted(self, split: str, listed: set[str]) -> None:
        for _, relpath, inside in self._walk(split):
            if inside and relpath not in listed:  # listed links are checked with the list
                self._problems.add("unlisted", printable(relpath))

    def _walked_images(self, split: str) -> list[ImagePath]:
        images: list[ImagePath] = []
        for file, relpath, inside in self._walk(split):
            if not inside:
                self._problems.add("outside_root", printable(relpath), "a symbolic link")
            elif not decodable(relpath):
                self._problems.add("malformed", printable(relpath), "name is not UTF-8")
            elif file.name.startswith(".") or not file.name.lower().endswith(IMAGE_SUFFIXES):
                self._problems.add("unlisted", relpath, "not an image file name")
            else:
                try:
                    image = parse_image_path(relpath)
                except ValueError as error:
                    self._problems.add("malformed", relpath, str(error))
                    continue
                if image.body_part in self.body_part_filter:
                    images.append(image)
        return images

    def _check_files(self, images: list[ImagePath], check: str) -> list[tuple]:
        inside = [self._confinement.inside(self.root.locate(i.relpath)) for i in images]
        for image in (image for image, kept in zip(images, inside) if not kept):
            self._problems.add("outside_root", image.relpath, "a symbolic link")
        images = [image for image, kept in zip(images, inside) if kept]
        files = [self.root.locate(image.relpath) for image in images]
        results = _ordered_map(lambda file: check_file(file, check), files, self._workers)
        rows = []
        for image, file, result in zip(images, files, results):
            if result.kind is not None:
                self._problems.add(result.kind, image.relpath, result.detail)  # type: ignore[arg-type]
                continue
            rows.append(
                (
                    str(file),
                    image.split,
                    image.body_part,
                    image.patient,
                    image.study,
                    image.label,
                    image.relpath,
                    result.width,
                    result.height,
                    result.mode,
                )
            )
        return rows

    def _study_labels(self, split: str) -> dict[str, int] | None:
        file = self.root.mura / labeled_studies_csv(split)
        if not file.is_file():
            return None
        return read_study_labels(
            file, split, lambda text, detail: self._problems.add("malformed", text, detail)
        )

    def _apply_labels(self, split: str, frame: pd.DataFrame) -> pd.DataFrame:
        labels = self._study_labels(split)
        if labels is None or frame.empty:
            return _typed(frame)
        folder_labels = frame.groupby("study", sort=False)["label"].first()
        for study, folder_label in folder_labels.items():
            if study not in labels:
                self._problems.add("unlabeled", f"{study}/", "label taken from the folder name")
            elif labels[study] != folder_label:
                self._problems.add(
                    "label_mismatch",
                    f"{study}/",
                    f"CSV says {labels[study]}, folder says {folder_label}; CSV kept",
                )
        frame["label"] = [
            labels.get(study, label) for study, label in zip(frame["study"], frame["label"])
        ]
        return _typed(frame)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"label": "int64", "width": "Int64", "height": "Int64"})
    return frame.reset_index(drop=True)


def _empty_frame() -> pd.DataFrame:
    return _typed(pd.DataFrame({column: [] for column in (*FRAME_COLUMNS, *EXTRA_COLUMNS)}))


def load_mura(
    root: str | os.PathLike[str],
    *,
    body_parts: str | Iterable[str] | None = None,
    splits: Sequence[str] = SPLITS,
    strict: bool = False,
    check: Check = "verify",
) -> MuraDataset:
    """Load MURA from ``root`` (see :class:`MuraDataset` for the arguments)."""
    return MuraDataset(root, body_parts=body_parts, splits=splits, strict=strict, check=check)
