"""Installed package versions: what a run's ``run.json`` records and what every benchmark
prints first, so that each figure says what it was measured on.

Versions are read from the distributions' metadata (:mod:`importlib.metadata`), never by
importing the packages: asking costs no TensorFlow import.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable
from importlib import metadata

__all__ = ["BENCHMARK_PACKAGES", "RUN_PACKAGES", "installed_version", "package_versions",
           "versions_line"]  # fmt: skip

#: The distributions a run depends on, recorded in its ``run.json``.
RUN_PACKAGES: tuple[str, ...] = (
    "mura-registry",
    "tensorflow",
    "keras",
    "numpy",
    "pandas",
    "scikit-learn",
    "h5py",
    "pillow",
    "pluggy",
    "pydantic",
)
#: The distributions a benchmark's figures move with, in its ``versions:`` line.
BENCHMARK_PACKAGES: tuple[str, ...] = ("tensorflow", "keras", "numpy")


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution`` (``None`` when it is not installed)."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def package_versions(packages: Iterable[str] = RUN_PACKAGES) -> dict[str, str | None]:
    """Python's version and each package's installed version (``None`` when absent)."""
    return {"python": platform.python_version(),
            **{package: installed_version(package) for package in packages}}  # fmt: skip


def versions_line(packages: Iterable[str] = BENCHMARK_PACKAGES) -> str:
    """``versions: tensorflow X, keras Y, numpy Z, python W``: the first line a benchmark
    prints (a package that is not installed reads ``absent``)."""
    found = {package: installed_version(package) for package in packages}
    found["python"] = platform.python_version()
    return "versions: " + ", ".join(f"{name} {found[name] or 'absent'}" for name in found)
