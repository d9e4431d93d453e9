"""An ensemble's ``split.csv``: its members' training and validation rows, and the test
set (MURA ``valid``) of every body part the ensemble covers; and the fingerprint of those
images (``fingerprint.tsv``), as its members recorded them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from mura_core.data.split import DataSplit
    from mura_core.ensembles.loading import LoadedEnsemble
    from mura_core.training.context import TrainConfig

__all__ = ["write_ensemble_split"]


def write_ensemble_split(loaded: LoadedEnsemble, config: TrainConfig) -> bool:
    """Write the ensemble's split manifest; ``False`` when its members have none."""
    from mura_core.data.split import DataSplit, read_manifest, split_by_patient

    data = config.data()
    manifests = [
        read_manifest(member.folder.split, data)
        for member in loaded.members.values()
        if member.folder.split.exists()
    ]
    if not manifests:
        return False
    parts = sorted({member.body_part for member in loaded.specs if member.body_part}) or None
    frame = data.load(body_parts=parts).frame
    test = split_by_patient(
        frame, validation_fraction=config.validation_fraction, seed=config.seed
    ).test

    def union(subset: str) -> pd.DataFrame:
        rows = pd.concat([getattr(split, subset) for split in manifests], ignore_index=True)
        return rows.drop_duplicates("path").reset_index(drop=True)

    split = DataSplit(
        train=union("train"),
        validation=union("validation"),
        test=test,
        seed=config.seed,
        validation_fraction=config.validation_fraction,
    )
    split.write_manifest(loaded.folder.split)
    _write_fingerprint(loaded, split)
    return True


def _write_fingerprint(loaded: LoadedEnsemble, split: DataSplit) -> None:
    """The fingerprint of the ensemble's split: each image as its members recorded it
    when their training started, else as the ensemble first recorded it, else now."""
    from mura_core.data.fingerprint import (
        fingerprint_split,
        merge_fingerprints,
        read_fingerprint,
        write_fingerprint,
    )

    members = [read_fingerprint(member.folder.fingerprint) for member in loaded.members.values()]
    now = fingerprint_split(split)
    known = merge_fingerprints(*members, read_fingerprint(loaded.folder.fingerprint), now)
    table = now[["subset", "path"]].merge(known, on=["subset", "path"], how="left")
    write_fingerprint(table, loaded.folder.fingerprint)
