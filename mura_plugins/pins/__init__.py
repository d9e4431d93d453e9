"""Pinned architectures of the built-in families: one JSON file per family.

Each file maps the canonical names of the family's example, test example and presets to
the architecture they build (layer names, weight shapes, parameter counts), as written
by ``mura plugins pin FAMILY`` (:mod:`mura_core.conformance.pins`).
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any


def pins_file(family: str) -> Any:
    """The JSON file pinning the architectures of ``family``'s names."""
    return files(__name__) / f"{family}.json"
