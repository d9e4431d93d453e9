"""Output names derived from inputs: one plain folder or file name per input, unique.

An input's path may be relative, absolute, hold ``..`` or be as shallow as ``/x.png``;
its output name is built from the last parts of its absolute, normalised path, so it is
always one path component (never empty, ``.``, ``..`` or absolute). Inputs whose names
coincide (``r1/XR_FOREARM/patient00022/study1_positive`` and ``r2/XR_FOREARM/...``)
each get ``~`` and a digest of their absolute path: two inputs never share an output.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path, PurePath
from typing import TypeVar

__all__ = ["K", "output_names", "path_component", "unique_names"]

#: The type of the keys :func:`unique_names` gives names to (any hashable).
K = TypeVar("K", bound=Hashable)

#: Longest derived name, in bytes: room for a ``~digest`` within a path component.
NAME_BYTES = 200
#: Hex digits of the digest that tells inputs with the same name apart.
DIGEST_LENGTH = 8
#: The name of an input at the file-system root (``/x.png``'s folder).
ROOT_NAME = "root"


def _digest(text: str, length: int = DIGEST_LENGTH) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:length]


def _fit(name: str) -> str:
    """``name``, or its first bytes and a digest of the whole when it is too long."""
    encoded = name.encode("utf-8", "surrogateescape")
    if len(encoded) <= NAME_BYTES:
        return name
    head = encoded[: NAME_BYTES - 17].decode("utf-8", "ignore")
    return f"{head}~{_digest(name, 16)}"


def absolute(path: str | os.PathLike[str]) -> str:
    """``path`` absolute and normalised (``..`` and ``.`` removed), links not followed."""
    return os.path.abspath(os.path.expanduser(os.fspath(path)))


def path_component(path: str | os.PathLike[str], depth: int = 3) -> str:
    """One file-name-safe component from the last ``depth`` parts of ``path``'s absolute
    form, joined by ``_``: ``XR_WRIST_patient00001_study1_positive``; ``root`` for
    the file-system root."""
    parts = PurePath(absolute(path)).parts[1:]  # without the root (or drive)
    return _fit("_".join(parts[-depth:]) or ROOT_NAME)


def unique_names(preferred: Mapping[K, str]) -> dict[K, str]:
    """Each key's preferred name; a name several keys share gets ``~`` and a digest of
    each key's text, so that every key has its own."""
    sharing: dict[str, list[K]] = defaultdict(list)
    for key, name in preferred.items():
        sharing[name].append(key)
    return {
        key: name if len(sharing[name]) == 1 else f"{name}~{_digest(str(key))}"
        for key, name in preferred.items()
    }


def output_names(images: Iterable[tuple[str, str]], suffix: str) -> dict[str, PurePath]:
    """Each image's output, relative to the output folder: ``<study>/<stem><suffix>``.

    Args:
        images: ``(image path, study folder)`` pairs, as given.
        suffix: appended to the image's stem (``_gradcam.png``).

    Returns:
        image path (as given) -> relative output path, one per distinct image.
    """
    pairs = list(images)
    folders = unique_names({absolute(study): path_component(study) for _, study in pairs})
    by_folder: dict[str, dict[str, str]] = defaultdict(dict)
    for path, study in pairs:
        by_folder[folders[absolute(study)]][absolute(path)] = _fit(Path(path).stem)
    files = {key: (folder, stem + suffix) for folder, stems in by_folder.items()
             for key, stem in unique_names(stems).items()}  # fmt: skip
    return {path: PurePath(*files[absolute(path)]) for path, _ in pairs}
