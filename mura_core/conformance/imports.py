"""Does importing a plugin's modules import TensorFlow? Asked of a fresh process.

A plugin module must import nothing heavy (Keras, TensorFlow) at module level: every
``mura`` command imports every plugin, and listing or parsing names stays instant. The
probe runs in a subprocess with this process's ``sys.path``; a finder placed first on
``sys.meta_path`` stops the first import of TensorFlow and records the line of the
plugin's module that caused it, so a failing plugin costs no TensorFlow start-up either.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass

from registry import Family, Registry

__all__ = ["ImportProbe", "family_modules", "probe_imports"]

_MODULE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")

_PROBE = r"""
import importlib, importlib.abc, json, linecache, sys

modules = sys.argv[1:]
found = {}


class StopTensorFlow(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] != "tensorflow":
            return None
        frame = sys._getframe(1)
        while frame is not None and frame.f_globals.get("__name__") not in modules:
            frame = frame.f_back
        if frame is not None and "module" not in found:
            code = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
            found.update(module=frame.f_globals["__name__"], line=frame.f_lineno, code=code)
        raise ImportError("the conformance probe stops TensorFlow from loading")


sys.meta_path.insert(0, StopTensorFlow())
errors = {}
for module in modules:
    try:
        importlib.import_module(module)
    except BaseException as error:
        errors[module] = f"{type(error).__name__}: {error}".splitlines()[0]
    if found:
        break
print(json.dumps({"tensorflow": found or None, "errors": errors}))
"""


@dataclass(frozen=True)
class ImportProbe:
    """What importing the modules in a fresh process did.

    ``tensorflow``: where TensorFlow was first imported (``module``, ``line``, ``code``),
    or ``None``; ``errors``: modules that failed to import, with the error's first line.
    """

    modules: tuple[str, ...]
    tensorflow: dict[str, object] | None
    errors: dict[str, str]


def importable(module: str | None) -> bool:
    """True for a dotted module name a fresh process can import (not ``__main__``)."""
    return bool(module) and bool(_MODULE.match(module)) and module not in ("__main__", "builtins")


def family_modules(registry: Registry, family: Family) -> tuple[str, ...]:
    """The importable modules of ``family``: its plugin's entry point, its spec's, its
    builder's."""
    info = next((i for i in registry.plugins() if i.name == family.plugin), None)
    entry = info.module.partition(":")[0] if info and info.module else None
    candidates = (entry, family.spec.__module__, getattr(family.builder, "__module__", None))
    return tuple(module for module in dict.fromkeys(candidates) if importable(module))


def probe_imports(modules: tuple[str, ...]) -> ImportProbe:
    """Import ``modules`` in order in a fresh process (this one's ``sys.path``); cached."""
    return _probe(modules, os.pathsep.join(path for path in sys.path if path))


@functools.lru_cache(maxsize=64)
def _probe(modules: tuple[str, ...], path: str) -> ImportProbe:
    environment = {**os.environ, "PYTHONPATH": path, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *modules],
        capture_output=True, text=True, env=environment, timeout=120,
    )  # fmt: skip
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return ImportProbe(modules, None, {modules[0]: f"the probe failed: {detail}"})
    report = json.loads(lines[-1])
    return ImportProbe(modules, report["tensorflow"], report["errors"])
