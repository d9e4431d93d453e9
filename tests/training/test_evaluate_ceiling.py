"""``mura evaluate`` puts the study-level kappa next to the ceiling of synthetic data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from mura_core.cli import main
from mura_core.data.synth import TRUE_LABELS_CSV


def evaluate(capsys, trained, data: Path, *flags: str) -> str:
    argv = ["evaluate", str(trained.folder.path), "--data", str(data), "--resamples", "20"]
    assert main([*argv, *flags]) == 0
    return capsys.readouterr().out


def test_evaluate_prints_the_ceiling_of_the_evaluated_studies(capsys, trained, mura_root):
    result = json.loads(evaluate(capsys, trained, mura_root, "--subset", "validation", "--json"))
    assert result["ceiling"] == {"kappa": 1.0, "accuracy": 1.0}  # no label noise
    text = evaluate(capsys, trained, mura_root)
    kappa = json.loads(evaluate(capsys, trained, mura_root, "--json"))["study"]["kappa"]
    assert f"study-level kappa {kappa:.3f}, ceiling 1.000" in text


def test_no_ceiling_without_true_labels(capsys, trained, mura_root, tmp_path):
    shutil.copytree(mura_root / "MURA-v1.1", tmp_path / "MURA-v1.1")
    (tmp_path / "MURA-v1.1" / TRUE_LABELS_CSV).unlink()
    assert json.loads(evaluate(capsys, trained, tmp_path, "--json"))["ceiling"] is None
    assert "ceiling" not in evaluate(capsys, trained, tmp_path)
