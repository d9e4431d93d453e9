"""Helpers of the output tests: a private MURA tree and file-system listings."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mura_core.data.layout import MURA_DIR

#: What a listing records of each entry: kind, size, modification time, link target.
Entry = tuple[str, int, int, str]


def private_tree(mura_root: Path, base: Path) -> Path:
    """``base/MURA-v1.1``: a copy of the session's tree (small images) that a test may
    lose files of; returns ``base``."""
    shutil.copytree(mura_root / MURA_DIR, base / MURA_DIR)
    return base


def listing(*roots: Path) -> dict[str, Entry]:
    """Every entry under ``roots`` (links listed, not followed): what changes when a
    file or folder is created, removed, replaced or written."""
    found: dict[str, Entry] = {}
    for root in roots:
        for folder, folders, files in os.walk(root):
            for name in [*folders, *files]:
                path = Path(folder) / name
                status = path.lstat()
                kind = "link" if path.is_symlink() else "dir" if path.is_dir() else "file"
                size = status.st_size if kind == "file" else 0
                mtime = status.st_mtime_ns if kind == "file" else 0
                target = os.readlink(path) if kind == "link" else ""
                found[str(path)] = (kind, size, mtime, target)
    return found


def changed(before: dict[str, Entry], after: dict[str, Entry]) -> set[str]:
    """Paths created, removed or changed between two listings."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def outside(paths: set[str], *named: Path) -> set[str]:
    """The paths that are none of ``named`` and inside none of them."""
    folders = [os.path.realpath(path) for path in named]

    def under(path: str) -> bool:
        real = os.path.realpath(path)
        return any(real == folder or real.startswith(folder + os.sep) for folder in folders)

    return {path for path in paths if not under(path)}
