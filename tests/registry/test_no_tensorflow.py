"""Importing the registry, parsing, listing and the listing commands never import TensorFlow
(nor pandas: listing the registry starts instantly), nor Ray (``mura sweep``'s engine)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
{body}
loaded = sorted(m for m in ("tensorflow", "keras", "pandas", "ray") if m in sys.modules)
print("LOADED=" + ",".join(loaded))
"""


def _loaded(body: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(body=body)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "body",
    [
        "import registry",
        "import registry; registry.parse('densenet201_in.256.256.3_p.avg__wc_aug')",
        "import registry; registry.list_models(tag='seed'); registry.describe('report_cnn6_wc')",
        "import registry; registry.plugins()",
        "from mura_core.cli import main; main(['models', 'list'])",
        "from mura_core.cli import main; main(['models', 'list', '--json'])",
        "from mura_core.cli import main; main(['models', 'families'])",
        "from mura_core.cli import main; main(['plugins'])",
        "from mura_core.cli import build_parser; build_parser().format_help()",  # mura --help
        "from mura_core.cli import main; main(['models', 'show', 'cnn_in.256.256'])",
        "import mura_core.cli.sweep, mura_core.sweeps.engine_ray",
    ],
)
def test_no_tensorflow_import(body):
    assert _loaded(body) == "LOADED="
