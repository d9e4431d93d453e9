"""What a plugin registers to teach ``mura`` a way data lies on disk: a :class:`DatasetLayout`.

A layout is data: a name, a *detector* that tells whether a root folder is laid out its
way, and where its *loader* lives. The registry never imports the loader (nor
TensorFlow): ``mura_core.data.sources`` imports it when a command loads data of that
layout, and calls it as ``loader(root, *, body_parts, strict, check)``; it returns a
``mura_core.data.ImageDataset``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from registry.errors import PluginError

__all__ = ["LAYOUT_PATTERN", "OBJECT_PATTERN", "DatasetLayout", "import_object"]

#: A layout name: lowercase words of letters and digits joined by ``-`` or ``.`` (``mura-v1.1``).
LAYOUT_PATTERN = re.compile(r"^[a-z][a-z0-9]*([.-][a-z0-9]+)*$")
#: Where an object lives: ``package.module:attribute``.
OBJECT_PATTERN = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


def import_object(where: str) -> Any:
    """The object ``package.module:attribute`` names, imported now.

    Raises:
        PluginError: the module cannot be imported or lacks the attribute (one line).
    """
    module_name, _, attribute = where.partition(":")
    try:
        value: Any = import_module(module_name)
        for part in attribute.split("."):
            value = getattr(value, part)
    except (Exception, SystemExit) as error:  # a broken plugin is one line, never a crash
        lines = str(error).strip().splitlines()
        reason = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
        raise PluginError(f"{where} cannot be imported ({reason})") from None
    return value


@dataclass(frozen=True)
class DatasetLayout:
    """A way image data lies on disk, registered through ``register_datasets``.

    Args:
        name: what ``--layout NAME`` says (``mura-v1.1``, ``study-csv``).
        detect: ``detect(root) -> bool``: whether the folder ``root`` (a resolved
            :class:`~pathlib.Path`) is laid out this way. It must be quick (look at a
            few names, read no images) and import nothing slow.
        loader: ``"package.module:attribute"`` of the loader, imported only when data
            of this layout is loaded (or the callable itself):
            ``loader(root, *, body_parts, strict, check)`` returns an ``ImageDataset``
            whose frame has a ``relpath`` column, each image's path relative to
            :meth:`base_of` ``(root)`` with ``/`` separators.
        description: one line saying what the layout looks like, for ``mura plugins``
            and for the message when no layout recognises a root.
        base: ``base(root) -> Path``, the folder ``relpath`` starts from (default: the
            root itself); split manifests and data fingerprints record paths from it.
        labels: ``"package.module:attribute"`` of ``labels(root, relpaths)``, the label
            each image has now, read from the label files only (optional: by default
            the data is loaded, checking only that files exist, and its labels read).
    """

    name: str
    detect: Callable[[Path], bool]
    loader: str | Callable[..., Any]
    description: str = ""
    base: Callable[[Path], Path] | None = None
    labels: str | None = None
    plugin: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not LAYOUT_PATTERN.match(self.name):
            raise ValueError(
                f"dataset layout name {self.name!r} must be lowercase letters and digits, "
                "words joined by '-' or '.'"
            )
        if not callable(self.detect):
            raise TypeError(f"dataset layout {self.name!r}: detect must be callable")
        places = [("labels", self.labels)] if self.labels is not None else []
        if not callable(self.loader):
            places.append(("loader", self.loader))
        for what, value in places:
            if not isinstance(value, str) or not OBJECT_PATTERN.match(value):
                raise TypeError(
                    f"dataset layout {self.name!r}: {what} must be 'package.module:attribute'"
                    f" (got {value!r})"
                )
        if self.base is not None and not callable(self.base):
            raise TypeError(f"dataset layout {self.name!r}: base must be callable")
        if not isinstance(self.description, str) or "\n" in self.description:
            raise TypeError(f"dataset layout {self.name!r}: description must be one line")

    def base_of(self, root: Path) -> Path:
        """The folder the dataset's ``relpath`` values start from."""
        return Path(self.base(root)) if self.base is not None else root

    def load_function(self) -> Callable[..., Any]:
        """The loader, imported now.

        Raises:
            PluginError: it cannot be imported, or is not callable (naming the layout).
        """
        loader = self.loader
        if isinstance(loader, str):
            try:
                loader = import_object(loader)
            except PluginError as error:
                raise PluginError(f"dataset layout {self.name!r}: loader {error}") from None
        if not callable(loader):
            raise PluginError(f"dataset layout {self.name!r}: loader {self.loader} is not callable")
        return loader
