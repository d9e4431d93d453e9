"""Fixtures shared by the whole suite: the CLI, a tiny synthetic MURA tree, one trained run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300):
    """Run ``python -m mura_core ARGS`` in a subprocess; returns the CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-m", "mura_core", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})},
        timeout=timeout,
        cwd=REPO,
    )


@pytest.fixture
def cli():
    """The ``mura`` CLI run in a subprocess."""
    return run_cli


#: A small CNN on 32x32 grayscale input: trains an epoch of the tiny tree in a second.
TINY_CNN = "cnn_in.32.32.1_cl.2.1_f.8_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"


@pytest.fixture(scope="session")
def mura_root(tmp_path_factory) -> Path:
    """A synthetic MURA tree with every body part, small images."""
    from mura_core.data.synth import synthesize

    root = tmp_path_factory.mktemp("mura")
    synthesize(root, studies=90, seed=1, min_side=40, max_side=64)
    return root


@pytest.fixture(scope="session")
def trained(tmp_path_factory, mura_root):
    """One run of the tiny CNN (class weights, augmentation), two epochs, evaluated."""
    from mura_core.training.runner import train

    out = tmp_path_factory.mktemp("runs")
    return train(
        TINY_CNN,
        mura_root,
        out=out,
        epochs=2,
        batch_size=16,
        weight_classes=True,
        augment=True,
        verbose=0,
    )


@pytest.fixture(scope="session")
def tiny_cnn() -> str:
    """The name of the tiny CNN the tests train."""
    return TINY_CNN
