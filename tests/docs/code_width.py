"""How wide the code in the built HTML is, against Furo's content column at 1280 px.

The column, from Furo's ``furo.css`` (root font 16 px below the 97em breakpoint):

* ``.content`` is ``width: 46em`` with its padding outside (content-box): **736 px**;
  at 1280 px (< 82em) the table of contents is a drawer, the column keeps 46em.
* A code block (``.highlight pre``, ``pre.literal-block``) has ``padding: .625rem
  .875rem``: 736 - 2 x 14 = **708 px** of text.
* Code is set at ``--code-font-size: 81.25%`` = **13 px** in the monospace stack
  (SFMono, Menlo, Consolas, Monaco, Liberation Mono); their advance is at most
  **0.6 em** (Liberation Mono, DejaVu Sans Mono 0.602 rounds to the same pixels), so a
  character takes **7.8 px**.
* Hence a top-level code block holds ``708 / 7.8`` = **90 characters**. Each
  enclosing list (``padding-left: 1.2rem``), block quote (1rem each side and a 4 px
  border), definition (``dd``, 2rem) or admonition (.5rem each side and a .2rem
  border) takes its indentation from that.

An inline literal's words do not break (``span.pre`` is ``white-space: nowrap``), so a
word longer than the column would scroll too. In a table the cells share the column:
a table row whose cells' longest code words add up to more than the column scrolls
(plain words count as nothing here, so this is a lower bound of the row's width).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

COLUMN_PX = 46 * 16
CODE_PADDING_PX = 2 * 0.875 * 16
CHAR_PX = 0.6 * 13
CELL_PADDING_PX = 2 * 0.25 * 16 + 1
CODE_COLUMNS = int((COLUMN_PX - CODE_PADDING_PX) / CHAR_PX)
INDENT_PX = {"ul": 1.2 * 16, "ol": 1.2 * 16, "blockquote": 2 * 16 + 4, "dd": 2 * 16}
ADMONITION_PX = 2 * 0.5 * 16 + 0.2 * 16


@dataclass
class Overflow:
    """One piece of code wider than the room it has."""

    what: str
    width: int
    room: int
    text: str

    def __str__(self) -> str:
        return f"{self.what} of {self.width} columns, room for {self.room}: {self.text[:100]}"


@dataclass
class _Open:
    tag: str
    indent: float
    cells: list[int] = field(default_factory=list)


class _Scanner(HTMLParser):
    """Walks one page, keeping the indentation of every open element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Open] = []
        self.found: list[Overflow] = []
        self.pre: list[str] | None = None
        self.code: list[str] | None = None
        self.cell_words = 0

    def indent(self) -> float:
        return sum(item.indent for item in self.stack)

    def room(self, padding: float) -> int:
        return int((COLUMN_PX - self.indent() - padding) / CHAR_PX)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("br", "img", "meta", "link", "input", "hr", "wbr"):
            return
        indent = INDENT_PX.get(tag, 0.0)
        if "admonition" in classes or "topic" in classes:
            indent = ADMONITION_PX
        self.stack.append(_Open(tag, indent))
        if tag == "pre":
            self.pre = []
        elif tag == "code" and "literal" in classes and self.pre is None:
            self.code = []
        elif tag in ("td", "th"):
            self.cell_words = 0

    def handle_endtag(self, tag: str) -> None:
        if not any(item.tag == tag for item in self.stack):
            return
        while self.stack:
            item = self.stack.pop()
            self._close(item)
            if item.tag == tag:
                break

    def _close(self, item: _Open) -> None:
        if item.tag == "pre" and self.pre is not None:
            room = self.room(CODE_PADDING_PX)
            for line in "".join(self.pre).splitlines():
                if len(line.rstrip()) > room:
                    self.found.append(Overflow("code line", len(line.rstrip()), room, line))
            self.pre = None
        elif item.tag == "code" and self.code is not None:
            longest = max(("".join(self.code).split() or [""]), key=len)
            self.code = None
            if self.in_table():
                self.cell_words = max(self.cell_words, len(longest))
            elif len(longest) > self.room(0):
                self.found.append(Overflow("inline literal", len(longest), self.room(0), longest))
        elif item.tag in ("td", "th"):
            row = next((o for o in reversed(self.stack) if o.tag == "tr"), None)
            if row is not None:
                row.cells.append(self.cell_words)
        elif item.tag == "tr":
            width = sum(c * CHAR_PX + CELL_PADDING_PX for c in item.cells)
            if width > COLUMN_PX - self.indent():
                self.found.append(
                    Overflow("table row", int(width / CHAR_PX), self.room(0), f"cells {item.cells}")
                )

    def in_table(self) -> bool:
        return any(item.tag in ("td", "th") for item in self.stack)

    def handle_data(self, data: str) -> None:
        if self.pre is not None:
            self.pre.append(data)
        elif self.code is not None:
            self.code.append(data)


def overflows(html: str) -> list[Overflow]:
    """The code lines, inline literals and table rows of one page wider than the column."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.found


def site_overflows(out: Path) -> list[str]:
    """Every overflow of a built site (its pages, not the highlighted module sources)."""
    found = []
    for page in sorted(out.rglob("*.html")):
        if "_modules" in page.parts or page.name in ("genindex.html", "search.html"):
            continue
        for overflow in overflows(page.read_text(encoding="utf-8")):
            found.append(f"{page.relative_to(out)}: {overflow}")
    return found
