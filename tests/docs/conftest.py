"""The documentation built once per session, shared by the build checks and the browser check."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"


@dataclass(frozen=True)
class BuiltDocs:
    """The HTML folder of one ``sphinx -W`` build and the build's warnings and errors."""

    html: Path
    returncode: int
    stderr: str

    @property
    def warnings(self) -> list[str]:
        lines = [line for line in self.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
        return [line for line in lines if "absl::InitializeLog" not in line]


@pytest.fixture(scope="session")
def built_docs(tmp_path_factory: pytest.TempPathFactory) -> BuiltDocs:
    """The documentation built from scratch with warnings as errors (about 30 s)."""
    root = tmp_path_factory.mktemp("docs")
    out = root / "html"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-E", "-b", "html"]
        + ["-d", str(root / "doctrees"), str(DOCS), str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )
    return BuiltDocs(out, result.returncode, result.stderr)
