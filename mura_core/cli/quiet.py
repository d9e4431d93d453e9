"""Keep TensorFlow's native start-up logging off the CLI's stderr.

TensorFlow wheels built with CUDA log from C++ (before any Python setting can apply)
that no GPU driver was found. The CLI prints one-line errors and JSON; this module
silences file descriptor 2 while ``tensorflow`` is first imported, and nowhere else.
Python exceptions raised by the import still propagate.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import logging
import os
import sys
from typing import Any

from mura_core.native import silenced_stderr


class QuietTensorFlowImport(importlib.abc.MetaPathFinder):
    """A meta-path finder that runs the first ``import tensorflow`` with stderr silenced."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            execute = spec.loader.exec_module

            def exec_module(module: Any) -> None:
                with silenced_stderr():
                    execute(module)

            spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install() -> None:
    """Silence TensorFlow's native logging during its first import (idempotent)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # TensorFlow's Python warnings (retracing notices of repeated predictions) are for
    # library authors, not for a command's user; errors still show
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    if "tensorflow" in sys.modules:
        return
    if not any(isinstance(finder, QuietTensorFlowImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, QuietTensorFlowImport())
