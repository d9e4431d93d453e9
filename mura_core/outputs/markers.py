"""How mura recognises its own earlier outputs: a marker in the file's metadata.

Pictures carry ``written by mura COMMAND`` in their metadata (PNG ``Software`` text,
PDF and SVG ``Creator``), so a command may replace the pictures it wrote before and
nothing else. Formats that cannot carry a marker (a submission CSV, whose layout the
competition fixes) are never recognised: replacing one needs ``--overwrite``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["figure_metadata", "is_output_of", "marker", "png_info"]

#: Files larger than this are not searched for a marker (no picture of mura's is).
MARKER_SEARCH_LIMIT = 64 * 1024 * 1024
#: The metadata field holding the marker, by figure format.
_FIELDS = {".png": "Software", ".pdf": "Creator", ".svg": "Creator"}


def marker(command: str) -> str:
    """The marker of ``mura COMMAND``'s outputs: ``written by mura compare``."""
    return f"written by mura {command}"


def png_info(command: str) -> Any:
    """PIL ``pnginfo`` carrying the marker (``Image.save(path, pnginfo=...)``)."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Software", marker(command))
    return info


def figure_metadata(path: str | os.PathLike[str], command: str) -> dict[str, str]:
    """Matplotlib ``savefig(metadata=...)`` carrying the marker, for ``path``'s format."""
    field = _FIELDS.get(Path(path).suffix.lower())
    return {field: marker(command)} if field else {}


def is_output_of(path: str | os.PathLike[str], command: str) -> bool:
    """True when the file ``path`` carries the marker of ``mura COMMAND``."""
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size > MARKER_SEARCH_LIMIT:
            return False
        return marker(command).encode() in path.read_bytes()
    except OSError:
        return False
