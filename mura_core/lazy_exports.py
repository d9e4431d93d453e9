"""Package names imported on first use, so importing a package stays cheap.

A package whose public names live in modules that import TensorFlow or pandas lists
where each name lives and installs the two module hooks::

    __getattr__, __dir__ = lazy_exports(__name__, {"train": "runner"})

``from package import train`` then imports ``package.runner`` on first use only.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, homes: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose names live in ``homes``.

    Args:
        package: the package's ``__name__``.
        homes: each lazily imported name, with the submodule (relative) that defines it.
    """

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{home}"), name)
        setattr(sys.modules[package], name, value)  # the next lookup skips this hook
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *homes})

    __getattr__.__doc__ = "Import a public name from its module on first use."
    __dir__.__doc__ = "The module's names, those not yet imported included (for autodoc)."
    return __getattr__, __dir__
