"""The MURA-v1.1 tree: folder names, CSV names and the grammar of an image path.

MURA as Stanford ships it::

    MURA-v1.1/
        train_image_paths.csv        one image path per line
        train_labeled_studies.csv    study_dir/,label
        valid_image_paths.csv
        valid_labeled_studies.csv
        {train,valid}/XR_<PART>/patientNNNNN/studyN_{positive,negative}/imageN.png

The CSVs have no header; their paths (``MURA-v1.1/train/XR_WRIST/patient00001/
study1_positive/image1.png``, ``MURA-v1.1/train/XR_WRIST/patient00001/study1_positive/,1``)
are relative to the folder holding ``MURA-v1.1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mura_core.errors import MuraError
from registry import BODY_PARTS

#: Name of the dataset folder, and the first component of every path in the CSVs.
MURA_DIR = "MURA-v1.1"
#: MURA's two splits, as folder names (``valid`` is the library's test set).
SPLITS: tuple[str, ...] = ("train", "valid")
#: Label values: 0 normal (``negative``), 1 abnormal (``positive``).
LABEL_NAMES: dict[int, str] = {0: "negative", 1: "positive"}
#: File extensions taken as images when walking folders without CSVs: PNG and DICOM
#: (a DICOM file is read by content, see :mod:`mura_core.data.dicom`, whatever its name).
IMAGE_SUFFIXES: tuple[str, ...] = (".png", ".dcm", ".dicom")

__all__ = [
    "BODY_PARTS",
    "IMAGE_SUFFIXES",
    "LABEL_NAMES",
    "MURA_DIR",
    "SPLITS",
    "ImagePath",
    "MuraRoot",
    "StudyPath",
    "existing_directory",
    "image_paths_csv",
    "labeled_studies_csv",
    "parse_image_path",
    "parse_study_path",
    "resolve_root",
]

_PATIENT = re.compile(r"patient\d+")
_STUDY = re.compile(r"study(\d+)_(positive|negative)")


def image_paths_csv(split: str) -> str:
    """File name of the image list of ``split`` (``train_image_paths.csv``)."""
    return f"{split}_image_paths.csv"


def labeled_studies_csv(split: str) -> str:
    """File name of the study labels of ``split`` (``train_labeled_studies.csv``)."""
    return f"{split}_labeled_studies.csv"


@dataclass(frozen=True)
class StudyPath:
    """A study folder, parsed from its path relative to the MURA folder.

    Attributes:
        split: ``train`` or ``valid``.
        body_part: one of :data:`BODY_PARTS`.
        patient: the patient folder (``patient00001``); patient ids are global in MURA.
        study: the study's unique id, its path as the CSVs write it without the
            trailing slash (``MURA-v1.1/train/XR_WRIST/patient00001/study1_positive``).
        label: the label the folder name declares (1 for ``positive``).
    """

    split: str
    body_part: str
    patient: str
    study: str
    label: int


@dataclass(frozen=True)
class ImagePath(StudyPath):
    """An image file, parsed from its path relative to the MURA folder.

    Attributes:
        relpath: the path as the CSVs write it (``MURA-v1.1/train/.../image1.png``).
    """

    relpath: str = ""


def _study_parts(parts: tuple[str, ...]) -> StudyPath:
    split, body_part, patient, study = parts
    if split not in SPLITS:
        raise ValueError(f"unknown split folder {split!r} (expected train or valid)")
    if body_part not in BODY_PARTS:
        raise ValueError(f"unknown body part folder {body_part!r}")
    if not _PATIENT.fullmatch(patient):
        raise ValueError(f"patient folder {patient!r} is not patientNNNNN")
    match = _STUDY.fullmatch(study)
    if not match:
        raise ValueError(f"study folder {study!r} is not studyN_positive or studyN_negative")
    label = 1 if match.group(2) == "positive" else 0
    study_id = "/".join((MURA_DIR, split, body_part, patient, study))
    return StudyPath(split, body_part, patient, study_id, label)


def _inner_parts(path: str) -> tuple[str, ...]:
    """Components of ``path`` below the MURA folder; ``ValueError`` when it is not there."""
    if "\\" in path:
        path = path.replace("\\", "/")
    pure = PurePosixPath(path)
    if pure.is_absolute():
        raise ValueError("absolute path")
    parts = pure.parts
    if ".." in parts:
        raise ValueError("path contains '..'")
    parts = tuple(part for part in parts if part != ".")
    if not parts or parts[0] != MURA_DIR:
        raise ValueError(f"path does not start with {MURA_DIR}/")
    return parts[1:]


def parse_study_path(path: str) -> StudyPath:
    """Parse a study folder path as the labeled-studies CSV writes it.

    Raises:
        ValueError: the path does not follow the MURA grammar.
    """
    parts = _inner_parts(path.rstrip("/"))
    if len(parts) != 4:
        raise ValueError("expected MURA-v1.1/<split>/XR_<PART>/patientN/studyN_<label>/")
    return _study_parts(parts)


def parse_image_path(path: str) -> ImagePath:
    """Parse an image path as the image-paths CSV writes it (relative to ROOT).

    >>> path = "MURA-v1.1/train/XR_WRIST/patient00001/study1_positive/image1.png"
    >>> parse_image_path(path).label
    1

    Raises:
        ValueError: the path does not follow the MURA grammar (the message says why).
    """
    parts = _inner_parts(path)
    if len(parts) != 5:
        raise ValueError("expected MURA-v1.1/<split>/XR_<PART>/patientN/studyN_<label>/<image>")
    study = _study_parts(parts[:4])
    name = parts[4]
    if name.startswith("."):
        raise ValueError(f"hidden file {name!r}")
    if not name.lower().endswith(IMAGE_SUFFIXES):
        raise ValueError(f"{name!r} is not a PNG or DICOM file")
    relpath = "/".join((MURA_DIR, *parts))
    return ImagePath(**study.__dict__, relpath=relpath)


@dataclass(frozen=True)
class MuraRoot:
    """Where a MURA tree lives.

    Attributes:
        base: the folder holding the MURA folder; CSV paths are relative to it.
        mura: the MURA folder itself (usually ``base / "MURA-v1.1"``).
    """

    base: Path
    mura: Path

    def locate(self, relpath: str) -> Path:
        """The file of a parsed CSV path (``MURA-v1.1/...``), inside :attr:`mura`."""
        return self.mura.joinpath(*PurePosixPath(relpath).parts[1:])

    def relative(self, file: Path) -> str:
        """The CSV form (``MURA-v1.1/...``) of a file inside :attr:`mura`."""
        return "/".join((MURA_DIR, *file.relative_to(self.mura).parts))


def _looks_like_mura(folder: Path) -> bool:
    return any(
        (folder / split).is_dir() or (folder / image_paths_csv(split)).is_file() for split in SPLITS
    )


def existing_directory(root: str | Path) -> Path:
    """``root`` as an absolute path, or a one-line :class:`MuraError` when it is missing
    or not a directory."""
    path = Path(root).expanduser()
    if not path.exists():
        raise MuraError(f"{root}: no such directory")
    if not path.is_dir():
        raise MuraError(f"{root}: not a directory")
    return path.absolute()


def resolve_root(root: str | Path) -> MuraRoot:
    """Find the MURA folder from ROOT: the folder holding ``MURA-v1.1`` or that folder itself.

    A MURA folder under another name is accepted when it holds ``train/``, ``valid/`` or
    their image-path CSVs (the CSVs' ``MURA-v1.1/`` prefix then names this folder).

    Raises:
        MuraError: ROOT does not exist or is not a MURA tree.
    """
    path = existing_directory(root)
    if (path / MURA_DIR).is_dir() and _looks_like_mura(path / MURA_DIR):
        return MuraRoot(base=path, mura=path / MURA_DIR)
    if _looks_like_mura(path):
        return MuraRoot(base=path.parent, mura=path)
    raise MuraError(
        f"{root}: not a MURA tree (expected {MURA_DIR}/ holding train/ and valid/ "
        "or their image-path CSVs)"
    )
