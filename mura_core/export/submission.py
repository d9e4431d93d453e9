"""The MURA submission predictor: image paths in, one label per study out.

The competition's evaluation runs a predictor on a headerless CSV of image paths (as
``valid_image_paths.csv``) and reads back a headerless CSV of ``study path,label``, one
row per study. A study's probability is the mean of its images' (as everywhere in this
package) and its label is 1 (abnormal) above 0.5. Study folders need no
``_positive``/``_negative`` suffix, as in a hidden test set.

Every row is checked before anything is predicted; bad rows are all reported, and the
output is written at once (a temporary file renamed) or not at all.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mura_core.errors import MuraError

__all__ = ["SubmissionRows", "read_submission_csv", "study_predictions", "write_submission"]

#: Predicts a frame of images (``path``, ``study``, ``body_part``): probabilities in row
#: order, NaN for an image the model does not cover.
Predictor = Callable[[pd.DataFrame], "pd.Series"]


@dataclass
class SubmissionRows:
    """The images of a submission CSV and the problems of its rows."""

    images: pd.DataFrame
    problems: list[str]


def read_submission_csv(table: str | Path) -> SubmissionRows:
    """Read a headerless CSV of image paths; each row's study is its folder as written.

    Rows naming no file, something other than a PNG image, or an unreadable image are
    problems (one line each, with the line number); so is a row of several columns.
    """
    from mura_core.data.images import body_part_of, csv_rows, locate_csv_path
    from mura_core.data.layout import IMAGE_SUFFIXES
    from mura_core.data.loader import image_problem

    table = Path(table)
    if not table.is_file():
        raise MuraError(f"{table}: no such file")
    rows, problems = [], []
    for number, row in csv_rows(table):
        given = row[0].strip()
        where = f"{table}, line {number}"
        if len([cell for cell in row if cell.strip()]) != 1:
            problems.append(f"{where}: expected one image path, got {len(row)} columns")
            continue
        if Path(given).suffix.lower() not in IMAGE_SUFFIXES:
            problems.append(f"{where}: {given} is not a PNG image path")
            continue
        found = locate_csv_path(table, given)
        if found is None:
            problems.append(f"{where}: no image at {given}")
            continue
        problem = image_problem(found)
        if problem:
            problems.append(f"{where}: {given}: {problem}")
            continue
        study = given.replace("\\", "/").rsplit("/", 1)[0] + "/" if "/" in given else "./"
        rows.append({"path": str(found), "study": study, "body_part": body_part_of(found)})
    if not rows and not problems:
        problems.append(f"{table}: no image paths")
    images = pd.DataFrame(rows, columns=["path", "study", "body_part"])
    return SubmissionRows(images.drop_duplicates("path").reset_index(drop=True), problems)


def study_predictions(images: pd.DataFrame, predict: Predictor) -> pd.DataFrame:
    """One row per study (first-appearance order): ``study``, ``probability``, ``label``.

    Raises:
        MuraError: images the model does not cover (a ``route`` ensemble without a
            member for their body part), naming the first.
    """
    from mura_core.evaluation import STUDY_THRESHOLD, aggregate_studies

    probabilities = pd.Series(predict(images), index=images.index, dtype=float)
    uncovered = images[probabilities.isna()]
    if not uncovered.empty:
        raise MuraError(
            f"{len(uncovered)} image(s) have no prediction (no member for their body "
            f"part), e.g. {uncovered['path'].iloc[0]}"
        )
    studies = aggregate_studies(images[["study"]].assign(probability=probabilities))
    studies["label"] = (studies["probability"] > STUDY_THRESHOLD).astype(int)
    return studies[["study", "probability", "label"]]


def write_submission(studies: pd.DataFrame, output: str | Path) -> Path:
    """Write ``study,label`` rows, headerless, all at once."""
    output = Path(output)
    staged = output.with_name(f".{output.name}.tmp")
    studies[["study", "label"]].to_csv(staged, header=False, index=False)
    os.replace(staged, output)
    return output
