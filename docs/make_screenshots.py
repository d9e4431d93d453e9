"""Write ``docs/images/getting-started-1280.png`` and ``getting-started-800.png``.

The first screen of the built getting-started page in headless Chromium, in windows
1280 and 800 px wide (how: ``docs/_ext/browser.py``). Build the docs first, then run
``python docs/make_screenshots.py [HTML_FOLDER]`` (default ``docs/_build/html``, where
``make docs`` writes). The 1280 px picture is shown in the README.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
import browser  # noqa: E402

PAGE = "getting-started.html"
WIDTHS = (1280, 800)


def main(argv: list[str]) -> int:
    built = Path(argv[0]) if argv else DOCS / "_build" / "html"
    chromium = browser.find_chromium()
    if chromium is None:
        names = ", ".join(browser.CHROMIUM_NAMES)
        print(f"error: no headless Chromium on PATH (tried {names})", file=sys.stderr)
        return 2
    if not (built / PAGE).is_file():
        print(f"error: {built / PAGE} not found: build the docs first (make docs)", file=sys.stderr)
        return 2
    for width in WIDTHS:
        out = DOCS / "images" / f"getting-started-{width}.png"
        browser.screenshot(chromium, built / PAGE, width, out)
        print(out.relative_to(DOCS.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
