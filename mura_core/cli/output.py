"""Small output helpers shared by the CLI commands: JSON and aligned tables."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON on stdout."""
    json.dump(value, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print rows as a left-aligned text table with a header line."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for number, row in enumerate(cells):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        if number == 0:
            print("  ".join("-" * width for width in widths))


def format_metric(value: float | None) -> str:
    """A metric with three decimals, or an empty cell."""
    return "" if value is None else f"{value:.3f}"


def print_notes(notes: Sequence[str]) -> None:
    """Print each note as one ``mura: note:`` line on stderr."""
    for note in notes:
        print(f"mura: note: {note}", file=sys.stderr)
