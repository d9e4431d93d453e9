from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from mura_core.data.layout import BODY_PARTS
from mura_core.data.loader import load_mura
from mura_core.data.synth import ABNORMALITIES_COLUMNS, ABNORMALITIES_CSV, synthesize, writer
from mura_core.errors import MuraError

from .data_helpers import SYNTH_SEED, SYNTH_STUDIES


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(file.relative_to(root)): hashlib.sha256(file.read_bytes()).hexdigest()
        for file in sorted(root.rglob("*"))
        if file.is_file()
    }


def test_same_seed_is_byte_identical(synth_root: Path, tmp_path: Path):
    synthesize(tmp_path, studies=SYNTH_STUDIES, seed=SYNTH_SEED, min_side=40, max_side=96)
    assert tree_digest(tmp_path) == tree_digest(synth_root)


def test_another_seed_differs(synth_root: Path, tmp_path: Path):
    synthesize(tmp_path, studies=SYNTH_STUDIES, seed=SYNTH_SEED + 1, min_side=40, max_side=96)
    assert tree_digest(tmp_path) != tree_digest(synth_root)


def test_worker_processes_write_the_same_bytes(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(writer, "IN_PROCESS_IMAGES", 0)  # even a small tree goes to workers
    options = dict(studies=16, seed=3, min_side=24, max_side=40, difficulty="hard",
                   label_noise=0.25)  # fmt: skip
    synthesize(tmp_path / "one", workers=1, **options)
    synthesize(tmp_path / "two", workers=2, **options)
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


def test_layout_is_mura(synth_root: Path):
    data = load_mura(synth_root, check="full")
    frame = data.frame
    assert not data.problems
    assert data.sources == {"train": "csv", "valid": "csv"}
    assert frame["study"].nunique() == SYNTH_STUDIES
    for split in ("train", "valid"):
        assert set(frame[frame["split"] == split]["body_part"]) == set(BODY_PARTS)
    assert not set(frame[frame["split"] == "train"]["patient"]) & set(
        frame[frame["split"] == "valid"]["patient"]
    )
    per_study = frame.groupby("study").size()
    assert per_study.between(1, 3).all() and per_study.nunique() > 1
    assert (frame.groupby("patient")["study"].nunique() > 1).any()
    assert set(frame["label"]) == {0, 1}
    longest = frame[["width", "height"]].max(axis=1)
    assert longest.max() <= 96 and longest.min() >= 40 and longest.nunique() > 5
    assert {"L", "RGB"} <= set(frame["mode"])


def test_easy_shows_the_finding_in_every_view_of_an_abnormal_study(synth_root: Path):
    frame = load_mura(synth_root).frame.set_index("relpath")
    boxes = pd.read_csv(synth_root / "MURA-v1.1" / ABNORMALITIES_CSV)
    assert tuple(boxes.columns) == ABNORMALITIES_COLUMNS
    assert sorted(boxes["path"]) == sorted(frame[frame["label"] == 1].index)
    for row in boxes.itertuples():
        height, width = np.asarray(Image.open(synth_root / row.path)).shape[:2]
        assert 0 <= row.x_min < row.x_max <= width and 0 <= row.y_min < row.y_max <= height
        if row.kind == "hardware":  # metal is saturated
            image = np.asarray(Image.open(synth_root / row.path).convert("L"))
            assert image[row.y_min : row.y_max, row.x_min : row.x_max].max() >= 235


def test_refuses_to_overwrite(synth_root: Path, tmp_path: Path):
    with pytest.raises(MuraError, match="already exists"):
        synthesize(synth_root, studies=3)
    synthesize(tmp_path, studies=3, max_side=32, min_side=16)
    synthesize(tmp_path, studies=4, max_side=32, min_side=16, overwrite=True)
    assert len(load_mura(tmp_path).frame["study"].unique()) == 4
    foreign = tmp_path / "other" / "MURA-v1.1"
    foreign.mkdir(parents=True)
    with pytest.raises(MuraError, match="not written by mura synth"):
        synthesize(tmp_path / "other", overwrite=True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"studies": 0}, "at least 1"),
        ({"valid_fraction": 1.0}, "valid fraction"),
        ({"min_side": 8}, "image sides"),
        ({"min_side": 99, "max_side": 98}, "image sides"),
        ({"difficulty": "extreme"}, "easy, medium, hard or a number"),
        ({"difficulty": 1.5}, r"in \[0, 1\]"),
        ({"label_noise": 0.6}, "label noise"),
        ({"workers": 0}, "workers"),
    ],
)
def test_invalid_arguments(tmp_path: Path, kwargs: dict, message: str):
    with pytest.raises(MuraError, match=message) as error:
        synthesize(tmp_path, **kwargs)
    assert "\n" not in str(error.value)
    assert not (tmp_path / "MURA-v1.1").exists()
