"""The training tests use the tiny tree and trained run of ``tests/conftest.py``."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
