"""The built documentation as a browser shows it: headless Chromium, no Python dependency.

Chromium is run in its own headless mode, once per page and window width. To measure the
layout, a copy of the page gets a ``<base>`` pointing at the built page's folder (so its
styles and scripts load as for the page itself) and a small script that, on ``load``,
writes the measures as JSON into ``document.title`` (the document's width, the
navigation's box, the title's position, and every element of the content that scrolls
sideways on its own); ``--dump-dom`` prints the page after
its scripts ran (``--virtual-time-budget`` lets them finish) and the title is read back.
Screenshots use ``--screenshot`` with ``--window-size``.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: The names a headless Chromium goes by on ``PATH``, tried in this order.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
#: The window height of a measure and of a screenshot (px).
WINDOW_HEIGHT = 800
TIMEOUT_S = 60

_PROBE = """<script>
addEventListener("load", () => {
  const root = document.documentElement, nav = document.querySelector(".sidebar-drawer");
  const box = nav ? nav.getBoundingClientRect() : {left: 0, top: 0, right: 0, bottom: 0};
  const title = document.querySelector("article h1");
  const scrolling = [];
  for (const element of document.querySelectorAll("article *")) {
    const overflow = getComputedStyle(element).overflowX;
    if (element.clientWidth > 0 && element.scrollWidth > element.clientWidth + 1
        && ["auto", "scroll", "hidden"].includes(overflow)) {
      const text = (element.innerText || "").trim().split("\\n")[0].slice(0, 60);
      scrolling.push(`${element.tagName.toLowerCase()} ${element.scrollWidth} px in `
                     + `${element.clientWidth} px ("${text}")`);
    }
  }
  document.title = "LAYOUT " + JSON.stringify({
    scroll_width: root.scrollWidth, client_width: root.clientWidth,
    viewport: [innerWidth, innerHeight], nav: [box.left, box.top, box.right, box.bottom],
    title_top: title ? title.getBoundingClientRect().top : null, scrolling: scrolling});
});
</script>"""


@dataclass(frozen=True)
class Layout:
    """What a page measures in a window: widths in CSS px, boxes as left, top, right, bottom."""

    scroll_width: int
    client_width: int
    viewport: tuple[int, int]
    nav: tuple[float, float, float, float]
    title_top: float | None
    #: Elements of the page's content that scroll (or cut off) their own overflow, each
    #: as ``tag SCROLL px in CLIENT px ("first line")``: a table or code block too wide.
    scrolling: tuple[str, ...] = ()

    @property
    def scrolls_sideways(self) -> bool:
        """Whether the document is wider than the viewport (a horizontal scrollbar)."""
        return self.scroll_width > self.client_width

    @property
    def nav_share(self) -> float:
        """The share of the first screen that the navigation sidebar covers."""
        width, height = self.viewport
        left, top, right, bottom = self.nav
        seen_x = max(0.0, min(right, width) - max(left, 0.0))
        seen_y = max(0.0, min(bottom, height) - max(top, 0.0))
        return seen_x * seen_y / (width * height)


def find_chromium() -> str | None:
    """The path of the first of :data:`CHROMIUM_NAMES` on ``PATH``, or None."""
    for name in CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    return None


def _run(chromium: str, url: str, width: int, *args: str) -> str:
    with tempfile.TemporaryDirectory(prefix="mura-chromium-") as profile:
        result = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
            + [f"--user-data-dir={profile}", f"--window-size={width},{WINDOW_HEIGHT}", *args, url],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    if result.returncode != 0:
        raise RuntimeError(f"{chromium} failed on {url}: {result.stderr.strip()[-500:]}")
    return result.stdout


def measure(chromium: str, page: Path, width: int) -> Layout:
    """Render the built ``page`` in a window ``width`` px wide and measure its layout."""
    page = page.resolve()
    source = page.read_text(encoding="utf-8")
    base = f'<head><base href="{page.parent.as_uri()}/">'
    probed = source.replace("<head>", base, 1).replace("</body>", _PROBE + "</body>", 1)
    with tempfile.TemporaryDirectory(prefix="mura-probe-") as folder:
        copy = Path(folder) / page.name
        copy.write_text(probed, encoding="utf-8")
        dom = _run(chromium, copy.as_uri(), width, "--virtual-time-budget=2000", "--dump-dom")
    found = re.search(r"<title>LAYOUT (.*?)</title>", dom, re.S)
    if found is None:
        raise RuntimeError(f"{page}: the layout probe did not run at {width} px")
    values = json.loads(html.unescape(found.group(1)))
    values["viewport"] = tuple(values["viewport"])
    values["nav"] = tuple(values["nav"])
    values["scrolling"] = tuple(values["scrolling"])
    return Layout(**values)


def screenshot(chromium: str, page: Path, width: int, out: Path) -> None:
    """Write a PNG of the first screen of ``page`` in a window ``width`` px wide to ``out``."""
    _run(chromium, page.resolve().as_uri(), width, "--hide-scrollbars", f"--screenshot={out}")
    if not out.is_file():
        raise RuntimeError(f"{chromium} wrote no screenshot of {page} to {out}")
