"""The name of a file-cache entry: a digest of everything the cached tensors hold.

A file cache (``cache=DIR``) stores, per element, the decoded and resized image with the
label and sample weight that travel with it. The entry's name is a SHA-256 of: the
cache format version, the image size and decoded channels, every image's path with its
file size and modification time (in nanoseconds), the labels, the sample weights (or
their absence) and any ``salt`` (the training order's seed). Changing any of them
(replacing an image, relabelling a study, switching class weighting) names another
entry, which is built afresh: a stale entry is never read. Normalisation and
augmentation run after the cache, so they are not part of it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["CACHE_VERSION", "cache_entry"]

#: Bump when decoding, resizing or the cached element changes.
CACHE_VERSION = 3


def _fingerprint(path: str) -> bytes:
    try:
        status = os.stat(path)
    except OSError:
        return b"missing"
    return f"{status.st_size}:{status.st_mtime_ns}".encode()


def cache_entry(
    directory: str | os.PathLike[str],
    columns: Sequence[np.ndarray],
    image_size: Sequence[int],
    channels: int,
    salt: str = "",
) -> str:
    """The file-cache entry in ``directory`` for ``columns`` (paths, labels[, weights])."""
    paths, *rest = columns
    size = f"{image_size[0]}x{image_size[1]}x{channels}"
    digest = hashlib.sha256(f"v{CACHE_VERSION}|{size}|{salt}|{len(rest)}|".encode())
    for path in paths:
        text = str(path)
        digest.update(text.encode("utf-8", errors="surrogateescape"))
        digest.update(b"\0" + _fingerprint(text) + b"\0")
    for column in rest:
        digest.update(np.ascontiguousarray(column, dtype=np.float32).tobytes())
    folder = Path(directory).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"mura-{size}-{digest.hexdigest()[:20]}")
