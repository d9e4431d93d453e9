"""Every figure the docs quote comes from a benchmark whose output records the versions it
ran on: each script of benchmarks/ prints :func:`mura_core.versions.versions_line` first
(read from its source, so no benchmark runs and nothing imports TensorFlow)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mura_core.versions import versions_line

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(
    path
    for path in (REPO / "benchmarks").glob("*.py")
    if 'if __name__ == "__main__":' in path.read_text(encoding="utf-8")
)


def _calls(node: ast.AST, name: str) -> bool:
    """Whether ``node`` calls the function ``name`` anywhere inside it."""
    return any(
        isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == name
        for call in ast.walk(node)
    )


def _prints_versions(statement: ast.stmt) -> bool:
    """Whether ``statement`` is ``print(versions_line(), ...)``."""
    call = statement.value if isinstance(statement, ast.Expr) else None
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "print"
        and len(call.args) == 1
        and _calls(call.args[0], "versions_line")
    )


def _returns(statement: ast.stmt) -> bool:
    """An ``if`` whose branch ends the function (a child process's mode, say)."""
    return isinstance(statement, ast.If) and isinstance(statement.body[-1], ast.Return)


def test_the_benchmarks_are_found() -> None:
    assert {path.name for path in SCRIPTS} >= {"explain.py", "cli_startup.py", "synth.py"}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_a_benchmark_prints_the_versions_line_first(script: Path) -> None:
    tree = ast.parse(script.read_text(encoding="utf-8"))
    imported = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        and node.module == "mura_core.versions"
        and "versions_line" in [alias.name for alias in node.names]
    ]
    assert imported, f"{script.name} does not import mura_core.versions.versions_line"
    mains = [
        node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "main"
    ]
    assert mains, f"{script.name} has no main()"
    body = mains[0].body
    where = next((i for i, statement in enumerate(body) if _prints_versions(statement)), None)
    assert where is not None, f"{script.name}'s main() does not print versions_line()"
    before = [s for s in body[:where] if not _returns(s)]
    assert not any(_calls(statement, "print") for statement in before), (
        f"{script.name} prints before its versions line"
    )


def test_the_versions_line_reads_metadata_without_importing_tensorflow() -> None:
    code = (
        "import sys\nfrom mura_core.versions import versions_line\nprint(versions_line())\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert result.returncode == 0, result.stderr
    line, imported = result.stdout.splitlines()
    pattern = r"versions: tensorflow \S+, keras \S+, numpy \S+, python \d+\.\d+\.\d+"
    assert re.fullmatch(pattern, line)
    assert line == versions_line()
    assert imported == "False False"


def test_a_missing_package_reads_absent() -> None:
    assert versions_line(("no-such-distribution",)).startswith(
        "versions: no-such-distribution absent, python "
    )
