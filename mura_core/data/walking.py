"""Walking a MURA tree safely: symbolic links kept inside it, file names that decode.

Symbolic links (to folders or files) are followed while they resolve inside the MURA
folder, whether the images come from walking folders or from the image-path CSVs; a link
that leaves it is the problem ``outside_root``. A file or folder name that is not valid
UTF-8 cannot be listed in a CSV or handed to TensorFlow: it is the problem
``malformed``, shown with its undecodable bytes escaped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["Confinement", "decodable", "printable", "walk_files"]


def decodable(text: str) -> bool:
    """True when ``text`` (a name from the file system) is valid UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(text: str) -> str:
    """``text`` with undecodable bytes shown as ``\\xNN``."""
    return os.fsencode(text).decode("utf-8", errors="backslashreplace")


class Confinement:
    """Says whether paths resolve inside ``root`` (real paths of folders are cached)."""

    def __init__(self, root: Path) -> None:
        self.root = os.path.realpath(root)
        self._folders: dict[str, bool] = {}

    def _inside(self, real: str) -> bool:
        return real == self.root or real.startswith(self.root + os.sep)

    def folder_inside(self, folder: str | Path) -> bool:
        """True when ``folder`` resolves inside the root."""
        key = str(folder)
        if key not in self._folders:
            self._folders[key] = self._inside(os.path.realpath(key))
        return self._folders[key]

    def inside(self, file: str | Path) -> bool:
        """True when ``file`` (through its folder and itself) resolves inside the root."""
        file = Path(file)
        if not self.folder_inside(file.parent):
            return False
        return not file.is_symlink() or self._inside(os.path.realpath(file))


def walk_files(folder: Path, confinement: Confinement) -> Iterator[tuple[Path, bool]]:
    """Every file under ``folder`` in sorted order, with whether it stays inside the root.

    Links to folders are followed when they resolve inside the root (each real folder
    once, so a link cycle ends); a folder link leaving the root is yielded once, with
    ``False``, and not entered.
    """
    seen: set[str] = set()
    for directory, subdirectories, files in os.walk(folder, followlinks=True):
        if not confinement.folder_inside(directory):
            subdirectories.clear()
            yield Path(directory), False
            continue
        real = os.path.realpath(directory)
        if real in seen:
            subdirectories.clear()
            continue
        seen.add(real)
        subdirectories.sort()
        for name in sorted(files):
            path = Path(directory, name)
            yield path, confinement.inside(path)
