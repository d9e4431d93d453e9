"""Which dataset layout a data root has, and loading it through that layout's plugin.

Dataset layouts are registered by plugins (:class:`registry.DatasetLayout`, hook
``register_datasets``): the built-in ones are ``mura-v1.1`` and ``study-csv``.
:func:`open_data` picks the layout of a root: the one ``layout`` names (if its detector
recognises the root), or else the one layout whose detector recognises the root. None,
or several, is a one-line :class:`~mura_core.errors.MuraError` listing the layouts
tried. A detector that raises
is that plugin's fault: a one-line warning, and the layout counts as not recognising.

A :class:`DataRoot` is a path (``os.fspath`` gives the root), so it goes wherever a
data root went; functions that take a root call :func:`open_data` on it, which returns
a :class:`DataRoot` as it is.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mura_core.data.layout import existing_directory
from mura_core.errors import MuraError

__all__ = ["DataRoot", "load_data", "open_data"]

logger = logging.getLogger("mura.plugins")


@dataclass(frozen=True)
class DataRoot(os.PathLike):
    """A data root and the layout it is read with.

    Attributes:
        root: the folder given, absolute.
        layout: the :class:`registry.DatasetLayout` that reads it.
    """

    root: Path
    layout: Any

    def __fspath__(self) -> str:
        return str(self.root)

    def __str__(self) -> str:
        return str(self.root)

    @property
    def base(self) -> Path:
        """The folder the dataset's relative paths (``relpath``) start from."""
        return self.layout.base_of(self.root)

    def load(
        self,
        *,
        body_parts: str | Iterable[str] | None = None,
        strict: bool = False,
        check: str = "verify",
    ) -> Any:
        """The :class:`~mura_core.data.dataset.ImageDataset` the layout's loader returns.

        Raises:
            MuraError: the data is not as the layout expects (from its loader).
            registry.PluginError: the loader cannot be imported, or returns no dataset.
        """
        from mura_core.data.dataset import ImageDataset, check_frame
        from registry import PluginError

        loader = self.layout.load_function()
        dataset = loader(self.root, body_parts=body_parts, strict=strict, check=check)
        if not isinstance(dataset, ImageDataset):
            raise PluginError(
                f"dataset layout {self.layout.name!r}: its loader returned "
                f"{type(dataset).__name__}, not an ImageDataset"
            )
        check_frame(dataset.frame)
        return dataset

    def labels(self, relpaths: Sequence[str]) -> np.ndarray:
        """The label each image of ``relpaths`` has now: from the layout's ``labels``
        function, or else from the data loaded checking only that files exist (an image
        no longer listed has label -1)."""
        relpaths = [str(path) for path in relpaths]
        if self.layout.labels is not None:
            from registry.datasets import import_object

            function = import_object(self.layout.labels)
            return np.asarray(function(self.root, relpaths), dtype=np.int64)
        frame = self.load(check="exists").frame
        known = dict(zip(frame["relpath"].astype(str), frame["label"].astype("int64")))
        return np.array([known.get(path, -1) for path in relpaths], dtype=np.int64)


def _layouts() -> tuple[dict[str, Any], dict[str, str]]:
    import registry

    found = registry.get_registry()
    return found.datasets(), found.dataset_clashes()


def _recognises(layout: Any, root: Path) -> tuple[bool, str | None]:
    """Whether ``layout`` recognises ``root``, and how its detector failed (if it did)."""
    from registry.entry_points import failure_reason, strict_mode

    try:
        return bool(layout.detect(root)), None
    except (Exception, SystemExit) as error:  # one plugin's bug is never every command's
        reason = f"its detector failed ({failure_reason(error)})"
        message = f"dataset layout {layout.name!r} of plugin {layout.plugin!r}: {reason}"
        if strict_mode():
            raise MuraError(message) from None
        logger.warning("mura: warning: %s (skipped)", message)
        return False, reason


def _named(name: str, layouts: dict[str, Any], clashes: dict[str, str]) -> Any:
    from registry import PluginError
    from registry.errors import closest

    if name in clashes:
        raise PluginError(clashes[name])
    if name not in layouts:
        hint = closest(name, layouts)
        known = ", ".join(layouts) or "none"
        raise MuraError(
            f"unknown dataset layout {name!r}"
            + (f"; did you mean {hint!r}?" if hint else f"; known: {known}")
        )
    return layouts[name]


def open_data(root: str | os.PathLike[str], layout: str | None = None) -> DataRoot:
    """The layout of the data root ``root``: ``layout`` by name (it must recognise the
    root too: naming it settles a tie), or the one that recognises it (a
    :class:`DataRoot` is returned as it is).

    Raises:
        MuraError: no such folder, an unknown layout, a named layout that does not
            recognise the root, or no layout (or several) that recognises it, naming
            the layouts tried.
    """
    if isinstance(root, DataRoot) and layout in (None, root.layout.name):
        return root
    path = existing_directory(root)
    layouts, clashes = _layouts()
    if layout is not None:
        chosen = _named(layout, layouts, clashes)
        recognised, failure = _recognises(chosen, path)
        if not recognised:
            why = failure or chosen.description or "its detector says no"
            raise MuraError(f"{root}: not a {layout} root ({why})")
        return DataRoot(path, chosen)
    tried, chosen = [], []
    for candidate in layouts.values():
        recognised, failure = _recognises(candidate, path)
        if recognised:
            chosen.append(candidate)
        description = failure or candidate.description
        tried.append(f"{candidate.name}" + (f" ({description})" if description else ""))
    if len(chosen) == 1:
        return DataRoot(path, chosen[0])
    if chosen:
        names = ", ".join(candidate.name for candidate in chosen)
        raise MuraError(f"{root}: several dataset layouts recognise it ({names}); "
                        "choose one with --layout NAME")  # fmt: skip
    listed = "; ".join(tried) or "none is installed"
    raise MuraError(f"{root}: no dataset layout recognises it (tried {listed})")


def load_data(
    root: str | os.PathLike[str],
    layout: str | None = None,
    *,
    body_parts: str | Iterable[str] | None = None,
    strict: bool = False,
    check: str = "verify",
) -> Any:
    """Load the data root ``root`` with its layout (see :func:`open_data`) into an
    :class:`~mura_core.data.dataset.ImageDataset`."""
    return open_data(root, layout).load(body_parts=body_parts, strict=strict, check=check)
