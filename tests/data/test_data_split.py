from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mura_core.data.layout import BODY_PARTS
from mura_core.data.loader import load_mura
from mura_core.data.split import MANIFEST_COLUMNS, read_manifest, split_by_patient
from mura_core.errors import MuraError


def synthetic_frame(patients: int = 1500, seed: int = 0) -> pd.DataFrame:
    """A frame (no files) with MURA-like structure: 1-3 studies per patient, 1-4 images."""
    rng = np.random.default_rng(seed)
    rows = []
    for index in range(patients):
        split = "valid" if index >= patients * 0.9 else "train"
        patient = f"patient{index:05d}"
        part = BODY_PARTS[int(rng.integers(7))]
        for number in range(1, int(rng.integers(1, 4)) + 1):
            label = int(rng.random() < 0.4)
            study = f"MURA-v1.1/{split}/{part}/{patient}/study{number}_{'pn'[label]}"
            for image in range(1, int(rng.integers(1, 5)) + 1):
                path = f"{study}/image{image}.png"
                rows.append((path, split, part, patient, study, label, path))
    columns = ["path", "split", "body_part", "patient", "study", "label", "relpath"]
    return pd.DataFrame(rows, columns=columns)


FRAME = synthetic_frame()


def test_no_patient_in_two_subsets():
    split = split_by_patient(FRAME, seed=3)
    sets = [set(frame["patient"]) for frame in split.subsets.values()]
    assert not sets[0] & sets[1] and not sets[0] & sets[2] and not sets[1] & sets[2]


def test_subsets_partition_the_rows():
    split = split_by_patient(FRAME)
    assert split.test["relpath"].tolist() == FRAME[FRAME["split"] == "valid"]["relpath"].tolist()
    pool = FRAME[FRAME["split"] == "train"]
    rejoined = pd.concat([split.train, split.validation])["relpath"]
    assert sorted(rejoined) == sorted(pool["relpath"])
    # each subset keeps the input order
    order = {path: i for i, path in enumerate(FRAME["relpath"])}
    for frame in split.subsets.values():
        positions = [order[path] for path in frame["relpath"]]
        assert positions == sorted(positions)


@pytest.mark.parametrize("fraction", [0.1, 0.2, 0.3])
def test_fraction_and_stratification(fraction: float):
    split = split_by_patient(FRAME, validation_fraction=fraction, seed=1)
    pool = FRAME[FRAME["split"] == "train"]
    assert len(split.validation) / len(pool) == pytest.approx(fraction, abs=0.02)
    whole = pool.groupby(["body_part", "label"]).size()
    validation = split.validation.groupby(["body_part", "label"]).size()
    shares = (validation / whole).fillna(0.0)
    assert shares.between(fraction - 0.08, fraction + 0.08).all(), shares


def test_split_is_deterministic_and_independent_of_row_order():
    a = split_by_patient(FRAME, seed=5)
    shuffled = FRAME.sample(frac=1.0, random_state=0).reset_index(drop=True)
    b = split_by_patient(shuffled, seed=5)
    assert set(a.validation["relpath"]) == set(b.validation["relpath"])
    assert a.manifest_hash() == split_by_patient(FRAME, seed=5).manifest_hash()
    c = split_by_patient(FRAME, seed=6)
    assert set(a.validation["patient"]) != set(c.validation["patient"])


def test_zero_fraction_gives_empty_validation():
    split = split_by_patient(FRAME, validation_fraction=0.0)
    assert split.validation.empty
    assert len(split.train) == (FRAME["split"] == "train").sum()


def test_invalid_fraction_and_shared_patients():
    with pytest.raises(ValueError):
        split_by_patient(FRAME, validation_fraction=1.0)
    leaky = FRAME.copy()
    leaky.loc[leaky.index[-1], "patient"] = leaky["patient"].iloc[0]
    with pytest.raises(MuraError, match="both train and valid"):
        split_by_patient(leaky)


def test_manifest_round_trip(synth_root: Path, tmp_path: Path):
    data = load_mura(synth_root)
    split = split_by_patient(data.frame, seed=2)
    file = tmp_path / "runs" / "split.csv"
    digest = split.write_manifest(file)
    assert digest == hashlib.sha256(file.read_bytes()).hexdigest() == split.manifest_hash()
    assert (tmp_path / "runs" / "split.csv.sha256").read_text() == f"{digest}  split.csv\n"
    manifest = pd.read_csv(file)
    assert tuple(manifest.columns) == MANIFEST_COLUMNS
    assert manifest["path"].str.startswith("MURA-v1.1/").all()
    assert manifest["subset"].value_counts().to_dict() == {
        name: len(frame) for name, frame in split.subsets.items() if len(frame)
    }
    again = read_manifest(file, synth_root)
    for name, frame in split.subsets.items():
        assert again.subsets[name]["path"].tolist() == frame["path"].tolist()
        assert again.subsets[name]["label"].tolist() == frame["label"].tolist()
    assert again.manifest_hash() == digest


def test_manifest_hash_does_not_depend_on_where_the_data_lives(synth_root: Path, mura: Path):
    a = split_by_patient(load_mura(synth_root).frame).manifest_hash()
    b = split_by_patient(load_mura(mura).frame).manifest_hash()
    assert a == b


def test_tampered_manifest_is_refused(synth_root: Path, tmp_path: Path):
    split = split_by_patient(load_mura(synth_root).frame)
    file = tmp_path / "split.csv"
    split.write_manifest(file)
    file.write_bytes(file.read_bytes().replace(b",train\n", b",validation\n", 1))
    with pytest.raises(MuraError, match="does not match"):
        read_manifest(file, synth_root)
