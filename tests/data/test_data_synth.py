from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from mura_core.data.layout import BODY_PARTS
from mura_core.data.loader import load_mura
from mura_core.data.synth import ABNORMALITIES_COLUMNS, ABNORMALITIES_CSV, synthesize
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


def test_abnormality_boxes_mark_bright_implants(synth_root: Path):
    frame = load_mura(synth_root).frame.set_index("relpath")
    boxes = pd.read_csv(synth_root / "MURA-v1.1" / ABNORMALITIES_CSV)
    assert tuple(boxes.columns) == ABNORMALITIES_COLUMNS
    positives = frame[frame["label"] == 1]
    assert sorted(boxes["path"]) == sorted(positives.index)
    for row in boxes.itertuples():
        image = np.asarray(Image.open(synth_root / row.path))
        height, width = image.shape[:2]
        assert 0 <= row.x_min < row.x_max <= width and 0 <= row.y_min < row.y_max <= height
        inside = image[row.y_min : row.y_max, row.x_min : row.x_max]
        assert inside.max() >= 235
    for path in frame[frame["label"] == 0].index:
        assert np.asarray(Image.open(synth_root / path)).max() < 235


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
    "kwargs",
    [{"studies": 0}, {"valid_fraction": 1.0}, {"min_side": 8}, {"min_side": 99, "max_side": 98}],
)
def test_invalid_arguments(tmp_path: Path, kwargs: dict):
    with pytest.raises(MuraError):
        synthesize(tmp_path, **kwargs)
