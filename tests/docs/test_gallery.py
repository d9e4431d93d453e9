"""The gallery shows what ``docs/make_gallery.py`` draws, and the script still draws it.

The committed pictures under ``docs/images/gallery/`` are the ones the script names, the
pages show no other gallery picture, and the script draws every one of them from a tiny
run through the same commands (so a figure that stops being drawn fails here).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from PIL import Image

DOCS = Path(__file__).resolve().parents[2] / "docs"
SHOWN = re.compile(r"\.\. image:: images/gallery/(\S+)")


@pytest.fixture(scope="module")
def gallery():
    """``docs/make_gallery.py`` as a module."""
    spec = importlib.util.spec_from_file_location("make_gallery", DOCS / "make_gallery.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def test_the_gallery_page_shows_each_committed_figure_once(gallery):
    shown = SHOWN.findall((DOCS / "gallery.rst").read_text(encoding="utf-8"))
    assert sorted(shown) == sorted(gallery.FIGURES)
    assert sorted(path.name for path in gallery.GALLERY.iterdir()) == sorted(gallery.FIGURES)


def test_other_pages_show_only_gallery_figures(gallery):
    for page in DOCS.glob("*.rst"):
        for name in SHOWN.findall(page.read_text(encoding="utf-8")):
            assert name in gallery.FIGURES, f"{page.name} shows {name}, which no script draws"


def test_the_script_draws_every_figure(gallery, tmp_path):
    written = gallery.draw(tmp_path / "out", tmp_path / "work", gallery.QUICK)
    assert sorted(written) == sorted(gallery.FIGURES)
    for name, path in written.items():
        assert path == tmp_path / "out" / name
        with Image.open(path) as image:
            assert image.format == "PNG" and min(image.size) >= 200, name
