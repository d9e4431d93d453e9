"""Places mura never writes into, and paths kept inside the folder the user named.

A MURA tree (a folder named ``MURA-v1.1``, or one holding the image-path and
labeled-study CSVs of a split) and a study-csv tree (a folder holding ``studies.csv``,
:mod:`mura_core.data.study_csv`) are data the user cannot replace; a run folder (one
holding ``run.json``) is written by its own commands only (``train``, ``evaluate``).
Both are recognised on the resolved path, so a symbolic link or ``..`` does not hide
them.
"""

from __future__ import annotations

import os
from pathlib import Path

from mura_core.errors import MuraError

__all__ = [
    "RUN_RECORD",
    "check_links",
    "check_place",
    "inside",
    "is_mura_csv",
    "protected_place",
]

#: The record every run folder holds: what makes a folder a run folder.
RUN_RECORD = "run.json"


def _mura_csvs() -> frozenset[str]:
    """MURA's own CSV names: ``{train,valid}_{image_paths,labeled_studies}.csv``."""
    from mura_core.data.layout import SPLITS, image_paths_csv, labeled_studies_csv

    return frozenset(name(split) for split in SPLITS
                     for name in (image_paths_csv, labeled_studies_csv))  # fmt: skip


def is_mura_csv(path: Path) -> bool:
    """True for a file named as one of MURA's CSVs (``valid_labeled_studies.csv``...)."""
    return path.name in _mura_csvs()


def _kind(folder: Path) -> str | None:
    """``run folder``, ``MURA tree``, ``study-csv tree`` or None for an ordinary folder."""
    from mura_core.data.layout import MURA_DIR, SPLITS, image_paths_csv, labeled_studies_csv
    from mura_core.data.study_csv import STUDIES_CSV

    if (folder / RUN_RECORD).is_file():
        return "run folder"
    tables = ((image_paths_csv(split), labeled_studies_csv(split)) for split in SPLITS)
    if folder.name == MURA_DIR or any(all((folder / n).is_file() for n in t) for t in tables):
        return "MURA tree"
    if (folder / STUDIES_CSV).is_file():
        return "study-csv tree"
    return None


def resolved(path: str | os.PathLike[str]) -> Path:
    """``path`` made absolute with every symbolic link and ``..`` resolved (the parts
    that do not exist yet are kept as given)."""
    return Path(path).expanduser().resolve()


def protected_place(path: str | os.PathLike[str]) -> str | None:
    """Why mura writes nothing at ``path`` (``inside the run folder /r/x``, ``the MURA
    tree /d/MURA-v1.1``), or None when it may write there."""
    target = resolved(path)
    for folder in (target, *target.parents):
        kind = _kind(folder)
        if kind is not None:
            return f"{'the' if folder == target else 'inside the'} {kind} {folder}"
    return None


def check_place(path: str | os.PathLike[str], flag: str = "") -> Path:
    """``path`` (a folder or file to write), unless it is in a MURA tree or a run folder.

    Raises:
        MuraError: one line naming the tree or run folder; ``--overwrite`` changes nothing.
    """
    reason = protected_place(path)
    if reason is not None:
        named = f"{flag} {path}" if flag else str(path)
        raise MuraError(f"{named} is {reason}: mura writes nothing there, not even with "
                        "--overwrite; choose another place")  # fmt: skip
    return Path(path).expanduser()


def inside(folder: str | os.PathLike[str], *parts: str | os.PathLike[str]) -> Path:
    """``folder/parts...``, checked to resolve inside ``folder`` before it is opened: an
    absolute part, ``..`` or a symbolic link pointing elsewhere is refused.

    Raises:
        MuraError: the path lands outside ``folder`` (or on ``folder`` itself).
    """
    base = Path(folder).expanduser()
    target = base.joinpath(*parts)
    root, landed = resolved(base), resolved(target)
    if parts and root not in landed.parents:
        raise MuraError(f"{target} resolves to {landed}, outside {base}; mura writes only "
                        "inside the folder it is given")  # fmt: skip
    return target


def check_links(folder: str | os.PathLike[str], what: str = "run folder") -> None:
    """Refuse a folder that mura writes into by fixed names (a run folder) when one of
    its entries is a symbolic link leading out of it: a write through it would land
    elsewhere. Links are listed, never followed.

    Raises:
        MuraError: one line naming the first such link and where it leads.
    """
    base = resolved(folder)
    for directory, folders, files in os.walk(base):
        for name in (*folders, *files):
            path = Path(directory) / name
            if path.is_symlink() and base not in resolved(path).parents:
                raise MuraError(f"{path} is a link to {resolved(path)}, outside the {what} "
                                f"{folder}; mura writes only inside it")  # fmt: skip
