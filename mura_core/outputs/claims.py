"""May a command write this file? The one rule for every file the user names.

A new file may be written anywhere but in a MURA tree or a run folder. An existing
file is replaced only when it is a previous output of the same command, or with
``--overwrite``; and never, whatever the flags, when it is a file of a MURA tree (or
named as one of MURA's CSVs), a split manifest or its hash, or anything inside a run
folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from mura_core.errors import MuraError
from mura_core.outputs.markers import is_output_of
from mura_core.outputs.places import is_mura_csv, protected_place, resolved

__all__ = ["Recognizer", "claim_file", "is_manifest", "is_manifest_hash", "protected_file"]

#: Tells whether an existing file is a previous output of the command about to write.
Recognizer = Callable[[Path], bool]


def _first_line(path: Path, limit: int = 4096) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(limit).split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    except OSError:
        return ""


def is_manifest(path: Path) -> bool:
    """True for a split manifest of ``mura data split`` (its header row)."""
    from mura_core.data.split import MANIFEST_COLUMNS

    return path.is_file() and _first_line(path).lstrip("\ufeff") == ",".join(MANIFEST_COLUMNS)


def is_manifest_hash(path: Path) -> bool:
    """True for ``X.sha256`` holding ``<64 hex digits>  X`` (the hash ``data split``
    writes beside a manifest)."""
    digest, _, name = _first_line(path, 400).partition("  ")
    hexadecimal = len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)
    return path.name.endswith(".sha256") and hexadecimal and f"{name}.sha256" == path.name


def protected_file(path: str | os.PathLike[str]) -> str | None:
    """Why the file ``path`` is never replaced (``a split manifest``...), or None."""
    path = Path(path).expanduser()
    place = protected_place(path)
    if place is not None:
        return place
    target = resolved(path)
    if is_mura_csv(target):
        return "a MURA data set file"
    if is_manifest(target):
        return "a split manifest"
    manifest = target.with_name(target.name.removesuffix(".sha256"))
    if is_manifest_hash(target) and is_manifest(manifest):
        return f"the hash of the split manifest {manifest}"
    return None


def claim_file(
    path: str | os.PathLike[str],
    command: str,
    *,
    overwrite: bool,
    own: Recognizer | None = None,
    replace_own: bool = True,
) -> Path:
    """Check, before any work, that ``mura COMMAND`` may write the file ``path``.

    Args:
        own: recognises a previous output of the command (default: its marker,
            :func:`~mura_core.outputs.markers.is_output_of`).
        replace_own: False when even a previous output is replaced only with
            ``overwrite`` (a split manifest).

    Returns:
        ``path``.

    Raises:
        MuraError: one line: a folder, a protected place or file (whatever
            ``overwrite`` says), or an existing file that is not the command's own.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise MuraError(f"{path} is a folder; name a file")
    place = protected_place(path)
    if place is not None:
        raise MuraError(f"{path} is {place}: mura writes nothing there, not even with "
                        "--overwrite")  # fmt: skip
    if not (path.exists() or path.is_symlink()):
        return path
    recognise = own or (lambda file: is_output_of(file, command))
    if recognise(path) and (replace_own or overwrite):
        return path
    if recognise(path):
        raise MuraError(f"{path} exists (use --overwrite to replace it)")
    kind = protected_file(path)
    if kind is not None:
        raise MuraError(f"{path} is {kind}: mura never replaces it, not even with --overwrite")
    if overwrite:
        return path
    raise MuraError(f"{path} exists and was not written by mura {command} "
                    "(use --overwrite to replace it)")  # fmt: skip
