"""The generated API pages (docs/_ext/mura_api.py), on a small package (no Sphinx build)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Annotated, Optional

import pytest
from annotated_types import Ge, Interval, MaxLen, MinLen
from pydantic import Field

from registry import Token

from .test_docs_sources import mura_api

PACKAGE = {
    "__init__.py": '__all__ = ["top"]\nINTERNAL_MODULES = ("apipkg.hidden",)\ndef top(): ...\n',
    "sub/__init__.py": 'from apipkg.sub.leaf import shared\n__all__ = ["shared"]\n',
    "sub/leaf.py": '__all__ = ["shared", "own"]\ndef shared(): ...\ndef own(): ...\n',
    "hidden.py": "def inside(): ...\n",
    "_private.py": "def inside(): ...\n",
}


@pytest.fixture
def apipkg(tmp_path: Path):
    for relative, text in PACKAGE.items():
        path = tmp_path / "apipkg" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.split(".")[0] == "apipkg"]:
            del sys.modules[name]


def test_one_page_per_public_module(apipkg: Path) -> None:
    folder = apipkg / "pages"
    (folder).mkdir()
    (folder / "apipkg.gone.rst").write_text("a module that went away", encoding="utf-8")
    assert mura_api.write_pages(folder, "apipkg") == []
    assert sorted(page.name for page in folder.iterdir()) == [
        "apipkg.sub.leaf.rst",
        "apipkg.sub.rst",
    ]
    sub = (folder / "apipkg.sub.rst").read_text(encoding="utf-8")
    assert sub.startswith("apipkg.sub\n==========\n")
    assert "   :members: shared\n" in sub and "   leaf <apipkg.sub.leaf>\n" in sub
    leaf = (folder / "apipkg.sub.leaf.rst").read_text(encoding="utf-8")
    assert "   :members: own\n" in leaf  # `shared` is documented once, at the package


def test_an_unchanged_page_is_not_rewritten(apipkg: Path) -> None:
    folder = apipkg / "pages"
    mura_api.write_pages(folder, "apipkg")
    page = folder / "apipkg.sub.rst"
    before = page.stat().st_mtime_ns
    mura_api.write_pages(folder, "apipkg")
    assert page.stat().st_mtime_ns == before  # Sphinx does not re-read it


@pytest.mark.parametrize(
    ("annotation", "text"),
    [
        (Annotated[int, Ge(0)], "int, >= 0"),
        (Annotated[float, Interval(gt=0, le=1)], "float, > 0, <= 1"),
        (Annotated[str, MinLen(1), MaxLen(64)], "str, length >= 1, length <= 64"),
        (Annotated[int, Field(ge=1)], "int, >= 1"),
        (Annotated[tuple[int, int], Token("ps")], "tuple[int, int]"),
        (Optional[Annotated[int, Ge(0)]], "(int, >= 0) | None"),  # noqa: UP045
        (list[Annotated[int, Ge(1)]], "list[int, >= 1]"),
        (int, "int"),
    ],
)
def test_constraints_read_as_text(annotation: object, text: str) -> None:
    assert mura_api.readable_annotation(annotation) == text


def test_constraint_text_is_not_a_reference_target() -> None:
    assert mura_api.is_constraint(">= 0") and mura_api.is_constraint("length <= 64")
    assert not mura_api.is_constraint("int") and not mura_api.is_constraint("pathlib.Path")


def test_a_comment_before_a_colon_stays_prose() -> None:
    # What napoleon makes of ``#: Deepest nesting: ``{a,b{1,2}}`` nests two deep.``
    lines = ["", "``{a,b{1,2}}`` nests two deep.", "", ":type: Deepest nesting"]
    mura_api.keep_prose_before_colon(None, "data", "x", None, None, lines)
    assert lines == ["", "Deepest nesting: ``{a,b{1,2}}`` nests two deep.", ""]
    typed = ["", "The limit.", "", ":type: int | None"]
    mura_api.keep_prose_before_colon(None, "data", "x", None, None, typed)
    assert typed[-1] == ":type: int | None"
