"""Sphinx directives that generate reference pages from the code, so they cannot drift.

Directives (each re-reads its page on every build, since its source is the code):

``.. mura-grammar::``
    Every registered family and token, from ``registry.families()`` and each spec's
    ``token_fields()``. Families sharing a spec class share one table. Options:
    ``:families: a, b`` (only these) or ``:spec: module:Class`` (one spec class that need
    not be registered, e.g. a third-party plugin's).
``.. mura-run-suffix::``
    The run-suffix tokens, from :mod:`registry.run_options`.
``.. mura-limits::``
    The bounds on names and sweep patterns, from :data:`registry.limits.LIMITS`.
``.. mura-name-errors::``
    Content lines ``label | name``: each name is parsed and the registry's real error
    message is shown. A name that parses is a build error.
``.. mura-cli::``
    Every command and sub-command of ``mura_core.cli.build_parser()`` with its help.
``.. mura-presets::``
    Registered presets and their reported metrics. Option ``:tag:``.
``.. mura-reference-results::``
    ``mura_core.evaluation.REFERENCE_RESULTS`` as a table.
The ``*_rst`` functions return reStructuredText lines; tests call them directly.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

logger = logging.getLogger(__name__)

#: Width of the generated CLI help, independent of the terminal running the build.
HELP_COLUMNS = "88"
#: Characters a code line holds in Furo's content column at 1280 px (derived in
#: tests/docs/code_width.py); generated code blocks wrap at this width.
CODE_COLUMNS = 90

# -- helpers ----------------------------------------------------------------------------


def _literal(text: Any) -> str:
    """Inline literal, safe for any text (backquotes are not expected in tokens)."""
    text = str(text)
    return f"``{text}``" if text else ""


def list_table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[int] | None = None
) -> list[str]:
    """A ``list-table`` directive."""
    lines = [".. list-table::", "   :header-rows: 1"]
    if widths:
        lines.append("   :widths: " + " ".join(str(w) for w in widths))
    lines.append("")
    for row in [list(headers), *rows]:
        for number, cell in enumerate(row):
            cell_lines = str(cell).splitlines() or [""]
            prefix = "   * - " if number == 0 else "     - "
            lines.append((prefix + cell_lines[0]).rstrip())
            lines.extend(("       " + extra).rstrip() for extra in cell_lines[1:])
    lines.append("")
    return lines


def heading(text: str, char: str) -> list[str]:
    return [text, char * len(text), ""]


def indent(lines: Iterable[str], prefix: str = "   ") -> list[str]:
    return [(prefix + line).rstrip() for line in lines]


# -- the name grammar --------------------------------------------------------------------


def default_label(tf: Any) -> str:
    """The default of a token as written in names, ``required`` or an em dash."""
    if tf.required:
        return "**required**"
    if tf.kind == "flag":
        return "off"
    if tf.default in (None, ()):
        return "—"
    return _literal(tf.render(tf.default))


def range_label(tf: Any) -> str:
    if tf.choices:
        return ", ".join(_literal(choice) for choice in tf.choices)
    return tf.bounds or ""


def canonical_label(tf: Any) -> str:
    """When the canonical form writes the token."""
    if tf.required or tf.shown_by_default:
        return "always"
    return "when set"


def token_example(tf: Any, example: Any | None = None) -> str:
    """A valid example token: from the family's example name when it sets the token,
    else the grammar's own example with each number moved into the token's range."""
    from registry.tokens import format_value

    if example is not None:
        value = getattr(example, tf.field)
        if value not in (None, False, ()):
            return tf.render(value)
    text = tf.example()
    if tf.kind == "flag" or tf.choices or tf.item_type == "str":
        return text
    key, _, value = text.partition(".")
    items = [value] if tf.kind == "scalar" else value.split(".")
    fixed = []
    for index, item in enumerate(items):
        limits = tf.limits[min(index, len(tf.limits) - 1)] if tf.limits else None
        number = float(item)
        if limits is not None and limits.low is not None and number < limits.low:
            number = limits.low + (1 if limits.low_open and tf.item_type == "int" else 0)
        if limits is not None and limits.high is not None and number > limits.high:
            number = limits.high - (1 if limits.high_open and tf.item_type == "int" else 0)
        fixed.append(int(number) if tf.item_type == "int" else number)
    sample = fixed[0] if tf.kind == "scalar" else tuple(fixed)
    return f"{key}.{format_value(tf, sample)}"


def _table_example(tf: Any, example: Any | None) -> str:
    """The example of a token for the table: a token holding a whole model name shows
    where the name goes (the family's example, above the table, shows it in full), so
    that the table fits the page."""
    if tf.kind == "name":
        return f"{tf.key}(<model name>)"
    return token_example(tf, example)


def token_table_rst(spec: type, example: str | None = None) -> list[str]:
    """The token table of one family spec (``example``: a model name of the family)."""
    example_spec = None
    if example is not None:
        from registry.names import split_name

        example_spec = spec.from_tokens(split_name(example)[1], example)
    # Seven columns fit the content column of a 1280 px window: the type says the
    # arity (``int x3``) and the meaning names the spec field it sets.
    rows = [
        (
            _literal(tf.key),
            f"{tf.help or tf.field} ({_literal(tf.field)})",
            _literal(tf.type_label()),
            range_label(tf),
            default_label(tf),
            canonical_label(tf),
            _literal(_table_example(tf, example_spec)),
        )
        for tf in spec.token_fields()
    ]
    headers = ("token", "meaning (spec field)", "type", "range", "default", "written", "example")
    return list_table(headers, rows, widths=(7, 30, 10, 17, 12, 9, 15))


def _module_docstrings(spec: type) -> list[str]:
    """Docstrings of the modules defining ``spec`` and its bases (architecture notes)."""
    from registry.grammar import FamilySpec

    texts: list[str] = []
    seen: set[str] = set()
    for cls in spec.__mro__:
        if cls is FamilySpec or not (isinstance(cls, type) and issubclass(cls, FamilySpec)):
            continue
        if cls.__module__ in seen:
            continue
        seen.add(cls.__module__)
        module = importlib.import_module(cls.__module__)
        doc = inspect.getdoc(module)
        if doc:
            texts.append(doc)
    return texts


def spec_rst(spec: type, families: Sequence[Any], char: str) -> list[str]:
    """One section: the families sharing ``spec``, their notes and the token table."""
    names = [family.name for family in families]
    title = ", ".join(names) if names else spec.__name__
    lines = [f".. _grammar-{(names or [spec.__name__])[0].lower()}:", ""]
    lines += heading(title, char)
    for text in _module_docstrings(spec):
        lines += text.splitlines() + [""]
    module = spec.__module__
    lines += [f"Spec class: ``{module}.{spec.__qualname__}``.", ""]
    if families:
        rows = [
            (
                _literal(family.name),
                family.summary,
                _literal(family.preprocessing),
                ", ".join(_literal(option) for option in family.options) or "—",
                _literal(family.plugin) if family.plugin else "—",
            )
            for family in families
        ]
        lines += list_table(
            ("family", "summary", "input", "build options", "plugin"),
            rows,
            widths=(12, 50, 12, 14, 12),
        )
        # Example names below the table: a whole name is too wide for a table column.
        lines += ["Example names:", "", ".. code-block:: text", ""]
        lines += indent(family.example for family in families)
        lines.append("")
    lines += token_table_rst(spec, families[0].example if families else None)
    return lines


def grammar_rst(
    families: Iterable[Any] | None = None, spec: type | None = None, char: str = "-"
) -> list[str]:
    """Sections for ``families`` (grouped by spec class), or for one spec class."""
    if spec is not None:
        return spec_rst(spec, [], char)
    if families is None:
        import registry

        families = registry.families().values()
    groups: dict[type, list[Any]] = {}
    for family in families:
        groups.setdefault(family.spec, []).append(family)
    lines: list[str] = []
    for group_spec, members in groups.items():
        lines += spec_rst(group_spec, members, char)
    return lines


def run_suffix_rst() -> list[str]:
    """The run-suffix tokens, from :mod:`registry.run_options`."""
    from registry.run_options import BODY_PARTS, RUN_FLAGS, SEED_KEY, RunOptions

    fields = RunOptions.model_fields
    rows = [
        (_literal(token), _literal(field), fields[field].annotation.__name__, "off")
        for field, token in RUN_FLAGS.items()
    ]
    rows.append(
        (
            " ".join(_literal(part) for part in BODY_PARTS),
            _literal("body_part"),
            "one body part",
            "all body parts",
        )
    )
    rows.append((_literal(f"{SEED_KEY}.N"), _literal("seed"), "int", "0 (no token)"))
    return list_table(
        ("token", "RunOptions field", "type", "default"), rows, widths=(50, 18, 14, 18)
    )


def limits_rst() -> list[str]:
    """The bounds on names and sweep patterns, from :data:`registry.limits.LIMITS`."""
    from registry.limits import LIMITS

    rows = [(f"{bound.value:,}", bound.what, _literal(f"registry.limits.{bound.constant}"))
            for bound in LIMITS]  # fmt: skip
    return list_table(("at most", "of", "constant"), rows, widths=(15, 50, 35))


def name_errors_rst(entries: Sequence[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """Parse each bad name; returns the lines and the names that unexpectedly parsed."""
    import registry

    lines: list[str] = []
    valid: list[str] = []
    for label, name in entries:
        try:
            registry.parse(name)
        except registry.InvalidNameError as error:
            lines += [f"**{label}**", "", ".. code-block:: text", ""]
            message = textwrap.wrap(
                f"mura: error: {error}", CODE_COLUMNS, subsequent_indent="  ",
                break_long_words=False, break_on_hyphens=False,
            )
            lines += indent([f"$ mura models show {name}", *message])
            lines.append("")
        else:
            valid.append(name)
    return lines, valid


# -- presets and results -----------------------------------------------------------------


def presets_rst(tag: str | None = None) -> list[str]:
    """Presets (optionally with ``tag``), the figures they were reported with and their
    training recipes: one definition per preset, as a model name is too wide for a table
    column."""
    import registry

    metric_names = ("kappa", "auc", "accuracy", "loss")
    lines: list[str] = []
    for name in registry.list_models(tag=tag):
        preset = registry.get_registry().preset(name)
        if preset is None:
            continue
        figures = ", ".join(
            f"{key} {preset.metrics[key]:.3f}" for key in metric_names if key in preset.metrics
        )
        source = f" (from {preset.metrics_source})" if preset.metrics_source else ""
        lines += [
            _literal(preset.alias) if preset.alias else _literal(preset.name),
            f"   {_literal(preset.name)}",
            "",
            f"   Figures: {figures or '—'}{source}. Recipe: {_recipe_text(preset.recipe)}.",
            "",
        ]
    return lines


def _recipe_text(recipe: Any) -> str:
    """A preset's recipe as ``key=value`` pairs (``—``: the package defaults)."""
    settings = recipe.settings() if recipe is not None else {}
    return ", ".join(f"``{key}={value}``" for key, value in settings.items()) or "—"


def reference_results_rst() -> list[str]:
    """``mura_core.evaluation.REFERENCE_RESULTS`` as a table."""
    from mura_core.evaluation import REFERENCE_RESULTS

    rows = [
        (
            ref.system,
            ref.level,
            f"{ref.kappa:.3f}",
            "—" if ref.auc is None else f"{ref.auc:.3f}",
        )
        for ref in REFERENCE_RESULTS
    ]
    return list_table(("system", "level", "kappa", "AUC"), rows, widths=(60, 10, 10, 10))


# -- the CLI -----------------------------------------------------------------------------


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, Any]]:
    """``(name, help, parser)`` of each sub-command, in registration order."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) in seen:  # an alias
                    continue
                seen.add(id(sub))
                found.append((name, helps.get(name, ""), sub))
    return found


def cli_rst(parser: argparse.ArgumentParser | None = None) -> list[str]:
    """Sections for ``mura`` and every (sub-)command, with their ``--help`` text."""
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_COLUMNS
    try:
        if parser is None:
            from mura_core.cli import build_parser

            parser = build_parser()
        lines: list[str] = []
        _cli_section(parser, "mura", "", lines, depth=0)
        return lines
    finally:
        if previous is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = previous


_HEADING_CHARS = "-~^"


def _cli_section(
    parser: argparse.ArgumentParser, path: str, summary: str, lines: list[str], depth: int
) -> None:
    anchor = "cli-" + path.replace(" ", "-")
    lines += [f".. _{anchor}:", ""]
    lines += heading(path, _HEADING_CHARS[min(depth, len(_HEADING_CHARS) - 1)])
    if summary:
        lines += [summary[0].upper() + summary[1:] + ".", ""]
    lines += [".. code-block:: text", ""]
    lines += indent(parser.format_help().rstrip().splitlines())
    lines.append("")
    for name, help_text, sub in _subcommands(parser):
        _cli_section(sub, f"{path} {name}", help_text, lines, depth + 1)


def cli_commands(parser: argparse.ArgumentParser | None = None) -> list[str]:
    """Every command path (``mura models list``...), for tests."""
    if parser is None:
        from mura_core.cli import build_parser

        parser = build_parser()
    paths: list[str] = []

    def walk(current: argparse.ArgumentParser, path: str) -> None:
        for name, _, sub in _subcommands(current):
            paths.append(f"{path} {name}")
            walk(sub, f"{path} {name}")

    walk(parser, "mura")
    return paths


# -- directives --------------------------------------------------------------------------


class GeneratingDirective(SphinxDirective):
    """Parses generated reStructuredText (sections allowed) in place of the directive."""

    def render(self, lines: list[str]) -> list[nodes.Node]:
        self.env.note_reread()  # the source of truth is the code, not the .rst file
        container = nodes.section()
        container.document = self.state.document
        source = self.get_source_info()[0] or "<generated>"
        content = StringList(lines, source=f"{source} (generated by {self.name})")
        nested_parse_with_titles(self.state, content, container)
        return list(container.children)

    def warn(self, message: str) -> list[nodes.Node]:
        logger.warning(message, location=self.get_location())
        return []


class GrammarDirective(GeneratingDirective):
    option_spec = {"families": directives.unchanged, "spec": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        import registry

        if "spec" in self.options:
            module_name, _, class_name = self.options["spec"].partition(":")
            spec = getattr(importlib.import_module(module_name), class_name)
            return self.render(grammar_rst(spec=spec, char="^"))
        families = list(registry.families().values())
        if "families" in self.options:
            wanted = [name.strip() for name in self.options["families"].split(",")]
            families = [registry.get_family(name) for name in wanted]
        return self.render(grammar_rst(families))


class RunSuffixDirective(GeneratingDirective):
    def run(self) -> list[nodes.Node]:
        return self.render(run_suffix_rst())


class LimitsDirective(GeneratingDirective):
    def run(self) -> list[nodes.Node]:
        return self.render(limits_rst())


class NameErrorsDirective(GeneratingDirective):
    has_content = True

    def run(self) -> list[nodes.Node]:
        entries = []
        for line in self.content:
            if line.strip():
                label, _, name = line.partition("|")
                entries.append((label.strip(), name.strip()))
        lines, valid = name_errors_rst(entries)
        for name in valid:
            self.warn(f"mura-name-errors: {name!r} is a valid name, not an error example")
        return self.render(lines)


class CLIDirective(GeneratingDirective):
    def run(self) -> list[nodes.Node]:
        return self.render(cli_rst())


class PresetsDirective(GeneratingDirective):
    option_spec = {"tag": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        return self.render(presets_rst(self.options.get("tag")))


class ReferenceResultsDirective(GeneratingDirective):
    def run(self) -> list[nodes.Node]:
        return self.render(reference_results_rst())


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("mura-grammar", GrammarDirective)
    app.add_directive("mura-run-suffix", RunSuffixDirective)
    app.add_directive("mura-limits", LimitsDirective)
    app.add_directive("mura-name-errors", NameErrorsDirective)
    app.add_directive("mura-cli", CLIDirective)
    app.add_directive("mura-presets", PresetsDirective)
    app.add_directive("mura-reference-results", ReferenceResultsDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
