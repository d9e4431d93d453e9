"""Every example runs: the scripts in examples/ and the plugin guide's test file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(path for path in (REPO / "examples").glob("*.py") if path.name != "demo.py")
PLUGIN_PACKAGE = REPO / "examples" / "mura-vgg16-plugin"
DATASET_PLUGIN_PACKAGE = REPO / "examples" / "mura-folders-plugin"
SNIPPETS = ["test_vgg16_plugin.py", "test_folders_plugin.py"]


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=240,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "", **env},
    )


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_example_runs(example: Path, tmp_path: Path) -> None:
    result = run([sys.executable, str(example), str(tmp_path / "work")], tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert result.stdout.strip()


def test_plugin_guide_tests_pass(tmp_path: Path) -> None:
    """The plugin guide's test files (docs/snippets/test_vgg16_plugin.py for a family,
    test_folders_plugin.py for a dataset layout) pass as written, in one pytest run."""
    packages = [PLUGIN_PACKAGE, DATASET_PLUGIN_PACKAGE, REPO]
    pythonpath = os.pathsep.join([*map(str, packages), os.environ.get("PYTHONPATH", "")])
    result = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
        + ["--rootdir", str(tmp_path)]
        + [str(REPO / "docs" / "snippets" / name) for name in SNIPPETS],
        tmp_path,
        PYTHONPATH=pythonpath.rstrip(os.pathsep),
        MURA_BLOCK_PLUGINS="vgg16,folders",  # installed copies of the examples would clash
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
