"""The width measure of tests/docs/code_width.py on small pages (no Sphinx build)."""

from __future__ import annotations

from .code_width import CODE_COLUMNS, overflows
from .test_docs_sources import mura_docs


def block(line: str, wrapper: str = "{}") -> str:
    return wrapper.format(f'<div class="highlight"><pre><span>{line}</span>\nshort</pre></div>')


def test_furo_column_holds_90_code_characters_at_1280_px() -> None:
    assert CODE_COLUMNS == 90
    assert mura_docs.CODE_COLUMNS == CODE_COLUMNS  # the width generated blocks wrap at


def test_a_code_line_fits_up_to_the_column() -> None:
    assert overflows(block("x" * CODE_COLUMNS)) == []
    (found,) = overflows(block("x" * (CODE_COLUMNS + 1)))
    assert (found.what, found.width, found.room) == ("code line", 91, 90)


def test_a_list_takes_its_indentation_from_the_room() -> None:
    (found,) = overflows(block("x" * 89, "<ul><li>{}</li></ul>"))
    assert found.room == 88  # (736 - 19.2 - 28) / 7.8


def test_an_unbreakable_inline_literal_and_a_wide_table_row_are_found() -> None:
    word = '<code class="docutils literal"><span class="pre">{}</span></code>'
    page = "<p>" + word.format("y" * 95) + "</p><table><tr>"
    page += "".join("<td>" + word.format("z" * 40) + "</td>" for _ in range(3)) + "</tr></table>"
    assert [found.what for found in overflows(page)] == ["inline literal", "table row"]
    assert overflows("<p>" + word.format("a " * 80) + "</p>") == []
