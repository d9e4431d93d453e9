"""The dataset interface of :mod:`mura_core`: a table of labelled images and its problems.

An :class:`ImageDataset` is what the training runner, the evaluation and the inspection
consume. It holds one row per usable image (listed, present, decodable) in a pandas
frame with at least the columns of :data:`FRAME_COLUMNS`, and a
:class:`~mura_core.data.problems.ProblemReport` of what was skipped and why.
:class:`~mura_core.data.loader.MuraDataset` is the MURA implementation; another
dataset plugs in by subclassing :class:`ImageDataset`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable

import pandas as pd

from mura_core.data.problems import ProblemReport

#: Columns every dataset frame has, one row per image.
#:
#: ``path`` absolute file path; ``split`` the source split (``train`` or ``valid`` for
#: MURA); ``body_part`` (``XR_WRIST``...); ``patient`` a patient id, global across splits
#: and body parts; ``study`` a study id unique in the dataset; ``label`` 0 normal or
#: 1 abnormal (int).
FRAME_COLUMNS: tuple[str, ...] = ("path", "split", "body_part", "patient", "study", "label")


def with_frame_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the columns of :data:`FRAME_COLUMNS` it lacks filled in (``label``
    0, others empty): images to predict, whose split, patient or label are unknown."""
    filled = frame.copy()
    for column in FRAME_COLUMNS:
        if column not in filled.columns:
            filled[column] = 0 if column == "label" else ""
    return filled


def check_frame(frame: pd.DataFrame) -> None:
    """Raise ``ValueError`` when ``frame`` lacks a column of :data:`FRAME_COLUMNS`."""
    missing = [column for column in FRAME_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"image frame lacks column(s) {', '.join(missing)}")


class ImageDataset(ABC):
    """A labelled image dataset: one frame row per usable image, plus its problems."""

    @property
    @abstractmethod
    def frame(self) -> pd.DataFrame:
        """One row per usable image with at least :data:`FRAME_COLUMNS`, in a stable order."""

    @property
    @abstractmethod
    def problems(self) -> ProblemReport:
        """What was found wrong while loading (and skipped)."""

    def __len__(self) -> int:
        return len(self.frame)

    def split(self, name: str) -> pd.DataFrame:
        """The rows of one source split (for MURA: ``train`` or ``valid``)."""
        frame = self.frame
        return frame[frame["split"] == name].reset_index(drop=True)

    def select(self, body_parts: Iterable[str]) -> pd.DataFrame:
        """The rows of the given body parts."""
        frame = self.frame
        return frame[frame["body_part"].isin(list(body_parts))].reset_index(drop=True)

    @property
    def body_parts(self) -> tuple[str, ...]:
        """The body parts present, sorted."""
        return tuple(sorted(self.frame["body_part"].unique()))
