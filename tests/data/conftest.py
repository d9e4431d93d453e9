"""Synthetic MURA trees for the data-layer tests (small images, so the suite stays fast)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mura_core.data.synth import synthesize

from .data_helpers import SYNTH_SEED, SYNTH_STUDIES


@pytest.fixture(scope="session")
def synth_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A read-only synthetic tree: the folder holding ``MURA-v1.1``. Never modify it."""
    out = tmp_path_factory.mktemp("synth")
    synthesize(out, studies=SYNTH_STUDIES, seed=SYNTH_SEED, min_side=40, max_side=96)
    return out


@pytest.fixture
def mura(synth_root: Path, tmp_path: Path) -> Path:
    """A private copy of the synthetic tree that a test may damage."""
    shutil.copytree(synth_root / "MURA-v1.1", tmp_path / "MURA-v1.1")
    return tmp_path
