"""The fingerprint of the data a run saw: each image's size, modification time and label.

When its training starts, a run records one row per image it is trained, validated and
tested on, in a tab-separated table (``fingerprint.tsv`` in the run folder)::

    subset  path                                                size   mtime_ns  label
    test    MURA-v1.1/valid/XR_WRIST/patient11185/study1/...png  23641  17965...  1

``path`` is relative to the folder the dataset layout's paths start from (for MURA the
folder holding ``MURA-v1.1``), as in ``split.csv``, so the
record holds wherever the tree is copied (with its times: ``cp -p``, ``rsync -t``);
``size`` is in bytes and ``mtime_ns`` the modification time in nanoseconds, what the
file cache's key uses (``mura_core.data.cache_key``); ``label`` is the label the run
was given. Taking a fingerprint only reads file metadata, never image bytes.

:func:`compare` tells which recorded images differ now under a data root (missing,
another size, modified) and which studies' labels differ from the tree's label files.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mura_core.data.layout import labeled_studies_csv, parse_study_path, resolve_root
from mura_core.errors import MuraError

__all__ = [
    "FINGERPRINT_COLUMNS",
    "DataChanges",
    "compare",
    "compare_files",
    "current_labels",
    "fingerprint_split",
    "merge_fingerprints",
    "mura_labels",
    "read_fingerprint",
    "write_fingerprint",
]

#: The columns of a fingerprint table, in order.
FINGERPRINT_COLUMNS: tuple[str, ...] = ("subset", "path", "size", "mtime_ns", "label")
_NUMBERS = ("size", "mtime_ns", "label")
#: Characters of the examples a change's description shows, at most.
_EXAMPLES_BUDGET = 160


def _stat(path: str | os.PathLike[str]) -> tuple[int, int]:
    """``(size, mtime_ns)`` of a file; ``(-1, -1)`` when it is missing."""
    try:
        status = os.stat(path)
    except OSError:
        return -1, -1
    return status.st_size, status.st_mtime_ns


def fingerprint_split(split) -> pd.DataFrame:
    """The fingerprint of every image of a :class:`~mura_core.data.split.DataSplit`, taken
    now: its files' sizes and times, and the labels its frames hold."""
    parts = []
    for subset, frame in split.subsets.items():
        paths = frame["relpath"] if "relpath" in frame.columns else frame["path"]
        stats = [_stat(path) for path in frame["path"]]
        parts.append(
            pd.DataFrame(
                {
                    "subset": subset,
                    "path": paths.astype(str).to_numpy(),
                    "size": np.array([size for size, _ in stats], dtype=np.int64),
                    "mtime_ns": np.array([mtime for _, mtime in stats], dtype=np.int64),
                    "label": frame["label"].astype("int64").to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[list(FINGERPRINT_COLUMNS)]


def merge_fingerprints(*tables: pd.DataFrame | None) -> pd.DataFrame:
    """One table of the rows of ``tables``; for an image recorded in several, the
    first table's row wins."""
    kept = [table for table in tables if table is not None]
    if not kept:
        return pd.DataFrame({column: [] for column in FINGERPRINT_COLUMNS})
    merged = pd.concat(kept, ignore_index=True)
    return merged.drop_duplicates(["subset", "path"], keep="first").reset_index(drop=True)


def write_fingerprint(table: pd.DataFrame, file: str | os.PathLike[str]) -> Path:
    """Write ``table`` as TSV through a temporary file and a rename."""
    file = Path(file)
    staged = file.with_name(f".{file.name}.tmp")
    table[list(FINGERPRINT_COLUMNS)].to_csv(staged, sep="\t", index=False, lineterminator="\n")
    os.replace(staged, file)
    return file


def read_fingerprint(file: str | os.PathLike[str]) -> pd.DataFrame | None:
    """The table in ``file``; ``None`` when there is no such file.

    Raises:
        MuraError: the file is unreadable or not a fingerprint table.
    """
    file = Path(file)
    if not file.is_file():
        return None
    try:
        table = pd.read_csv(io.BytesIO(file.read_bytes()), sep="\t", dtype=str,
                            keep_default_na=False)  # fmt: skip
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise MuraError(f"{file}: damaged data fingerprint ({error})") from None
    missing = [column for column in FINGERPRINT_COLUMNS if column not in table.columns]
    if missing:
        raise MuraError(f"{file}: damaged data fingerprint (no column {missing[0]})")
    for column in _NUMBERS:
        numbers = pd.to_numeric(table[column], errors="coerce")
        if numbers.isna().any():
            row = int(np.flatnonzero(numbers.isna().to_numpy())[0]) + 2
            raise MuraError(f"{file}, line {row}: damaged data fingerprint ({column})")
        table[column] = numbers.astype("int64")
    return table[list(FINGERPRINT_COLUMNS)]


def current_labels(root: str | Path, paths: Iterable[str]) -> np.ndarray:
    """The label the data root ``root`` gives each image of ``paths`` (relative paths,
    as recorded) now, read by the root's dataset layout (:mod:`mura_core.data.sources`).

    Raises:
        MuraError: ``root`` is no data root, or a path is not one of its layout's.
    """
    from mura_core.data.sources import open_data

    return open_data(root).labels(list(paths))


def mura_labels(root: str | Path, paths: Iterable[str]) -> np.ndarray:
    """The label the MURA tree at ``root`` gives each image of ``paths`` (``MURA-v1.1/...``)
    now: its study's row in ``<split>_labeled_studies.csv``, else its folder's name, as
    :func:`~mura_core.data.loader.load_mura` reads them.

    Raises:
        MuraError: a path that is not a MURA image path.
    """
    from mura_core.data.loader import read_study_labels

    mura = resolve_root(root).mura
    csvs: dict[str, dict[str, int] | None] = {}
    studies: dict[str, int] = {}
    labels = []
    for path in paths:
        folder = str(path).rsplit("/", 1)[0]
        if folder not in studies:
            try:
                study = parse_study_path(folder)
            except ValueError as error:
                raise MuraError(f"{path}: not an image path of MURA ({error})") from None
            if study.split not in csvs:
                file = mura / labeled_studies_csv(study.split)
                csvs[study.split] = read_study_labels(file, study.split) if file.is_file() else None
            listed = csvs[study.split] or {}
            studies[folder] = listed.get(study.study, study.label)
        labels.append(studies[folder])
    return np.array(labels, dtype=np.int64)


@dataclass(frozen=True)
class DataChanges:
    """How data differs from its record.

    Attributes:
        images: ``(path, what)`` of each image that differs, ``what`` one of
            ``missing``, ``size`` (another size) or ``modified`` (another time).
        labels: ``(study, recorded, now)`` of each study whose label differs.
    """

    images: tuple[tuple[str, str], ...] = ()
    labels: tuple[tuple[str, int, int], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.images or self.labels)

    def describe(self, budget: int = _EXAMPLES_BUDGET) -> str:
        """``3 images differ (valid/XR_.../image1.png size, ...) and 1 label differs
        (...)``: the counts, and examples (at least one of each) in about ``budget``
        characters."""
        budget = [budget]
        parts = []
        if self.images:
            examples = [f"{_short(path)} {what}" for path, what in self.images]
            parts.append(f"{_differ(len(self.images), 'image')} ({_shown(examples, budget)})")
        if self.labels:
            examples = [f"{_short(study)} {old}, now {new}" for study, old, new in self.labels]
            parts.append(f"{_differ(len(self.labels), 'label')} ({_shown(examples, budget)})")
        return " and ".join(parts)


def _differ(count: int, noun: str) -> str:
    """``1 image differs``, ``3 images differ``."""
    return f"1 {noun} differs" if count == 1 else f"{count} {noun}s differ"


def _short(path: str) -> str:
    """A recorded path without its leading ``MURA-v1.1/``."""
    return path.split("/", 1)[1] if path.count("/") > 1 else path


def _shown(examples: Sequence[str], budget: list[int]) -> str:
    """The first examples that fit in ``budget[0]`` characters (at least one), then
    ``...`` for the rest; spends the budget."""
    shown = [examples[0]]
    budget[0] -= len(examples[0])
    for example in examples[1:]:
        if len(example) + 2 > budget[0]:
            break
        shown.append(example)
        budget[0] -= len(example) + 2
    return ", ".join(shown + (["..."] if len(shown) < len(examples) else []))


def compare_files(recorded: pd.DataFrame, files: Sequence[str | os.PathLike[str]]) -> DataChanges:
    """The images of ``recorded`` whose file (``files``, row for row) differs now."""
    changed = []
    for path, size, mtime, file in zip(
        recorded["path"], recorded["size"], recorded["mtime_ns"], files
    ):
        now_size, now_mtime = _stat(file)
        if now_size < 0:
            changed.append((str(path), "missing"))
        elif now_size != size:
            changed.append((str(path), "size"))
        elif now_mtime != mtime:
            changed.append((str(path), "modified"))
    return DataChanges(images=tuple(changed))


def compare(recorded: pd.DataFrame, root: str | Path) -> DataChanges:
    """How the data root ``root`` differs from the ``recorded`` rows: their images'
    files, and their studies' labels.

    Raises:
        MuraError: ``root`` is no data root.
    """
    from mura_core.data.sources import open_data

    root = open_data(root)
    base = str(root.base)
    files = [os.path.join(base, str(path)) for path in recorded["path"]]
    images = compare_files(recorded, files).images
    now = current_labels(root, recorded["path"])
    studies = recorded.assign(study=[path.rsplit("/", 1)[0] for path in recorded["path"]],
                              now=now)  # fmt: skip
    differing = studies[studies["label"] != studies["now"]].drop_duplicates("study")
    labels = tuple(
        (str(study), int(old), int(new))
        for study, old, new in zip(differing["study"], differing["label"], differing["now"])
    )
    return DataChanges(images=images, labels=labels)
