"""Native libraries' own output: silencing, capturing or redirecting what code below
Python (C++ logging, a library's print to file descriptor 1) writes."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Captured", "captured_stderr", "silenced_stderr", "stdout_to_stderr"]


@contextlib.contextmanager
def _descriptor_to(target: int, descriptor: int) -> Iterator[None]:
    """Point ``descriptor`` at what ``target`` refers to for the duration of the block."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(descriptor)
    try:
        os.dup2(target, descriptor)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved, descriptor)
        os.close(saved)


@contextlib.contextmanager
def silenced_stderr() -> Iterator[None]:
    """Point file descriptor 2 at the null device for the duration of the block.

    For native code that logs unconditionally (TensorFlow's start-up, the TFLite
    converter and interpreter); Python exceptions raised in the block still propagate.
    """
    with open(os.devnull, "w") as null, _descriptor_to(null.fileno(), 2):
        yield


@dataclass
class Captured:
    """What :func:`captured_stderr` caught (complete once its block has ended)."""

    text: str = ""


@contextlib.contextmanager
def captured_stderr() -> Iterator[Captured]:
    """Catch what is written to file descriptor 2 during the block (C++ warnings that a
    one-line error can then summarise); :attr:`Captured.text` holds it afterwards."""
    captured = Captured()
    with tempfile.TemporaryFile(mode="w+b") as sink:
        try:
            with _descriptor_to(sink.fileno(), 2):
                yield captured
        finally:
            sink.seek(0)
            captured.text = sink.read().decode("utf-8", errors="replace")


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send whatever is written to standard output during the block (file descriptor 1,
    Python's ``print`` included) to standard error, so that an engine's messages never
    mix with a command's machine-readable output."""
    with _descriptor_to(2, 1), contextlib.redirect_stdout(sys.stderr):
        yield
