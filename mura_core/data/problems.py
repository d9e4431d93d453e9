"""Problems found while loading a dataset: counted, reported with an example, skipped.

Kinds, in report order (:data:`PROBLEM_KINDS`):

``missing``
    an image listed in ``<split>_image_paths.csv`` whose file does not exist (skipped).
``corrupt``
    a file that is present but not a readable image: empty, truncated, a bad checksum,
    not a PNG, or a DICOM file the DICOM transform refuses (multi-frame, colour, no
    pixel data, undecodable: see :mod:`mura_core.data.dicom`) (skipped).
``too_large``
    an image above the pixel limit (:func:`~mura_core.data.checks.max_pixels`, 50
    megapixels by default) (skipped).
``unlisted``
    a file present in the tree but not listed in the image-path CSV, such as macOS'
    ``._image1.png``; without CSVs, a hidden or non-PNG file in a study folder (skipped).
``outside_root``
    a listed path that escapes ROOT (absolute, or climbing out with ``..``) (skipped).
``malformed``
    a listed path or CSV row that does not follow the MURA grammar (skipped).
``duplicate``
    an image listed more than once (the repeats are skipped).
``label_mismatch``
    a study whose label in ``<split>_labeled_studies.csv`` disagrees with its folder name
    (counted per study; the CSV label is kept).
``unlabeled``
    a study with images but no row in the labeled-studies CSV (counted per study; the
    folder's label is kept).
"""

from __future__ import annotations

import typing
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from mura_core.errors import MuraError

ProblemKind = Literal[
    "missing",
    "corrupt",
    "too_large",
    "unlisted",
    "outside_root",
    "malformed",
    "duplicate",
    "label_mismatch",
    "unlabeled",
]

#: The kinds of data problems, in report order.
PROBLEM_KINDS: tuple[str, ...] = typing.get_args(ProblemKind)

_DESCRIPTIONS = {
    "missing": "listed image file missing",
    "corrupt": "unreadable image",
    "too_large": "image above the pixel limit",
    "unlisted": "file not listed in the image CSV",
    "outside_root": "path escapes ROOT",
    "malformed": "path or row not in the MURA layout",
    "duplicate": "image listed twice",
    "label_mismatch": "CSV label disagrees with the study folder",
    "unlabeled": "study missing from the labeled-studies CSV",
}


@dataclass(frozen=True)
class Problem:
    """One bad input: its kind, the path as the user would find it, and what is wrong."""

    kind: str
    path: str
    detail: str = ""

    def __str__(self) -> str:
        text = f"{_DESCRIPTIONS[self.kind]}: {self.path}"
        return f"{text} ({self.detail})" if self.detail else text

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "path": self.path, "detail": self.detail}


class DataProblemError(MuraError):
    """Raised in strict mode on the first problem; ``problem`` says which."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(f"strict: {problem}")


@dataclass
class ProblemReport:
    """Counts of every problem kind with the first example of each.

    With ``strict=True`` the first :meth:`add` raises :class:`DataProblemError`.
    """

    strict: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, Problem] = field(default_factory=dict)

    def add(self, kind: ProblemKind, path: str, detail: str = "") -> None:
        """Record a problem (or raise it, in strict mode)."""
        if kind not in _DESCRIPTIONS:
            raise ValueError(f"unknown problem kind {kind!r}")
        problem = Problem(kind, path, detail)
        if self.strict:
            raise DataProblemError(problem)
        self.counts[kind] += 1
        self.examples.setdefault(kind, problem)

    def __getitem__(self, kind: str) -> int:
        return self.counts.get(kind, 0)

    @property
    def total(self) -> int:
        """Number of problems of every kind."""
        return sum(self.counts.values())

    def __bool__(self) -> bool:
        return self.total > 0

    def to_dict(self) -> dict[str, Any]:
        """``{kind: count for every kind, "examples": [{"kind", "path", "detail"}, ...]}``."""
        report: dict[str, Any] = {kind: self[kind] for kind in PROBLEM_KINDS}
        report["examples"] = [
            self.examples[kind].to_dict() for kind in PROBLEM_KINDS if kind in self.examples
        ]
        return report

    def lines(self) -> list[str]:
        """One human-readable line per problem kind found, with its example."""
        return [
            f"{self[kind]:>7}  {kind:<15} e.g. {self.examples[kind].path}"
            + (f" ({self.examples[kind].detail})" if self.examples[kind].detail else "")
            for kind in PROBLEM_KINDS
            if self[kind]
        ]
