"""Data given to a trained run, checked against the data it recorded at training start.

A run records the data it was trained, validated and tested on in ``fingerprint.tsv``
(:mod:`mura_core.data.fingerprint`). ``mura evaluate``, ``mura export`` (its parity
sample) and ``mura submit`` from a run compare the data they are given with that record
and refuse a difference in one line naming how many images and labels differ and the
first few, unless given :data:`OTHER_DATA_FLAG`. An evaluation on other data is written
to its own folder, ``evaluations/<name>/`` (:func:`other_evaluation`), never over the
run's own. A run trained before runs recorded their data cannot be checked: a note
says so and the command goes on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mura_core.data.fingerprint import (
    DataChanges,
    compare,
    compare_files,
    current_labels,
    read_fingerprint,
)
from mura_core.data.sources import open_data
from mura_core.errors import MuraError
from mura_core.runs.layout import RunFolder
from mura_core.timestamps import utc_now

__all__ = [
    "OTHER_DATA_FLAG",
    "DataCheck",
    "check_images",
    "check_subsets",
    "evaluation_name",
    "on_other_data",
    "other_evaluation",
    "record_other_evaluation",
]

#: The flag, the same in every command, that accepts data other than the run's.
OTHER_DATA_FLAG = "--other-data"
#: Components of an image path that identify it in any copy of a tree: split, body
#: part, patient, study and file.
_IDENTIFYING_PARTS = 5
#: Characters of a refusal, at most, when examples allow (the CLI shows 400).
_LINE = 390
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class DataCheck:
    """The outcome of a check that did not refuse.

    Attributes:
        recorded: the run has a record of its data (else nothing could be checked).
        changes: how the data given differs from the record (empty: it does not).
        notes: what the user should know (a run without a record).
    """

    recorded: bool
    changes: DataChanges = field(default_factory=DataChanges)
    notes: tuple[str, ...] = ()


def _unrecorded(name: str) -> DataCheck:
    return DataCheck(False, notes=(
        f"the data could not be checked: {name} was trained before runs recorded a "
        "fingerprint of their data",
    ))  # fmt: skip


def _refuse(what: str, name: str, changes: DataChanges, hint: str) -> MuraError:
    """The one-line refusal; its examples shrink so that the line keeps its end."""
    head = f"{what} changed since {name} was trained: "
    tail = f"; pass {OTHER_DATA_FLAG} to {hint}"
    budget = _LINE - len(head) - len(tail) - 60  # the counts and their words
    return MuraError(head + changes.describe(budget) + tail)


def check_subsets(
    folder: RunFolder,
    name: str,
    root: str | Path,
    subsets: Sequence[str],
    *,
    other_data: bool,
    hint: str,
) -> DataCheck:
    """Compare the run's ``subsets`` (``test``, ``validation``, ``train``) under ``root``
    with its record.

    Raises:
        MuraError: they differ and ``other_data`` is false (the message ends with
            ``pass --other-data to <hint>``), or the record is damaged.
    """
    recorded = read_fingerprint(folder.fingerprint)
    if recorded is None:
        return _unrecorded(name)
    changes = compare(recorded[recorded["subset"].isin(subsets)], root)
    if changes and not other_data:
        raise _refuse(f"the {' and '.join(subsets)} data", name, changes, hint)
    return DataCheck(True, changes)


def _key(path: str | Path) -> tuple[str, ...]:
    return tuple(str(path).replace("\\", "/").split("/")[-_IDENTIFYING_PARTS:])


def check_images(
    folder: RunFolder, name: str, files: Sequence[str | Path], *, other_data: bool, hint: str
) -> DataCheck:
    """Compare the image ``files`` that the run recorded (matched by their last path
    components: split, body part, patient, study and file) with its record; images it
    never saw are not checked.

    Raises:
        MuraError: a recorded image differs and ``other_data`` is false.
    """
    recorded = read_fingerprint(folder.fingerprint)
    if recorded is None:
        return _unrecorded(name)
    recorded = recorded.drop_duplicates("path")
    given = {_key(file): file for file in files}
    known = recorded[[_key(path) in given for path in recorded["path"]]]
    changes = compare_files(known, [given[_key(path)] for path in known["path"]])
    if changes and not other_data:
        raise _refuse("the images given", name, changes, hint)
    return DataCheck(True, changes)


def evaluation_name(given: str | None, root: str | Path, rows: pd.DataFrame) -> str:
    """The name of an evaluation on other data: ``given``, or the data folder's name and
    a digest of the evaluated images' sizes, times and labels (the same data, the same
    name).

    Raises:
        MuraError: ``given`` is not a plain folder name.
    """
    if given is not None:
        if not _NAME.fullmatch(given):
            raise MuraError(
                f"evaluation name {given!r}: use at most 64 letters, digits, '.', '_' or "
                "'-', starting with a letter or digit"
            )
        return given
    base = open_data(root).base
    digest = hashlib.sha256()
    labels = current_labels(root, rows["relpath"])
    for path, label in zip(rows["relpath"], labels):
        stat = base.joinpath(*str(path).split("/")).stat()
        digest.update(f"{path}\t{stat.st_size}\t{stat.st_mtime_ns}\t{label}\n".encode())
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", base.name).lstrip("._-")[:40] or "data"
    return f"{stem}-{digest.hexdigest()[:8]}"


def other_evaluation(folder: RunFolder, name: str) -> RunFolder:
    """The folder of the evaluation ``name`` on other data, ``evaluations/<name>/``; its
    files have the names of the run's own."""
    return RunFolder(folder.evaluations / name)


def on_other_data(rows: pd.DataFrame, root: str | Path) -> pd.DataFrame:
    """``rows`` with the labels the tree at ``root`` gives them now."""
    return rows.assign(label=current_labels(root, rows["relpath"]))


def record_other_evaluation(
    target: RunFolder, run: str, subset: str, root: str | Path, check: DataCheck
) -> Path:
    """Write ``evaluation.json`` into an evaluation on other data: which run, subset
    and data, and how that data differs from the run's record."""

    from mura_core.runs.artifacts import write_json_atomic

    return write_json_atomic(target.path / "evaluation.json", {
        "run": run,
        "subset": subset,
        "data_root": str(open_data(root).base),
        "recorded": check.recorded,
        "images_differ": len(check.changes.images),
        "labels_differ": len(check.changes.labels),
        "evaluated": utc_now(),
    })  # fmt: skip
