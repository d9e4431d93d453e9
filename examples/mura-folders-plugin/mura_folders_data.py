"""The loader of the ``labelled-folders`` layout (see :mod:`mura_folders`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from mura_folders import LABELS

from mura_core.data import FRAME_COLUMNS, ImageDataset, ProblemReport, select_body_parts


class FoldersDataset(ImageDataset):
    """A ``labelled-folders`` root: one frame row per PNG image."""

    def __init__(self, root, *, body_parts=None, strict=False, check="verify"):
        self.root = Path(root)
        self.body_part_filter = select_body_parts(body_parts)
        self._problems = ProblemReport(strict=strict)
        rows = []
        for folder, label in LABELS.items():
            for image in sorted((self.root / folder).glob("*/*/*/*.png")):
                part_folder, patient, study = image.parts[-4:-1]
                (body_part,) = select_body_parts(part_folder)
                if body_part in self.body_part_filter:
                    relpath = image.relative_to(self.root).as_posix()
                    study_id = relpath.rsplit("/", 1)[0]
                    row = (str(image), "train", body_part, patient, study_id, label)
                    rows.append((*row, relpath))
        self._frame = pd.DataFrame(rows, columns=[*FRAME_COLUMNS, "relpath"])

    @property
    def frame(self) -> pd.DataFrame:
        return self._frame

    @property
    def problems(self) -> ProblemReport:
        return self._problems
