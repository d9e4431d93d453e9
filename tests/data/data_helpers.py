"""Helpers to read and rewrite the CSVs of a synthetic MURA tree in tests."""

from __future__ import annotations

from pathlib import Path

#: Size and seed of the session's synthetic tree (``synth_root``).
SYNTH_STUDIES = 60
SYNTH_SEED = 7


def csv_lines(root: Path, name: str) -> list[str]:
    return (root / "MURA-v1.1" / name).read_text().splitlines()


def write_lines(root: Path, name: str, lines: list[str]) -> None:
    (root / "MURA-v1.1" / name).write_text("".join(f"{line}\n" for line in lines))
