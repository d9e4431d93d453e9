"""Every flag and argument of every command, given hostile values: never ``unexpected``.

The commands and their flags are read from the parser itself, so a new command or flag
is covered the day it is added. Each command starts from a base invocation that is
well-formed but points at an empty folder (no data, no run), and one argument at a time
is replaced by a hostile value: empty, blank, a NUL byte, a newline, a huge or
non-finite number, a path leaving every folder. Whatever the value, the command ends in
a one-line error (exit 2; argparse's own usage errors included), or succeeds (exit 0),
and never with ``unexpected`` (exit 1) or a traceback.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from mura_core.cli import build_parser
from tests.conftest import TINY_CNN
from tests.test_abuse.helpers import run_cli

#: Values no flag or argument should take badly.
HOSTILE_TEXT = ("", " ", "\x00", "a\nb", "../../../../../../../../etc/passwd", "x" * 5000)
HOSTILE_NUMBERS = ("", "nan", "-inf", "1e999", "-1", "10" * 40, "0x10")
#: Flags whose value is a place to write or a cluster to join: hostile text is enough,
#: a real address would start or join a cluster.
NUMERIC_TYPES = (int, float)


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    """Each (sub)command path and its parser."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*prefix, name))
            return
    yield prefix, parser


def _base(command: tuple[str, ...], empty: Path, out: Path) -> dict[str, list[str]]:
    """A well-formed invocation of ``command`` that has nothing to work on."""
    positionals = {
        ("models", "show"): [TINY_CNN],
        ("plugins", "pin"): ["ffcnn"],
        ("data", "inspect"): [str(empty)],
        ("data", "split"): [str(empty), str(out / "split.csv")],
        ("synth",): [str(out / "synth")],
        ("train",): [TINY_CNN],
        ("sweep",): [TINY_CNN],
        ("evaluate",): [str(empty)],
        ("predict",): [str(empty), str(empty)],
        ("explain",): [str(empty), str(empty)],
        ("export",): [str(empty)],
        ("submit",): [str(empty), str(empty / "in.csv"), str(out / "out.csv")],
        ("compare",): [str(empty)],
    }.get(command, [])
    options = {"--data": [str(empty)], "--engine": ["local"]}
    if command == ("synth",):  # a value it accepts makes a one-study tree, in seconds
        options.update({"--studies": ["1"], "--max-side": ["32"]})
    return {"positionals": positionals, "options": options}


def _cases():
    parser = build_parser()
    cases = []
    for command, sub in _commands(parser):
        positional_count = sum(1 for a in sub._actions if not a.option_strings)
        for index in range(positional_count):
            for value in HOSTILE_TEXT:
                cases.append((command, ("positional", index), value))
        for action in sub._actions:
            if not action.option_strings or action.nargs == 0 or action.dest == "help":
                continue
            values = HOSTILE_NUMBERS if action.type in NUMERIC_TYPES else HOSTILE_TEXT
            for value in values:
                cases.append((command, ("option", action.option_strings[-1]), value))
    return cases


CASES = _cases()


def _invocation(command, where, value, empty: Path, out: Path) -> list[str]:
    base = _base(command, empty, out)
    positionals = list(base["positionals"])
    options = dict(base["options"])
    kind, key = where
    if kind == "positional":
        while len(positionals) <= key:
            positionals.append(str(empty))
        positionals[key] = value
    else:
        options[key] = [value]
    parser = dict(_commands(build_parser()))[command]
    known = {flag for action in parser._actions for flag in action.option_strings}
    args = [*command, *positionals]
    for flag, values in options.items():
        if flag in known:
            args += [f"{flag}={values[0]}"]
    return args


def test_the_corpus_covers_every_command():
    covered = {command for command, _, _ in CASES}
    expected = {("train",), ("sweep",), ("submit",), ("explain",), ("synth",), ("data", "split")}
    assert expected <= covered
    assert len(CASES) > 500


@pytest.mark.parametrize("chunk", range(8))
def test_no_hostile_value_ends_in_unexpected(capsys, tmp_path, monkeypatch, chunk):
    monkeypatch.chdir(tmp_path)  # a relative path a command accepts lands here
    empty = tmp_path / "empty"
    empty.mkdir()
    failures = []
    for command, where, value in CASES[chunk::8]:
        out = tmp_path / f"out{len(failures)}"
        args = _invocation(command, where, value, empty, out)
        try:
            status, stdout, err = run_cli(capsys, *args)
        except SystemExit as exit_:  # argparse's usage error
            status, captured = exit_.code, capsys.readouterr()
            stdout, err = captured.out, captured.err
        label = f"mura {' '.join(command)} {where[1]}={value[:40]!r}"
        text = stdout + err
        if status not in (0, 2) or "unexpected" in err or "Traceback" in text:
            failures.append(f"{label}: exit {status}: {err.strip()[:300]}")
        elif status == 2 and not err.strip().splitlines()[-1].startswith(("mura: error:", "mura ")):
            failures.append(f"{label}: {err.strip()[:300]}")
    assert not failures, "\n".join(failures[:30])
