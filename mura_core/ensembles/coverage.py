"""Which of the given images a run covers: one check for every command that runs a model
on images the user names (``mura predict``, ``mura explain``).

A single run covers every image. An ensemble covers an image when a trained member
scores it (:func:`~mura_core.ensembles.combine.scored_rows`): every image under ``avg``,
the images of a trained member's body part under ``route``. :func:`require_coverage` is
called before any model runs: the uncovered images are left out (the caller warns once),
and a run that covers none of the given images is refused in one line, so that no
command answers an empty result where another refuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mura_core.ensembles.combine import scored_rows
from mura_core.errors import MuraError

__all__ = ["Coverage", "coverage", "require_coverage"]


@dataclass(frozen=True)
class Coverage:
    """The rows of the images a run covers (index kept) and the paths it leaves out."""

    covered: pd.DataFrame
    uncovered: list[str] = field(default_factory=list)


def coverage(loaded: Any, frame: pd.DataFrame) -> Coverage:
    """Split ``frame``'s images into those ``loaded`` (a run or an ensemble) covers and
    the others."""
    specs = getattr(loaded, "specs", None)
    if specs is None:  # a single run
        return Coverage(frame)
    rows = frame.fillna({"body_part": ""}) if "body_part" in frame else frame
    mask = pd.Series(False, index=frame.index)
    for member in specs:
        if member.key in loaded.members:
            mask[scored_rows(rows, member, loaded.combination).index] = True
    return Coverage(frame[mask], [str(path) for path in frame.loc[~mask, "path"]])


def require_coverage(loaded: Any, frame: pd.DataFrame) -> Coverage:
    """:func:`coverage`, refusing a run that covers none of the images.

    Raises:
        MuraError: no trained member covers any of the images.
    """
    found = coverage(loaded, frame)
    if found.covered.empty and not frame.empty:
        trained = ", ".join(sorted(loaded.members))
        raise MuraError(
            f"{loaded.name} covers none of the given {len(frame)} image(s): no trained "
            f"member scores their body parts (trained: {trained}), e.g. {found.uncovered[0]}"
        )
    return found
