"""Cross-references to the project's own objects (docs/_ext/mura_xref.py), on a small
package (no Sphinx build)."""

from __future__ import annotations

import importlib
import re
import runpy
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
from docutils import nodes
from sphinx.addnodes import pending_xref

from .conftest import DOCS
from .test_docs_sources import mura_api  # noqa: F401  (puts docs/_ext on sys.path)

mura_xref = importlib.import_module("mura_xref")

PACKAGE = {
    "__init__.py": "",
    "words.py": '__all__ = ["KINDS"]\n#: The kinds of things.\nKINDS = ("a", "b")\n',
    "sub/__init__.py": (
        "from xrefpkg.sub.leaf import LIMIT, Thing, shared\n"
        '__all__ = ["LIMIT", "Thing", "shared"]\n'
    ),
    "sub/leaf.py": """\
        from xrefpkg.words import KINDS
        __all__ = ["KINDS", "LIMIT", "Thing", "shared", "own"]
        #: The largest size.
        LIMIT = 10
        class Thing:
            def size(self): ...
        def shared(): ...
        def own(): ...
        """,
}


@pytest.fixture
def xrefpkg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for relative, text in PACKAGE.items():
        path = tmp_path / "xrefpkg" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(mura_xref, "PROJECT_PACKAGES", ("xrefpkg",))
    yield tmp_path
    for cached in ("module_imports", "attribute_comments", "candidates", "split_module"):
        getattr(mura_xref, cached).cache_clear()
    for name in [name for name in sys.modules if name.split(".")[0] == "xrefpkg"]:
        del sys.modules[name]


class _Domain:
    """Python domain stand-in: what is documented, and the target a reference got."""

    objects = {
        "xrefpkg.sub.shared": None,
        "xrefpkg.sub.Thing": None,
        "xrefpkg.sub.Thing.size": None,
        "xrefpkg.words.KINDS": None,
    }

    def resolve_xref(self, env, fromdoc, builder, typ, target, node, contnode):  # noqa: ANN001
        return target


class _Env:
    def get_domain(self, name: str) -> _Domain:
        return _Domain()


def resolve(target: str, module: str | None = None) -> object:
    node = pending_xref(refdomain="py", reftype="obj", reftarget=target, refdoc="x")
    if module:
        node["py:module"] = module
    app = SimpleNamespace(builder=None)
    return mura_xref.documented_target(app, _Env(), node, nodes.Text(target))


def test_a_reference_resolves_where_the_object_is_documented(xrefpkg: Path) -> None:
    # Through the defining module, to the package that re-exports and documents it.
    assert resolve("xrefpkg.sub.leaf.shared") == "xrefpkg.sub.shared"
    assert resolve("xrefpkg.sub.leaf.Thing.size") == "xrefpkg.sub.Thing.size"
    # A short name in the defining module's docstrings.
    assert resolve("shared", module="xrefpkg.sub.leaf") == "xrefpkg.sub.shared"
    assert resolve("Thing.size", module="xrefpkg.sub.leaf") == "xrefpkg.sub.Thing.size"
    # A name a module imports from a sibling, where the sibling documents it.
    assert resolve("KINDS", module="xrefpkg.sub.leaf") == "xrefpkg.words.KINDS"
    # Not documented anywhere, or not the project's: still missing.
    assert resolve("own", module="xrefpkg.sub.leaf") is None
    assert resolve("xrefpkg.sub.leaf.missing") is None
    assert resolve("shared", module="elsewhere") is None


def test_a_package_gives_a_re_exported_constant_its_comment(xrefpkg: Path) -> None:
    importlib.import_module("xrefpkg.sub")
    assert mura_xref.defining_comment("xrefpkg.sub", "LIMIT") == ["The largest size.", ""]
    assert mura_xref.defining_comment("xrefpkg", "KINDS") == []  # not a name it has
    assert mura_xref.defining_comment("xrefpkg.sub", "shared") == []
    assert mura_xref.defining_comment("xrefpkg.sub.leaf", "KINDS") == []  # not below it


def test_only_a_package_shares_the_comments_of_its_modules(xrefpkg: Path) -> None:
    from sphinx.pycode import ModuleAnalyzer

    try:
        mura_xref.share_reexported_comments(None)
        sub = ModuleAnalyzer.for_module("xrefpkg.sub").attr_docs
        leaf = ModuleAnalyzer.for_module("xrefpkg.sub.leaf").attr_docs
        assert list(sub) == [("", "LIMIT")]  # from its module; `shared` has no comment
        assert ("", "KINDS") not in leaf  # from a sibling: documented there, once
    finally:
        for key in [key for key in ModuleAnalyzer.cache if key[1].startswith("xrefpkg")]:
            del ModuleAnalyzer.cache[key]


def test_the_build_is_nitpicky_and_leaves_only_other_libraries_as_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_by_conf = ("MURA_DISABLE_PLUGIN_AUTOLOAD", "TF_CPP_MIN_LOG_LEVEL", "CUDA_VISIBLE_DEVICES")
    for variable in set_by_conf:
        monkeypatch.setenv(variable, "")  # restored after the test
    monkeypatch.delenv("MURA_PLUGINS", raising=False)
    monkeypatch.delenv("MURA_BLOCK_PLUGINS", raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    conf = runpy.run_path(str(DOCS / "conf.py"))
    assert conf["nitpicky"] is True and "mura_xref" in conf["extensions"]
    ignored = [re.compile(target) for _, target in conf["nitpick_ignore_regex"]]
    for own in ("registry", "registry.Family", "mura_core.data.FRAME_COLUMNS", "mura_plugins.cnn"):
        assert not any(pattern.fullmatch(own) for pattern in ignored), own
    for other in ("pathlib.Path", "pd.DataFrame", "keras.src.callbacks.callback.Callback", "Path"):
        assert any(pattern.fullmatch(other) for pattern in ignored), other
    assert not any(pattern.fullmatch("numpyish.Array") for pattern in ignored)
