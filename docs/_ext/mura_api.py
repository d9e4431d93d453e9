"""The ``mura_core`` API reference: one generated page per public module.

When the build starts (``builder-inited``), a page is written for every module of
:mod:`mura_core` users may rely on (``reference/mura_core/<module>.rst``, not committed):
the module's docstring and the names its ``__all__`` exports, and a table of contents
of its sub-modules. A name a package re-exports in its ``__all__`` is documented once,
at the package. The modules ``mura_core.INTERNAL_MODULES`` names are left out.

``.. mura-api::`` (option ``:package:``) renders the package itself and the table of
contents of its sub-modules: it is the root of the generated pages.

Type annotations are shown in the parameter descriptions (``autodoc_typehints =
"description"``); :func:`readable_annotation` turns ``annotated-types`` constraints into
text (``Annotated[int, Ge(ge=0)]`` reads ``int, >= 0``).
"""

from __future__ import annotations

import importlib
import inspect
import re
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from mura_docs import GeneratingDirective
from sphinx.util import logging
from sphinx.util.typing import stringify_annotation

logger = logging.getLogger(__name__)

#: The packages documented one page per module, and the folder (under docs/reference/)
#: their generated pages are written to.
PACKAGES = ("mura_core",)

# -- which modules, which names ----------------------------------------------------------


def internal_modules(package: str) -> tuple[str, ...]:
    """The modules ``package`` declares internal (its ``INTERNAL_MODULES``), if any."""
    return tuple(getattr(importlib.import_module(package), "INTERNAL_MODULES", ()))


def package_modules(package: str, exclude: Sequence[str] = ()) -> list[str]:
    """Every module of ``package`` (namespace sub-packages included), sorted.

    Private modules (``_x``) and ``__main__`` are skipped, as are the modules the package
    declares internal and modules whose name starts with one of ``exclude``.
    """
    exclude = (*exclude, *internal_modules(package))
    root = Path(importlib.import_module(package).__path__[0])
    names = {package}
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if any(part.startswith("_") for part in parts) or "__pycache__" in relative.parts:
            continue
        names.add(".".join([package, *parts]))
    return sorted(
        name
        for name in names
        if not any(name == prefix or name.startswith(prefix + ".") for prefix in exclude)
    )


def children(name: str, modules: Sequence[str]) -> list[str]:
    """The modules of ``modules`` directly under ``name``."""
    return [module for module in modules if module.rpartition(".")[0] == name]


def automodule_rst(name: str) -> list[str]:
    """``automodule`` of one module: the names of its ``__all__`` not re-exported above."""
    module = importlib.import_module(name)
    reexported: set[str] = set()
    parent = name.rpartition(".")[0]
    while parent:
        reexported |= set(getattr(importlib.import_module(parent), "__all__", ()))
        parent = parent.rpartition(".")[0]
    lines = [f".. automodule:: {name}"]
    if name.rpartition(".")[2] in reexported:  # e.g. a module named like its function
        lines += ["   :no-index:"]
    if hasattr(module, "__all__"):
        own = [member for member in module.__all__ if member not in reexported]
        if own:
            lines += ["   :members: " + ", ".join(own)]
    else:
        lines += ["   :members:"]
        if reexported:
            lines += ["   :exclude-members: " + ", ".join(sorted(reexported))]
    return [*lines, ""]


def toctree_rst(name: str, modules: Sequence[str], folder: str = "") -> list[str]:
    """A table of contents of the sub-modules of ``name``, titled by their last part."""
    below = children(name, modules)
    if not below:
        return []
    lines = [".. rubric:: Modules", "", ".. toctree::", "   :titlesonly:", ""]
    lines += [f"   {child.rpartition('.')[2]} <{folder}{child}>" for child in below]
    return [*lines, ""]


def module_page_rst(name: str, modules: Sequence[str]) -> list[str]:
    """The generated page of one module."""
    return [name, "=" * len(name), "", *automodule_rst(name), *toctree_rst(name, modules)]


def internal_rst(package: str) -> list[str]:
    """The paragraph that names the internal modules left out."""
    internal = internal_modules(package)
    if not internal:
        return []
    return [
        ".. rubric:: Internal modules",
        "",
        "These modules are how the package works inside: they are not documented here "
        f"and may change in any release (``{package}.INTERNAL_MODULES``):",
        "",
        ", ".join(f"``{name}``" for name in internal) + ".",
        "",
    ]


def write_pages(folder: Path, package: str) -> list[str]:
    """Write (or keep, if unchanged) one page per sub-module of ``package`` into
    ``folder``; remove pages of modules that went away. Returns import failures."""
    folder.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    modules = package_modules(package)
    wanted: set[Path] = set()
    for name in modules[1:]:  # the package itself is the directive's page
        try:
            text = "\n".join(module_page_rst(name, modules))
        except Exception as error:  # a build warning, which fails -W builds
            failures.append(f"{name}: {type(error).__name__}: {error}")
            continue
        page = folder / f"{name}.rst"
        wanted.add(page)
        if not page.exists() or page.read_text(encoding="utf-8") != text:
            page.write_text(text, encoding="utf-8")
    for stale in set(folder.glob("*.rst")) - wanted:
        stale.unlink()
    return failures


# -- readable annotations ----------------------------------------------------------------

#: ``annotated-types`` constraint attribute -> the text it reads as.
_BOUNDS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<=", "multiple_of": "multiple of"}
_LENGTHS = {"min_length": "length >= {}", "max_length": "length <= {}"}


def constraint_text(metadata: Any) -> str | None:
    """``Ge(ge=0)`` -> ``>= 0``; ``Interval(gt=0, le=1)`` -> ``> 0, <= 1``; else None."""
    if type(metadata).__module__.split(".")[0] not in {"annotated_types", "pydantic"}:
        return None
    if isinstance(getattr(metadata, "metadata", None), list):  # pydantic's Field(ge=0)
        return ", ".join(filter(None, map(constraint_text, metadata.metadata))) or None
    parts: list[str] = []
    for attribute, symbol in _BOUNDS.items():
        value = getattr(metadata, attribute, None)
        if value is not None:
            parts.append(f"{symbol} {value}")
    for attribute, template in _LENGTHS.items():
        value = getattr(metadata, attribute, None)
        if value is not None:
            parts.append(template.format(value))
    return ", ".join(parts) or None


def readable_annotation(annotation: Any) -> str:
    """An annotation as a reader wants it: ``Annotated`` metadata as constraint text
    (other metadata, such as a name token, left out), everything else as Sphinx shows it."""
    if typing.get_origin(annotation) is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        texts = [text for text in map(constraint_text, metadata) if text]
        return ", ".join([readable_annotation(base), *texts])
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is not None and args and any(_has_annotated(arg) for arg in args):
        inner = ", ".join("..." if arg is Ellipsis else readable_annotation(arg) for arg in args)
        if origin is typing.Union or origin is types.UnionType:
            return " | ".join(
                f"({readable_annotation(arg)})" if _has_annotated(arg) else readable_annotation(arg)
                for arg in args
            )
        return f"{stringify_annotation(origin, 'smart')}[{inner}]"
    return stringify_annotation(annotation, "smart")


def _has_annotated(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        return True
    return any(_has_annotated(arg) for arg in typing.get_args(annotation))


def record_readable_types(
    app: Any, objtype: str, name: str, obj: Any, options: Any, args: str, retann: str
) -> None:
    """After autodoc recorded an object's annotations, rewrite the ``Annotated`` ones."""
    recorded = app.env.current_document.autodoc_annotations.get(name)
    if not recorded or not callable(obj):
        return
    try:
        if inspect.isclass(obj):
            parameters = inspect.signature(obj).parameters.values()
            hints = {p.name: p.annotation for p in parameters if not isinstance(p.annotation, str)}
        else:
            hints = typing.get_type_hints(obj, include_extras=True)
    except Exception:  # unresolvable hints: keep what autodoc recorded
        return
    for parameter, hint in hints.items():
        if parameter in recorded and _has_annotated(hint):
            recorded[parameter] = readable_annotation(hint)


def constraint_as_text(app: Any, env: Any, node: Any, contnode: nodes.Node) -> Any:
    """A constraint in a type field (``>= 0``) is text, not a missing class: keep it so."""
    target = node.get("reftarget", "")
    if node.get("refdomain") == "py" and is_constraint(target):
        return contnode
    return None


def is_constraint(text: str) -> bool:
    """Whether ``text`` is what :func:`constraint_text` writes for one bound."""
    words = [*_BOUNDS.values(), *(template.split(" {}")[0] for template in _LENGTHS.values())]
    return any(text.startswith(word + " ") for word in words)


_PROSE = re.compile(r"[A-Za-z][\w,'-]*( [\w,'-]+)+")


def keep_prose_before_colon(
    app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """Undo napoleon's reading of ``#: Deepest nesting: ...`` as type ``Deepest nesting``.

    Napoleon takes the text before the first colon of a constant's, attribute's or
    property's docstring for its type; when that text is prose (words, no type
    punctuation), put it back.
    """
    if what not in {"data", "attribute", "property"}:
        return
    for index, line in enumerate(lines):
        prose = line.removeprefix(":type: ")
        if prose != line and _PROSE.fullmatch(prose):
            del lines[index]
            first = next((i for i, text in enumerate(lines) if text.strip()), None)
            if first is not None:
                lines[first] = f"{prose}: {lines[first]}"
            return


# -- the directive and the hooks ---------------------------------------------------------


class APIDirective(GeneratingDirective):
    """The package's own documentation and the table of contents of its modules."""

    option_spec = {"package": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        package = self.options["package"]
        modules = package_modules(package)
        lines = [*automodule_rst(package), *toctree_rst(package, modules, f"{package}/")]
        lines += internal_rst(package)
        return self.render(lines)


def generate(app: Any) -> None:
    for package in PACKAGES:
        folder = Path(app.srcdir) / "reference" / package
        for failure in write_pages(folder, package):
            logger.warning(f"mura-api: cannot import {failure}")


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("mura-api", APIDirective)
    app.connect("builder-inited", generate)
    app.connect("autodoc-process-signature", record_readable_types, priority=600)
    app.connect("missing-reference", constraint_as_text)
    app.connect("autodoc-process-docstring", keep_prose_before_colon, priority=600)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
