"""Cross-references to the project's own objects, resolved where they are documented.

A name a package re-exports in its ``__all__`` is documented once, at the package
(``docs/_ext/mura_api.py``). Two things follow, both handled here:

* a reference through the name's defining module (``mura_core.training.callbacks.
  default_callbacks``), or a short name in that module's docstrings (``default_callbacks``,
  ``Ensembler.members``), resolves to the package that documents the same object
  (:func:`documented_target`);
* a re-exported constant keeps the ``#:`` comment written where it is defined
  (:func:`defining_comment`): autodoc only reads the comments of the module it documents,
  and would otherwise drop the constant as undocumented, leaving its references dangling.

References to other libraries are not resolved here (the build is offline: see
``nitpick_ignore_regex`` in ``docs/conf.py``).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import re
import sys
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from docutils import nodes
from docutils.utils import get_source_line
from mura_api import package_modules
from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer

#: The project's packages: only references into these are resolved here.
PROJECT_PACKAGES = ("registry", "mura_core", "mura_plugins")

_MISSING = object()
_DOCSTRING_OF = re.compile(r":docstring of ([\w.]+)$")


def is_project(dotted: str) -> bool:
    """Whether ``dotted`` names something in one of :data:`PROJECT_PACKAGES`."""
    return dotted.split(".")[0] in PROJECT_PACKAGES


#: A reference's target as a module and the attribute path in it: ``("a.b", ("X", "y"))``.
Target = tuple[str, tuple[str, ...]]


def lookup(module: str, attributes: Sequence[str]) -> Any:
    """The object ``module.attributes`` names (imported first, then looked up, so that a
    package's re-exported name wins over its sub-module of the same name)."""
    try:
        found: Any = importlib.import_module(module)
    except Exception:  # not a module, or not importable here
        return _MISSING
    for attribute in attributes:
        found = getattr(found, attribute, _MISSING)
        if found is _MISSING:
            break
    return found


def candidate_paths(written: Target) -> Iterator[str]:
    """Where the object ``written`` names may be documented: through the modules it is
    imported from (``mura_core.data.checks.CHECKS`` -> ``mura_core.vocabulary.CHECKS``),
    and at the packages above each of them that export the same object
    (``mura_core.training.callbacks.default_callbacks`` ->
    ``mura_core.training.default_callbacks``)."""
    module, rest = written
    if not rest:
        return
    for where, name in import_chain(module, rest[0]):
        named = lookup(where, [name])
        parts = where.split(".")
        for keep in range(len(parts), 0, -1):
            package = ".".join(parts[:keep])
            if keep == len(parts) or (named is not _MISSING and lookup(package, [name]) is named):
                yield ".".join([package, name, *rest[1:]])


@cache
def split_module(dotted: str) -> Target:
    """``a.b.X.y`` -> ``("a.b", ("X", "y"))``: the longest module prefix and the rest."""
    parts = dotted.split(".")
    for size in range(len(parts), 0, -1):
        try:
            if importlib.util.find_spec(".".join(parts[:size])) is not None:
                return ".".join(parts[:size]), tuple(parts[size:])
        except (ImportError, ValueError):  # a prefix is a module, not a package
            continue
    return parts[0], tuple(parts[1:])


def written_targets(node: Any) -> list[Target]:
    """The paths a reference may mean: as written if it starts with a project package,
    else under the class and the module it is written in, and under the module of the
    docstring it comes from (a re-exported function's annotations are written in its
    defining module, though documented at the package)."""
    target = node.get("reftarget", "").lstrip(".~")
    if is_project(target):
        return [split_module(target)]
    module, cls = node.get("py:module"), node.get("py:class")
    names = tuple(target.split("."))
    paths = [(module, (cls, *names))] if module and cls else []
    paths += [(scope, names) for scope in (module, docstring_module(node)) if scope]
    return [path for path in dict.fromkeys(paths) if is_project(path[0])]


def docstring_module(node: Any) -> str | None:
    """The module of the docstring a reference is written in, from the source autodoc
    gives it (``.../data/__init__.py:docstring of mura_core.data.pipeline.input_spec``)."""
    source, _ = get_source_line(node)
    found = _DOCSTRING_OF.search(source or "")
    return split_module(found.group(1))[0] if found else None


def documented_target(app: Any, env: Any, node: Any, contnode: nodes.Node) -> Any:
    """Resolve a reference to one of the project's objects where a package documents
    it (see the module docstring); None (still missing) if no documented path names the
    same object."""
    if node.get("refdomain") != "py":
        return None
    domain = env.get_domain("py")
    for path in candidates(tuple(written_targets(node))):
        if path not in domain.objects:
            continue
        retry = node.deepcopy()
        retry["reftarget"] = path
        found = domain.resolve_xref(
            env, node.get("refdoc"), app.builder, node["reftype"], path, retry, contnode
        )
        if found is not None:
            return found
    return None


@cache
def candidates(written: tuple[Target, ...]) -> tuple[str, ...]:
    """The :func:`candidate_paths` of each written path, computed once per build."""
    return tuple(path for each in written for path in candidate_paths(each))


# -- the comments of re-exported constants -----------------------------------------------


@cache
def attribute_comments(module: str) -> dict[tuple[str, str], list[str]]:
    """The ``#:`` comments of ``module``'s attributes (empty if it has no source)."""
    try:
        analyzer = ModuleAnalyzer.for_module(module)
        analyzer.analyze()
    except PycodeError:
        return {}
    return dict(analyzer.attr_docs)


def imported_from(module: str, name: str) -> tuple[str, str] | None:
    """The module and name ``module``'s ``from ... import`` of ``name`` reads."""
    return module_imports(module).get(name)


@cache
def module_imports(module: str) -> dict[str, tuple[str, str]]:
    """Each name ``module`` imports with ``from ... import``, at the top level or in a
    top-level block such as ``if TYPE_CHECKING:``: the module and name it reads."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return {}
    with open(spec.origin, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    package = module if spec.submodule_search_locations is not None else module.rpartition(".")[0]
    blocks = [block.body for block in tree.body if isinstance(block, ast.If)]
    imports: dict[str, tuple[str, str]] = {}
    for statement in [*tree.body, *(s for body in blocks for s in body)]:
        if isinstance(statement, ast.ImportFrom):
            source = importlib.util.resolve_name(
                "." * statement.level + (statement.module or ""), package
            )
            for alias in statement.names:
                imports.setdefault(alias.asname or alias.name, (source, alias.name))
    return imports


def import_chain(module: str, name: str) -> Iterator[tuple[str, str]]:
    """``(module, name)``, then where ``module`` imports ``name`` from, and so on, as long
    as the chain stays in the project."""
    seen: set[tuple[str, str]] = set()
    source: tuple[str, str] | None = (module, name)
    while source is not None and source not in seen and is_project(source[0]):
        seen.add(source)
        yield source
        source = imported_from(*source)


def defining_comment(package: str, name: str) -> list[str]:
    """The ``#:`` comment of what ``package`` exports as ``name``, written in the
    (imported) module below ``package`` that defines it; empty if there is none."""
    value = lookup(package, [name])
    if value is _MISSING:
        return []
    for module in sorted(m for m in list(sys.modules) if m.startswith(package + ".")):
        if getattr(sys.modules[module], name, _MISSING) is value:
            comment = attribute_comments(module).get(("", name))
            if comment:
                return list(comment)
    return []


def is_constant(value: Any) -> bool:
    """Whether ``value`` is documented by a comment, not by a docstring of its own."""
    return not (inspect.isclass(value) or inspect.isroutine(value) or inspect.ismodule(value))


def share_reexported_comments(app: Any) -> None:
    """Give each constant a package re-exports from its modules the comment written where
    it is defined, as if written in the package too: autodoc reads a constant's comment
    from the analyzer of the module it documents (cached by Sphinx for the whole build).

    Runs after ``mura_api`` imported every documented module."""
    for package in PROJECT_PACKAGES:
        for module in package_modules(package):
            imported = importlib.import_module(module)
            exported = getattr(imported, "__all__", ())
            if not hasattr(imported, "__path__") or not any(
                is_constant(getattr(imported, name, None)) for name in exported
            ):
                continue  # only a package re-exports, and classes and functions have docstrings
            try:
                analyzer = ModuleAnalyzer.for_module(module)
                analyzer.analyze()
            except PycodeError:
                continue
            for name in exported:
                if (
                    is_constant(getattr(imported, name, None))
                    and ("", name) not in analyzer.attr_docs
                ):
                    comment = defining_comment(module, name)
                    if comment:
                        analyzer.attr_docs["", name] = comment


def setup(app: Any) -> dict[str, Any]:
    app.connect("missing-reference", documented_target)
    app.connect("builder-inited", share_reexported_comments)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
