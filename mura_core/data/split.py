"""Patient-level splits: training and validation from MURA ``train``, MURA ``valid`` as test.

Unlike the report, which split validation off by image rows (the same patient in both
sets), :func:`split_by_patient` assigns whole patients, stratified by body part and
label, with a fixed seed. The split is written as a manifest, a CSV with one row per
image::

    path,patient,study,body_part,label,subset
    MURA-v1.1/train/XR_WRIST/patient00001/study1_positive/image1.png,patient00001,...,train

``path`` is relative to the folder the dataset layout's paths start from (for MURA, the
folder holding ``MURA-v1.1``), so the manifest, and its hash, do not depend on where the
data lives; ``subset`` is ``train``, ``validation`` or
``test``. Its SHA-256 (:meth:`DataSplit.manifest_hash`) identifies the split: record it
with a run, and :func:`read_manifest` checks it when the split is read back.
"""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mura_core.data.dataset import check_frame
from mura_core.errors import MuraError
from mura_core.vocabulary import SUBSETS

#: The columns of a split manifest, one row per image.
MANIFEST_COLUMNS: tuple[str, ...] = ("path", "patient", "study", "body_part", "label", "subset")

__all__ = [
    "MANIFEST_COLUMNS",
    "SUBSETS",
    "DataSplit",
    "read_manifest",
    "split_by_patient",
]


@dataclass(frozen=True)
class DataSplit:
    """Training, validation and test frames (same columns as the input frame).

    Attributes:
        train, validation, test: the image rows of each subset, in the input order.
        seed, validation_fraction: how the split was drawn (``None`` when it was read
            back from a manifest, which does not record them).
    """

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    seed: int | None
    validation_fraction: float | None

    @property
    def subsets(self) -> dict[str, pd.DataFrame]:
        """``{"train": ..., "validation": ..., "test": ...}``."""
        return {"train": self.train, "validation": self.validation, "test": self.test}

    def manifest(self) -> pd.DataFrame:
        """One row per image with :data:`MANIFEST_COLUMNS`, subset by subset."""
        parts = []
        for subset, frame in self.subsets.items():
            paths = frame["relpath"] if "relpath" in frame.columns else frame["path"]
            part = pd.DataFrame(
                {
                    "path": paths.astype(str).to_numpy(),
                    "patient": frame["patient"].astype(str).to_numpy(),
                    "study": frame["study"].astype(str).to_numpy(),
                    "body_part": frame["body_part"].astype(str).to_numpy(),
                    "label": frame["label"].astype("int64").to_numpy(),
                    "subset": subset,
                }
            )
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    def manifest_bytes(self) -> bytes:
        """The manifest as written: UTF-8 CSV with a header and ``\\n`` line ends."""
        buffer = io.StringIO()
        self.manifest().to_csv(buffer, index=False, lineterminator="\n")
        return buffer.getvalue().encode("utf-8")

    def manifest_hash(self) -> str:
        """SHA-256 (hex) of :meth:`manifest_bytes`: the split's identity."""
        return hashlib.sha256(self.manifest_bytes()).hexdigest()

    def write_manifest(self, file: str | os.PathLike[str]) -> str:
        """Write the manifest to ``file`` and its hash to ``file.sha256``; return the hash.

        The ``.sha256`` file is in ``sha256sum`` format, so ``sha256sum -c`` checks it.
        """
        file = Path(file)
        file.parent.mkdir(parents=True, exist_ok=True)
        data = self.manifest_bytes()
        digest = hashlib.sha256(data).hexdigest()
        file.write_bytes(data)
        Path(f"{file}.sha256").write_text(f"{digest}  {file.name}\n", encoding="utf-8")
        return digest


def _patient_strata(pool: pd.DataFrame) -> pd.Series:
    """Each patient's stratum: the (body part, label) of most of their images."""
    counts = pool.groupby(["patient", "body_part", "label"], sort=True).size()
    counts = counts.reset_index(name="images")
    counts = counts.sort_values(
        ["patient", "images", "body_part", "label"], ascending=[True, False, True, True]
    )
    first = counts.drop_duplicates("patient")
    return pd.Series(
        [f"{part}:{label}" for part, label in zip(first["body_part"], first["label"])],
        index=first["patient"].to_numpy(),
    )


def split_by_patient(
    frame: pd.DataFrame,
    *,
    validation_fraction: float = 0.2,
    seed: int = 0,
    train_split: str = "train",
    test_split: str = "valid",
) -> DataSplit:
    """Split ``frame`` into training, validation and test sets with no patient in two.

    Rows of ``test_split`` (MURA ``valid``) form the test set. Patients of
    ``train_split`` are put in a stratum, the (body part, label) of most of their images;
    within each stratum patients are shuffled (by ``seed`` and the stratum's name, so a
    body-part filter leaves the other strata's draws unchanged) and taken for validation
    until their images come closest to ``validation_fraction`` of the stratum's images.
    The result depends only on the rows' content, not on their order.

    Raises:
        ValueError: ``validation_fraction`` outside [0, 1) or a frame without the
            required columns.
    """
    check_frame(frame)
    if not 0.0 <= validation_fraction < 1.0:
        raise ValueError("validation_fraction must be in [0, 1)")
    pool = frame[frame["split"] == train_split]
    test = frame[frame["split"] == test_split].reset_index(drop=True)
    shared = set(pool["patient"]) & set(test["patient"])
    if shared:
        raise MuraError(
            f"{len(shared)} patient(s) in both {train_split} and {test_split}, "
            f"e.g. {sorted(shared)[0]}"
        )
    strata = _patient_strata(pool)
    images = pool.groupby("patient").size()
    validation_patients: set[str] = set()
    for stratum in sorted(strata.unique()):
        patients = np.array(sorted(strata.index[strata == stratum]))
        rng = np.random.default_rng([seed, zlib.crc32(stratum.encode())])
        patients = patients[rng.permutation(len(patients))]
        sizes = images.loc[patients].to_numpy()
        target = validation_fraction * sizes.sum()
        cumulative = np.concatenate([[0], np.cumsum(sizes)])
        take = int(np.argmin(np.abs(cumulative - target)))
        validation_patients.update(patients[:take].tolist())
    in_validation = pool["patient"].isin(validation_patients)
    return DataSplit(
        train=pool[~in_validation].reset_index(drop=True),
        validation=pool[in_validation].reset_index(drop=True),
        test=test,
        seed=seed,
        validation_fraction=validation_fraction,
    )


def _read_sidecar(sidecar: Path) -> str:
    """The hash a ``.sha256`` file records (``sha256sum`` format).

    Raises:
        MuraError: the file is unreadable or holds no SHA-256.
    """
    try:
        words = sidecar.read_bytes().decode("ascii", errors="replace").split()
    except OSError as error:
        raise MuraError(f"{sidecar}: cannot read ({error.strerror})") from None
    if not words or not re.fullmatch(r"[0-9a-f]{64}", words[0]):
        raise MuraError(f"{sidecar}: damaged hash file (expected '<sha256>  <file name>')")
    return words[0]


def read_manifest(
    file: str | os.PathLike[str],
    root: str | os.PathLike[str],
    *,
    expected_hash: str | None = None,
) -> DataSplit:
    """Read a split back from its manifest, with paths resolved under ``root``.

    The manifest's hash is checked against ``expected_hash``, or else against the
    ``file.sha256`` written next to it when there is one.

    Raises:
        MuraError: unreadable manifest, or a hash that does not match.
    """
    file = Path(file)
    try:
        data = file.read_bytes()
    except OSError as error:
        raise MuraError(f"{file}: cannot read manifest ({error.strerror})") from None
    digest = hashlib.sha256(data).hexdigest()
    sidecar = Path(f"{file}.sha256")
    if expected_hash is None and sidecar.is_file():
        expected_hash = _read_sidecar(sidecar)
    if expected_hash is not None and digest != expected_hash:
        raise MuraError(f"{file}: manifest hash {digest[:12]}... does not match {expected_hash}")
    try:
        manifest = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as error:
        raise MuraError(f"{file}: not a manifest CSV ({error})") from None
    missing = [column for column in MANIFEST_COLUMNS if column not in manifest.columns]
    if missing:
        raise MuraError(f"{file}: manifest lacks column(s) {', '.join(missing)}")
    from mura_core.data.sources import open_data

    base = open_data(root).base
    for path in manifest["path"]:
        normal = posixpath.normpath(path.replace("\\", "/"))
        if not path or posixpath.isabs(normal) or normal.split("/")[0] == "..":
            raise MuraError(f"{file}: bad path in manifest ({path!r} leaves the data root)")
    splits = ["valid" if subset == "test" else "train" for subset in manifest["subset"]]
    frame = pd.DataFrame(
        {
            "path": [str(base.joinpath(*path.split("/"))) for path in manifest["path"]],
            "split": splits,
            "body_part": manifest["body_part"],
            "patient": manifest["patient"],
            "study": manifest["study"],
            "label": manifest["label"].astype("int64"),
            "relpath": manifest["path"],
        }
    )
    subsets = {name: frame[manifest["subset"] == name].reset_index(drop=True) for name in SUBSETS}
    return DataSplit(**subsets, seed=None, validation_fraction=None)
