"""Helpers of the abuse tests: the CLI in-process, one-line errors, private run copies."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from mura_core.cli import main
from mura_core.runs import read_run_json, update_run_json

#: Settings of the session's ``trained`` run (tests/conftest.py), to re-run it.
TRAINED_SETTINGS: dict[str, Any] = {"epochs": 2, "batch_size": 16, "verbose": 0}


def run_cli(capsys: Any, *args: Any) -> tuple[int, str, str]:
    """``mura ARGS`` in-process: exit status, stdout, stderr."""
    status = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_line_error(status: int, err: str, *fragments: str) -> str:
    """Exit 2 and exactly one ``mura: error:`` line on stderr holding every fragment."""
    lines = err.strip().splitlines()
    assert status == 2, err
    assert len(lines) == 1 and lines[0].startswith("mura: error: "), err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "unexpected" not in lines[0]
    return lines[0]


def copy_run(trained: Any, out: Path, name: str | None = None) -> Path:
    """A private copy of the session's trained run folder under ``out``."""
    target = out / (name or trained.name)
    shutil.copytree(trained.folder.path, target)
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its content (to prove nothing changed)."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "run.lock"
    }


def set_status(folder: Path, status: str, *, drop_evaluation: bool = False) -> None:
    """Rewrite ``run.json``'s status, optionally removing the evaluation files."""
    update_run_json(folder / "run.json", status=status)
    if drop_evaluation:
        for pattern in ("evaluation*.tsv", "predictions.*.tsv", "roc_curve*.png"):
            for path in folder.glob(pattern):
                path.unlink()
    assert read_run_json(folder / "run.json")["status"] == status
