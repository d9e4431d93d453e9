"""Names, patterns and selections: depth and size are bounded, selections never empty.

A corpus of hostile names, sweep patterns and selections is run through every command
that takes one: each ends in one ``mura: error:`` line with exit status 2, no
``unexpected``, no traceback, and nothing written. The bounds are those of
:mod:`registry.limits`, pinned here (:data:`PINNED`) so that changing one is a visible
change.
"""

from __future__ import annotations

import argparse

import pytest

import registry
from mura_core.cli import build_parser
from mura_core.errors import MuraError
from mura_core.sweeps.patterns import expand_all
from mura_core.sweeps.sweepfile import read_sweep_file
from tests.conftest import TINY_CNN

from .helpers import assert_one_line_error, run_cli

#: The documented bounds of :mod:`registry.limits`.
PINNED = {
    "MAX_NAME_DEPTH": 4,
    "MAX_INT_DIGITS": 30,
    "MAX_PATTERN_LENGTH": 65_536,
    "MAX_PATTERN_GROUPS": 100,
    "MAX_PATTERN_DEPTH": 8,
}
MAX_NAME_DEPTH, MAX_PATTERN_DEPTH = PINNED["MAX_NAME_DEPTH"], PINNED["MAX_PATTERN_DEPTH"]
MAX_PATTERN_GROUPS, MAX_PATTERN_LENGTH = PINNED["MAX_PATTERN_GROUPS"], PINNED["MAX_PATTERN_LENGTH"]


def test_the_bounds_are_the_documented_ones():
    from registry.limits import LIMITS

    assert {bound.constant: bound.value for bound in LIMITS} == PINNED


def nested(depth: int) -> str:
    """``parts_m(`` ``depth`` times around the tiny CNN."""
    return "parts_m(" * depth + TINY_CNN + ")" * depth


#: Hostile names, by what is wrong with them.
HOSTILE_NAMES = {
    "nested past the bound": nested(MAX_NAME_DEPTH + 1),
    "nested 250 deep": nested(250),
    "nested 3000 deep": nested(3000),
    "unclosed parenthesis": "parts_m(" + TINY_CNN,
    "stray closing parenthesis": TINY_CNN + ")",
    "4400-digit integer": "cnn_in.32.32.1_cl.2.1_f." + "5" * 4400,
    "stray character": TINY_CNN + "!",
    "non-ASCII letter": TINY_CNN.replace("cnn", "cnп"),
    "blank": "   ",
    "50,000 tokens": "cnn_" + "_".join(["bn"] * 50_000),
}

#: Hostile sweep patterns, by what is wrong with them, and a fragment of the refusal.
HOSTILE_PATTERNS = {
    "3000 brace groups": (TINY_CNN + "{a,b}" * 3000, f"more than {MAX_PATTERN_GROUPS} brace"),
    "groups of one value": (TINY_CNN + "{1..1}" * 101, f"more than {MAX_PATTERN_GROUPS} brace"),
    "nested 3000 deep": ("x" + "{" * 3000 + "8,9" + "}" * 3000, "nested more than"),
    "nested past the bound": (
        "x" + "{a," * (MAX_PATTERN_DEPTH + 1) + "b" + "}" * (MAX_PATTERN_DEPTH + 1),
        f"nested more than {MAX_PATTERN_DEPTH} deep",
    ),
    "too long": ("x" * (MAX_PATTERN_LENGTH + 1), "more than the limit of"),
    "a 5000-digit range": ("x{1.." + "9" * 5000 + "}", "more than 30 digits"),
    "10**25 names": ("x{1..10000000000000000000000000}", "past 1000 names"),
    "unbalanced opening": ("x{a,b", "unbalanced '{'"),
    "unbalanced closing": ("x}a{", "unbalanced '}'"),
    "a group of one": ("x{a}", "needs a comma"),
}


def _name_commands(name: str, root, tmp_path) -> dict[str, list]:
    """Every command that takes a model or run name, given ``name``."""
    runs, image = tmp_path / "runs", next((root / "MURA-v1.1" / "valid").rglob("*.png"))
    return {
        "models show": ["models", "show", name],
        "train": ["train", name, "--data", root, "--runs", runs, "--epochs", "1"],
        "sweep dry-run": ["sweep", name, "--dry-run"],
        "sweep": ["sweep", name, "--data", root, "--runs", runs, "--engine", "local"],
        "predict": ["predict", name, image, "--runs", runs],
        "explain": ["explain", name, image, "--runs", runs, "--output", tmp_path / "out"],
        "evaluate": ["evaluate", name, "--data", root, "--runs", runs],
        "compare": ["compare", name, "--runs", runs],
        "export": ["export", name, "--format", "onnx", "--output", tmp_path / "out", "--runs",
                   runs],  # fmt: skip
    }


def _listing(folder) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


@pytest.mark.parametrize("case", sorted(HOSTILE_NAMES))
def test_a_hostile_name_is_one_line_in_every_command(capsys, mura_root, tmp_path, case):
    before = _listing(tmp_path)
    for command, args in _name_commands(HOSTILE_NAMES[case], mura_root, tmp_path).items():
        status, _, err = run_cli(capsys, *args)
        assert "Traceback" not in err, command
        assert_one_line_error(status, err)
        assert _listing(tmp_path) == before, command


@pytest.mark.parametrize("depth", [MAX_NAME_DEPTH + 1, 250, 100_000])
def test_names_nest_at_most_the_bound(depth):
    with pytest.raises(registry.InvalidNameError, match=f"more than {MAX_NAME_DEPTH} deep"):
        registry.parse(nested(depth))


def test_nesting_within_the_bound_reaches_the_grammar():
    """Below the bound the grammar itself answers (here: no nested ensembles)."""
    from tests.ensembles.conftest import ensemble_plugin

    with ensemble_plugin(), pytest.raises(registry.InvalidNameError) as caught:
        registry.parse(nested(MAX_NAME_DEPTH))
    assert "deep" not in str(caught.value)


@pytest.mark.parametrize("case", sorted(HOSTILE_PATTERNS))
def test_a_hostile_pattern_is_one_line(capsys, mura_root, tmp_path, case):
    pattern, fragment = HOSTILE_PATTERNS[case]
    sweep_file = tmp_path / "sweep.toml"
    sweep_file.write_text(f"patterns = [{pattern!r}]\n".replace("'", '"'), encoding="utf-8")
    before = _listing(tmp_path)
    for args in (["sweep", pattern, "--dry-run"],
                 ["sweep", pattern, "--data", mura_root, "--runs", tmp_path / "runs"],
                 ["sweep", "--file", sweep_file, "--dry-run"]):  # fmt: skip
        status, _, err = run_cli(capsys, *args)
        assert "Traceback" not in err
        assert_one_line_error(status, err, fragment)
        assert _listing(tmp_path) == before


def test_a_deeply_nested_sweep_file_is_one_line(capsys, tmp_path):
    path = tmp_path / "sweep.toml"
    path.write_text("patterns = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(MuraError, match="nest too deeply"):
        read_sweep_file(path)
    assert_one_line_error(*run_cli(capsys, "sweep", "--file", path, "--dry-run")[::2])


def test_names_are_counted_before_any_is_expanded(monkeypatch):
    import mura_core.sweeps.patterns as patterns
    from mura_core.sweeps.braces import count_names, parse_pattern

    def never(*args):
        raise AssertionError("expanded before counting")

    monkeypatch.setattr(patterns, "names_of", never)
    with pytest.raises(MuraError, match="past 5 names"):
        expand_all(["a{1..3}", "b{1,2}{x,y}"], max_runs=5)
    groups = "{1..1000000000000}" * MAX_PATTERN_GROUPS
    assert count_names(parse_pattern(groups)) == 10 ** (12 * MAX_PATTERN_GROUPS)


def test_patterns_within_the_bounds_still_expand():
    depth = "x" + "{a," * MAX_PATTERN_DEPTH + "b" + "}" * MAX_PATTERN_DEPTH
    assert len(expand_all([depth])) == MAX_PATTERN_DEPTH + 1
    assert expand_all(["y" + "{1..1}" * MAX_PATTERN_GROUPS]) == ["y" + "1" * MAX_PATTERN_GROUPS]


# -- selections -------------------------------------------------------------------------


Command = tuple[tuple[str, ...], argparse.ArgumentParser]


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[Command]:
    """Every command of the CLI with its parser (``("data", "split")``, ...)."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _leaves(sub, (*path, name))
    return found or [(path, parser)]


def _argv(path: tuple, parser: argparse.ArgumentParser, dest: str, value: str) -> list[str]:
    """The command with every required argument given, and ``dest`` set to ``value``."""
    args: list[str] = list(path)
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or action.dest == "help":
            continue
        given = value if action.dest == dest else (action.choices and next(iter(action.choices))
                                                   or "x")  # fmt: skip
        if not action.option_strings:
            if action.dest == dest or action.nargs not in ("?", "*"):
                args.append(str(given))
        elif action.dest == dest or action.required:
            args += [action.option_strings[0], str(given)]
    return args


def _selections() -> list[tuple[tuple, str, argparse.ArgumentParser]]:
    from mura_core.cli.selections import SELECTIONS

    return [(path, action.dest, parser)
            for path, parser in _leaves(build_parser())
            for action in parser._actions if action.dest in SELECTIONS]  # fmt: skip


def test_the_selections_cover_the_commands_that_select():
    covered = {(" ".join(path), dest) for path, dest, _ in _selections()}
    expected = {
        ("train", "members"), ("train", "body_part"), ("sweep", "body_part"),
        ("data split", "body_part"), ("models list", "family"), ("models list", "tag"),
        ("runs list", "positional"), ("predict", "paths"), ("explain", "paths"),
        ("compare", "names"), ("plugins check", "families"),
    }  # fmt: skip
    assert expected <= covered


@pytest.mark.parametrize("value", ["", " ", "\t"])
def test_every_selection_refuses_an_empty_value(capsys, monkeypatch, tmp_path, value):
    from mura_core.cli.selections import SELECTIONS

    monkeypatch.chdir(tmp_path)  # whatever a command resolves "" to, it is this folder
    for path, dest, parser in _selections():
        status, out, err = run_cli(capsys, *_argv(path, parser, dest, value))
        assert out == "" and "Traceback" not in err
        assert_one_line_error(status, err, SELECTIONS[dest], "is empty")
    assert list(tmp_path.iterdir()) == []


def test_every_limit_is_in_the_grammar_reference():
    import sys
    from pathlib import Path

    from registry.limits import LIMITS

    docs = Path(__file__).parents[2] / "docs"
    sys.path.insert(0, str(docs / "_ext"))
    import mura_docs

    assert ".. mura-limits::" in (docs / "reference" / "grammar.rst").read_text()
    table = "\n".join(mura_docs.limits_rst())
    for bound in LIMITS:
        assert f"{bound.value:,}" in table and bound.constant in table and bound.what in table
