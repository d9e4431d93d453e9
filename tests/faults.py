"""Fault injection: stop a process at its Nth file-system write under a folder.

A Python audit hook sees every write the process makes through Python (opening a file
for writing, a rename, a removal, a new folder; HDF5 and TensorFlow write from C and
are seen through the rename that publishes their file). Two uses, both as a script::

    python tests/faults.py kill N FOLDER -- ARGS...     # mura ARGS, SIGKILL before write N
    python tests/faults.py kill-at TEXT FOLDER -- ARGS  # ... before the first write to a
                                                        # path containing TEXT
    python tests/faults.py record SNAPS FOLDER -- ARGS  # mura ARGS, FOLDER copied to
                                                        # SNAPS/0001... before each write

A copy taken before write N is what a ``kill -9`` at that instant leaves on disk, so a
test can re-run the command from every such state without paying a process per state.
``SNAPS/events.tsv`` lists each write: its number, the event and the path.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path

#: Audit events that change the file system (besides ``open`` for writing).
CHANGES = ("os.rename", "os.remove", "os.rmdir", "os.mkdir", "shutil.rmtree", "os.truncate",
           "os.link", "os.symlink", "os.chmod")  # fmt: skip
_WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _paths(event: str, args: tuple) -> list[str]:
    """The paths an audit event writes, or none."""
    if event == "open":
        path, mode, flags = args
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool(
            (flags or 0) & _WRITING
        )
        candidates = [path] if writes else []
    elif event in CHANGES:
        candidates = list(args[:2])
    else:
        return []
    return [os.fsdecode(item) for item in candidates if isinstance(item, (str, bytes, os.PathLike))]


def watch(folder: Path, before_write: Callable[[int, str, str], None]) -> None:
    """Call ``before_write(n, event, path)`` before each write under ``folder``."""
    root = str(folder.resolve())
    count = 0
    busy = False

    def hook(event: str, args: tuple) -> None:
        nonlocal count, busy
        if busy:
            return
        for path in _paths(event, args):
            if os.path.abspath(path).startswith(root):
                count += 1
                busy = True  # the callback's own writes are not counted
                try:
                    before_write(count, event, os.path.relpath(os.path.abspath(path), root))
                finally:
                    busy = False
                return

    sys.addaudithook(hook)


def _kill_at(n: int | str) -> Callable[[int, str, str], None]:
    def before_write(count: int, event: str, path: str) -> None:
        if count == n or (isinstance(n, str) and n in path):
            os.kill(os.getpid(), signal.SIGKILL)

    return before_write


def _record(snapshots: Path, folder: Path) -> Callable[[int, str, str], None]:
    snapshots.mkdir(parents=True, exist_ok=True)
    log = snapshots / "events.tsv"

    def before_write(count: int, event: str, path: str) -> None:
        target = snapshots / f"{count:04d}"
        if folder.exists():
            shutil.copytree(folder, target, symlinks=True)
        else:
            target.mkdir()
        with log.open("a", encoding="utf-8") as stream:
            stream.write(f"{count}\t{event}\t{path}\n")

    return before_write


def main(argv: list[str]) -> int:
    mode, value, folder, separator, *args = argv
    assert separator == "--", "usage: faults.py kill|record VALUE FOLDER -- ARGS"
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    if mode in ("kill", "kill-at"):
        watch(folder, _kill_at(int(value) if mode == "kill" else value))
    else:
        watch(folder, _record(Path(value), folder))
    from mura_core.cli import main as mura

    return mura(args)


if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repository, not tests/
    sys.exit(main(sys.argv[1:]))
