"""Native libraries' own output: silencing what C++ code writes to stderr."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

__all__ = ["silenced_stderr"]


@contextlib.contextmanager
def silenced_stderr() -> Iterator[None]:
    """Point file descriptor 2 at the null device for the duration of the block.

    For native code that logs unconditionally (TensorFlow's start-up, the TFLite
    converter and interpreter); Python exceptions raised in the block still propagate.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
