"""Sweep files: ``mura sweep --file sweep.toml``.

::

    patterns = ["cnn_in.64.64.1_cl.{3..6}.1_f.16_ck.3.3_p.max_ps.2.2_pstr.2.2_ld.0.25"]

    [train]                 # mura train's flag names, with - or _
    data = "data"
    epochs = 20
    batch-size = 16
    weight-classes = true

Flags given on the command line win over the file's ``[train]`` values.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mura_core.errors import MuraError

__all__ = ["SweepFile", "read_sweep_file"]


@dataclass(frozen=True)
class SweepFile:
    """What a sweep file says: its patterns and its ``[train]`` settings (flag names)."""

    patterns: list[str]
    train: dict[str, Any] = field(default_factory=dict)


def _toml() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    try:
        import tomli
    except ImportError:  # pragma: no cover - a dependency below Python 3.11
        raise MuraError("reading sweep files on Python 3.10 needs tomli") from None
    return tomli


def read_sweep_file(path: str | Path) -> SweepFile:
    """Read and check a sweep file.

    Raises:
        MuraError: the file is missing, not TOML, or not shaped as above.
    """
    path = Path(path)
    try:
        content = _toml().loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MuraError(f"no sweep file at {path}") from None
    except ValueError as error:  # tomllib.TOMLDecodeError
        raise MuraError(f"{path} is not valid TOML: {error}") from None
    except RecursionError:  # tomllib recurses into nested arrays and tables
        raise MuraError(f"{path} is not a sweep file: its arrays nest too deeply") from None
    unknown = sorted(set(content) - {"patterns", "train"})
    if unknown:
        raise MuraError(f"{path}: unknown key {unknown[0]!r} (expected patterns and [train])")
    patterns = content.get("patterns", [])
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list) or not all(isinstance(item, str) for item in patterns):
        raise MuraError(f"{path}: patterns must be a list of strings")
    train = content.get("train", {})
    if not isinstance(train, dict):
        raise MuraError(f"{path}: [train] must be a table of mura train flags")
    return SweepFile(patterns, {key.replace("-", "_"): value for key, value in train.items()})
