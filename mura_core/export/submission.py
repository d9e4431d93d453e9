"""The MURA submission predictor: image paths in, one label per study out.

The competition's evaluation runs a predictor on a headerless CSV of image paths (as
``valid_image_paths.csv``) and reads back a headerless CSV of ``study path,label``, one
row per study. A study's probability is the mean of its images' (as everywhere in this
package) and its label is 1 (abnormal) above 0.5, or above the operating point of a
calibrated run (``mura calibrate``; an export records it in ``export.json``). Study folders need no
``_positive``/``_negative`` suffix, as in a hidden test set.

Every row is checked before anything is predicted; bad rows are all reported, and the
output is written at once (a temporary file renamed) or not at all.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mura_core.errors import MuraError
from mura_core.evaluation.studies import STUDY_THRESHOLD

__all__ = ["SubmissionRows", "read_submission_csv", "study_predictions", "write_submission"]

#: Predicts a frame of images (``path``, ``study``, ``body_part``): probabilities in row
#: order, NaN for an image the model does not cover.
Predictor = Callable[[pd.DataFrame], "pd.Series"]


@dataclass
class SubmissionRows:
    """The images of a submission CSV and the problems of its rows."""

    images: pd.DataFrame
    problems: list[str]
    #: Rows naming an image already named above (predicted once).
    duplicates: int = 0
    #: Where relative paths were looked up, when some were not found.
    looked_under: list[str] = field(default_factory=list)


#: The problem of a row naming something other than a PNG file.
_NOT_PNG = "is not a PNG or DICOM image path"


def _image_problem(table: Path, given: str) -> tuple[str | None, Path | None]:
    """The problem of the image a row names, or the file it is (once per distinct path)."""
    from mura_core.data.dicom import is_dicom
    from mura_core.data.images import locate_csv_path
    from mura_core.data.layout import IMAGE_SUFFIXES
    from mura_core.data.loader import image_problem

    found = locate_csv_path(table, given)
    if Path(given).suffix.lower() not in IMAGE_SUFFIXES and not (found and is_dicom(found)):
        return f"{given} {_NOT_PNG}", None
    if found is None:
        return f"no image at {given}", None
    problem = image_problem(found)
    return (f"{given}: {problem}", None) if problem else (None, found)


def _row_problem(number: int, row: list[str], image: str | None) -> str | None:
    """The problem of one row: its columns, then the image it names."""
    if len([cell for cell in row if cell.strip()]) != 1:
        return f"expected one image path, got {len(row)} columns"
    if number == 1 and image is not None and image.endswith(_NOT_PNG):
        return f"{image} (the CSV has no header row)"
    return image


def _study(given: str) -> str:
    """A row's study: the folder of its path as written (``./`` for a bare file name)."""
    given = given.replace("\\", "/")
    return given.rsplit("/", 1)[0] + "/" if "/" in given else "./"


def read_submission_csv(table: str | Path) -> SubmissionRows:
    """Read a headerless CSV of image paths; each row's study is its folder as written.

    Rows naming no file, something other than a PNG or DICOM image, or an unreadable image are
    problems (one line each, with the line number); so is a row of several columns.
    Each distinct path is looked up and checked once, however many rows name it.

    Raises:
        MuraError: no such file, or no image path in it.
    """
    from mura_core.data.distinct import once_each
    from mura_core.data.images import body_part_of, csv_bases, csv_rows

    table = Path(table)
    if not table.is_file():
        raise MuraError(f"{table}: no such file")
    numbered = csv_rows(table)
    images = once_each((row[0].strip() for _, row in numbered),
                       lambda given: _image_problem(table, given))  # fmt: skip
    parts = once_each((found for _, found in images.values() if found), body_part_of)
    rows, problems, missing = [], [], False
    for number, row in numbered:
        given = row[0].strip()
        image, found = images[given]
        problem = _row_problem(number, row, image)
        if problem or found is None:
            problems.append(f"{table}, line {number}: {problem}")
            missing = missing or str(problem).startswith("no image at")
            continue
        rows.append((str(found), _study(given), parts[found]))
    if not rows and not problems:
        raise MuraError(f"{table}: no image paths")
    frame = pd.DataFrame(rows, columns=["path", "study", "body_part"])
    unique = frame.drop_duplicates("path").reset_index(drop=True)
    looked = [str(base) for base in csv_bases(table)] if missing else []
    return SubmissionRows(unique, problems, len(frame) - len(unique), looked)


def study_predictions(
    images: pd.DataFrame, predict: Predictor, threshold: float = STUDY_THRESHOLD
) -> pd.DataFrame:
    """One row per study (first-appearance order): ``study``, ``probability``, ``label``
    (1 above ``threshold``).

    Raises:
        MuraError: images the model does not cover (a ``route`` ensemble without a
            member for their body part), naming the first.
    """
    from mura_core.evaluation import aggregate_studies

    probabilities = pd.Series(predict(images), index=images.index, dtype=float)
    uncovered = images[probabilities.isna()]
    unknown = uncovered[uncovered["body_part"].isna()]
    if not unknown.empty:
        raise MuraError(
            f"{len(unknown)} image(s) have no body part (no XR_* folder in their path), "
            f"which this model needs, e.g. {unknown['path'].iloc[0]}"
        )
    if not uncovered.empty:
        raise MuraError(
            f"{len(uncovered)} image(s) have no prediction (no member for their body "
            f"part), e.g. {uncovered['path'].iloc[0]}"
        )
    studies = aggregate_studies(images[["study"]].assign(probability=probabilities), threshold)
    studies["label"] = studies["prediction"]
    return studies[["study", "probability", "label"]]


def write_submission(studies: pd.DataFrame, output: str | Path) -> Path:
    """Write ``study,label`` rows, headerless, all at once."""
    output = Path(output)
    staged = output.with_name(f".{output.name}.tmp")
    studies[["study", "label"]].to_csv(staged, header=False, index=False)
    os.replace(staged, output)
    return output
