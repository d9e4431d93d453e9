"""The documentation builds with warnings as errors, and its generated pages are complete."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import registry
from registry import hookspecs

from .code_width import CODE_COLUMNS, site_overflows
from .conftest import DOCS, BuiltDocs


def hook_names() -> list[str]:
    """The hooks of :mod:`registry.hookspecs` (functions carrying pluggy's spec marker)."""
    marker = f"{hookspecs.PROJECT_NAME}_spec"
    return sorted(name for name, value in vars(hookspecs).items() if hasattr(value, marker))


def text_of(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def test_docs_build_with_warnings_as_errors(built_docs: BuiltDocs) -> None:
    out = built_docs.html
    assert built_docs.returncode == 0 and not built_docs.warnings, built_docs.stderr[-4000:]

    # No code line, inline literal or table row is wider than Furo's column at 1280 px
    # (CODE_COLUMNS monospace characters at the top level; see tests/docs/code_width.py).
    too_wide = site_overflows(out)
    assert not too_wide, f"wider than {CODE_COLUMNS} columns:\n" + "\n".join(too_wide)

    # The grammar reference names every family and every token of every family.
    grammar = text_of(out / "reference" / "grammar.html")
    for family in registry.families().values():
        assert family.name in grammar, family.name
        assert family.example in grammar, family.example
        for tf in family.spec.token_fields():
            assert tf.field in grammar, f"{family.name}: token {tf.key} ({tf.field})"
    for part in registry.BODY_PARTS:
        assert part in grammar

    # The CLI reference has a section for every command and sub-command.
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        import mura_api
        import mura_docs
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    cli = (out / "reference" / "cli.html").read_text(encoding="utf-8")
    for command in mura_docs.cli_commands():
        anchor = "cli-" + command.replace(" ", "-")
        assert f'id="{anchor}"' in cli, command

    # Every hook and every public name of the registry is documented (has an anchor).
    everything = "\n".join(
        page.read_text(encoding="utf-8")
        for page in out.rglob("*.html")
        if "_modules" not in page.parts
    )
    for hook in hook_names():
        assert f'id="registry.hookspecs.{hook}"' in everything, hook
    for name in registry.__all__:
        assert f'id="registry.{name}"' in everything, name

    # One page per public mura_core module (the package's own is api-mura-core), types
    # read as text: no annotated-types internals in any signature or description.
    reference = out / "reference"
    for module in mura_api.package_modules("mura_core")[1:]:
        page = reference / "mura_core" / f"{module}.html"
        assert f"<h1>{module}<a" in page.read_text(encoding="utf-8"), module
    # The sidebar names a module by its last part, under its package: nothing to cut.
    index = (reference / "api-mura-core.html").read_text(encoding="utf-8")
    assert 'href="mura_core/mura_core.data.synth.html">synth<' in index
    for page in [reference / "api-mura-core.html", *(reference / "mura_core").glob("*.html")]:
        assert "Annotated[" not in text_of(page), page.name

    # The seed presets and the reference results are on the results page.
    results = text_of(out / "results.html")
    for name in registry.list_models(tag="seed"):
        assert name in results, name
