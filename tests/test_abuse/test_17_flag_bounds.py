"""Every numeric flag of every command has a documented range, upper bound included,
checked before any work: a count too large is one line, never a hang."""

from __future__ import annotations

import argparse
import time

import pytest

from mura_core.cli import build_parser
from mura_core.cli.flags import limits_of
from tests.conftest import run_cli as run_subprocess

from .helpers import assert_one_line_error, run_cli


def _numeric_flags(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """``(command path, parser, action)`` of every int or float flag, sub-commands too."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                if child.prog.split()[-1] == name:  # each command once, not its aliases
                    yield from _numeric_flags(child, (*path, name))
        elif action.option_strings and action.type in (int, float):
            yield path, parser, action


FLAGS = list(_numeric_flags(build_parser()))
IDS = [f"{' '.join(path)} {action.option_strings[0]}" for path, _, action in FLAGS]


def _argv(path: tuple[str, ...], parser: argparse.ArgumentParser, tmp_path) -> list[str]:
    """The command with a value for each positional and required option (never used:
    the flags are checked first)."""
    argv = list(path)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) or action.help == argparse.SUPPRESS:
            continue
        value = str(next(iter(action.choices))) if action.choices else str(tmp_path / action.dest)
        if not action.option_strings:
            argv.append(value)
        elif action.required:
            argv += [action.option_strings[0], value]
    return argv


def test_the_corpus_covers_every_command_with_a_count():
    commands = {" ".join(path) for path, _, _ in FLAGS}
    assert {"train", "sweep", "synth", "evaluate", "predict", "explain", "export", "submit",
            "data split"} <= commands  # fmt: skip


@pytest.mark.parametrize(("path", "parser", "action"), FLAGS, ids=IDS)
def test_every_numeric_flag_has_a_finite_range_stated_in_its_help(path, parser, action):
    flag = action.option_strings[0]
    limits = limits_of(parser).get(flag)
    assert limits is not None, f"{' '.join(path)} {flag} has no range"
    assert limits.low is not None and limits.high is not None, f"{flag}: {limits}"
    assert str(limits) in action.help, action.help


@pytest.mark.parametrize(("path", "parser", "action"), FLAGS, ids=IDS)
def test_a_value_above_the_bound_is_one_line_before_any_work(
    path, parser, action, capsys, tmp_path
):
    flag = action.option_strings[0]
    limits = limits_of(parser)[flag]
    for value in (limits.high + 1, 10**22):
        value = value if action.type is int else float(value)
        started = time.monotonic()
        status, _, err = run_cli(capsys, *_argv(path, parser, tmp_path), flag, value)
        assert time.monotonic() - started < 5
        assert_one_line_error(status, err, f"{flag} must be", str(limits), f"(got {value})")
    assert not any(tmp_path.iterdir())  # nothing written


def test_synth_with_a_huge_count_is_refused_at_once(tmp_path):
    """The observed hang: ``mura synth OUT --studies 10**22`` printed nothing for 300 s."""
    out = tmp_path / "out"
    result = run_subprocess("synth", str(out), "--studies", "10000000000000000000000", timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "mura: error: --studies must be a finite number in [1, 100000] "
        "(got 10000000000000000000000)"
    )
    assert not out.exists()
