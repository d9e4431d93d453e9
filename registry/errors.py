"""Errors raised by the registry.

Every problem with a model name is an :class:`InvalidNameError` whose message names the
offending token, says what was expected and, where one is close, suggests a fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class RegistryError(Exception):
    """Base class of every error the registry raises."""


class InvalidNameError(RegistryError, ValueError):
    """A model or run name that does not follow the grammar.

    Attributes:
        name: the full name that was being parsed.
        token: the offending token (or family), when there is one.
        expected: what the grammar expected at that place.
        suggestion: the closest valid family or token, when there is one.
    """

    def __init__(
        self,
        name: str,
        problem: str,
        *,
        token: str | None = None,
        expected: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        self.name = name
        self.problem = problem
        self.token = token
        self.expected = expected
        self.suggestion = suggestion
        message = f"invalid model name {shorten(name, 160)!r}: {problem}"
        if expected:
            message += f"; expected {expected}"
        if suggestion:
            message += f"; did you mean {suggestion!r}?"
        super().__init__(message)


class UnknownModelError(RegistryError, KeyError):
    """A preset or family looked up by a name the registry does not hold."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class BuildError(RegistryError):
    """A valid name that cannot be built as asked (missing weights, layer index too large)."""


class PluginError(RegistryError):
    """A plugin that failed to load or conflicts with another plugin."""


def shorten(text: str, limit: int = 60) -> str:
    """``text``, or its start and end around ``...`` when longer than ``limit``."""
    if len(text) <= limit:
        return text
    keep = max(limit - 3, 2)
    return f"{text[: keep - keep // 4]}...{text[len(text) - keep // 4 :]}"


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate closest to ``word``, or ``None`` when none is close."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.5)
    return matches[0] if matches else None
