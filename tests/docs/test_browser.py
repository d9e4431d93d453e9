"""The built documentation in a real browser (headless Chromium): nothing scrolls sideways,
and on a narrow screen the navigation leaves the first screen to the page.

Chromium comes from the system packages (Debian: ``apt-get install chromium``) and is
found on ``PATH``; without it the test is skipped. How a page is measured: the module
docstring of ``docs/_ext/browser.py``.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import DOCS, BuiltDocs

sys.path.insert(0, str(DOCS / "_ext"))
import browser  # noqa: E402

#: The pages a newcomer reads first, one API page, and the pages of wide tables and pictures.
PAGES = ("index.html", "getting-started.html", "plugins.html", "reference/api-registry.html",
         "reference/grammar.html", "gallery.html")  # fmt: skip
WIDTHS = (1280, 800)
#: At most this share of the first screen is navigation at 800 px.
NAV_SHARE_AT_800 = 0.5


@pytest.fixture(scope="session")
def chromium() -> str:
    """The headless Chromium on ``PATH``; skips (before the docs are built) when there is none."""
    found = browser.find_chromium()
    if found is None:
        pytest.skip(f"no headless Chromium on PATH (tried {', '.join(browser.CHROMIUM_NAMES)})")
    return found


def problems(page: str, width: int, layout: browser.Layout) -> list[str]:
    """What a reader of ``page`` in a window ``width`` px wide would see wrong."""
    found, where = [], f"{page} at {width} px"
    if layout.scrolls_sideways:
        found.append(f"{where}: {layout.scroll_width} px wide in {layout.client_width} px")
    found += [f"{where}: {element} scrolls sideways" for element in layout.scrolling]
    if width == 800 and layout.nav_share > NAV_SHARE_AT_800:
        found.append(f"{where}: navigation covers {layout.nav_share:.0%} of the first screen")
    if layout.title_top is None or not 0 <= layout.title_top < layout.viewport[1]:
        found.append(f"{where}: the page title is not on the first screen")
    return found


def test_pages_fit_the_window_and_the_navigation_leaves_room(
    chromium: str, built_docs: BuiltDocs
) -> None:
    assert built_docs.returncode == 0, built_docs.stderr[-4000:]
    cases = [(page, width) for page in PAGES for width in WIDTHS]

    def measure(case: tuple[str, int]) -> browser.Layout:
        return browser.measure(chromium, built_docs.html / case[0], case[1])

    with ThreadPoolExecutor(max_workers=2) as pool:
        layouts = list(pool.map(measure, cases))
    assert [layout.viewport[0] for layout in layouts] == [width for _, width in cases]
    found = [text for case, layout in zip(cases, layouts) for text in problems(*case, layout)]
    assert not found, "\n".join(found)


def test_the_check_sees_a_page_too_wide_and_a_navigation_that_covers_it(
    chromium: str, tmp_path: Path
) -> None:
    page = tmp_path / "wide.html"
    page.write_text(
        '<html><head></head><body style="margin:0"><div class="sidebar-drawer" '
        'style="position:fixed;inset:0"></div><div style="width:1000px;height:10px"></div>'
        "</body></html>",
        encoding="utf-8",
    )
    layout = browser.measure(chromium, page, 800)
    # The drawer covers the window but for the horizontal scrollbar.
    assert layout.scroll_width == 1000 and layout.nav_share > 0.9
    assert [text.split(": ")[1] for text in problems("wide.html", 800, layout)] == [
        f"1000 px wide in {layout.client_width} px",
        f"navigation covers {layout.nav_share:.0%} of the first screen",
        "the page title is not on the first screen",
    ]


def test_the_check_sees_a_table_that_scrolls_inside_the_page(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "table.html"
    page.write_text(
        '<html><head></head><body style="margin:0"><article><h1>Tokens</h1>'
        '<div style="overflow-x:auto;width:300px"><table><tr><td style="white-space:nowrap">'
        + "spec_field_" * 60
        + "</td></tr></table></div></article></body></html>",
        encoding="utf-8",
    )
    layout = browser.measure(chromium, page, 800)
    assert not layout.scrolls_sideways
    found = problems("table.html", 800, layout)
    assert len(found) == 1 and found[0].startswith("table.html at 800 px: div ")
    assert 'in 300 px ("spec_field_' in found[0] and found[0].endswith("scrolls sideways")
