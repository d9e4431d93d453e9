"""Fixtures of the sweep tests: a hidden Ray, tiny model names."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

#: The tiny CNN of the suite with a brace group in place of its block count.
TINY_PATTERN = "cnn_in.32.32.1_cl.{blocks}.1_f.8_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"

#: Makes ``import ray`` fail in a subprocess, as on a machine without the extra.
_NO_RAY = '''
import sys

class _NoRay:
    def find_spec(self, name, path=None, target=None):
        if name == "ray" or name.startswith("ray."):
            raise ModuleNotFoundError("No module named 'ray'", name="ray")
        return None

sys.meta_path.insert(0, _NoRay())
'''


def tiny(blocks: int | str) -> str:
    """The tiny CNN with ``blocks`` conv blocks (or a brace group)."""
    return TINY_PATTERN.format(blocks=blocks)


@pytest.fixture
def without_ray(tmp_path) -> dict[str, str]:
    """The environment of a subprocess in which Ray is not installed."""
    import os

    site = tmp_path / "no_ray"
    site.mkdir()
    (site / "sitecustomize.py").write_text(textwrap.dedent(_NO_RAY), encoding="utf-8")
    paths = [str(site), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {"PYTHONPATH": os.pathsep.join(paths)}


def damaged_run(runs: Path, name: str) -> Path:
    """A run folder holding a trained epoch's weights but no state to resume from: the
    runner refuses it, so its run fails (as a run with bad data would)."""
    folder = runs / name
    folder.mkdir(parents=True)
    (folder / "weights.01-0.6000-0.5000-0.5000-0.1000.weights.h5").write_bytes(b"")
    return folder
