"""A command parses its name once: the runs, the pipelines, the build and the evaluation
take the parsed name; an ensemble's members come from the ensemble's parse."""

from __future__ import annotations

from pathlib import Path

import pytest

import registry
import registry.core
from mura_core.cli import main

FLAGS = ("--epochs", "1", "--batch-size", "16", "--limit", "16", "--quiet")


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The names :meth:`registry.core.Registry.parse`, which every parse goes through,
    is called with."""
    calls: list[str] = []
    parse = registry.core.Registry.parse

    def counted(self, name):
        calls.append(name)
        return parse(self, name)

    monkeypatch.setattr(registry.core.Registry, "parse", counted)
    return calls


def parse_counts(name: str, root: Path, runs: Path, calls: list[str], *flags: str):
    """How many parses ``mura train NAME`` and ``mura evaluate`` of its folder make."""
    folder = runs / registry.canonical(name)  # also gathers the plugins before counting
    calls.clear()
    assert main(["train", name, "--data", str(root), "--runs", str(runs), *FLAGS, *flags]) == 0
    trained = len(calls)
    calls.clear()
    assert main(["evaluate", str(folder), "--data", str(root), "--resamples", "10"]) == 0
    return trained, len(calls)


def test_train_and_evaluate_parse_a_model_name_once(parses, mura_root, tmp_path, tiny_cnn, capsys):
    assert parse_counts(tiny_cnn, mura_root, tmp_path / "runs", parses) == (1, 1)


def test_train_and_evaluate_parse_an_ensemble_name_once(parses, mura_root, tmp_path, capsys):
    from tests.ensembles.conftest import MEMBER, ensemble_plugin

    name = f"parts_m({MEMBER})_bp.HAND.WRIST_c.avg"
    with ensemble_plugin():
        counts = parse_counts(name, mura_root, tmp_path / "runs", parses, "--engine", "local")
    assert counts == (1, 1)
