"""What makes the synthetic data measure something: anatomy per body part, the mix of
findings, views without findings, label noise and the ceiling, difficulty."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score
from sklearn.model_selection import cross_val_score

from mura_core.data.layout import BODY_PARTS
from mura_core.data.loader import load_mura
from mura_core.data.synth import (
    ABNORMALITIES_CSV,
    DATASET_JSON,
    DIFFICULTY_NAMES,
    DIFFICULTY_POINTS,
    FINDING_KINDS,
    FINDING_MIX,
    TRUE_LABELS_CSV,
    subset_ceiling,
    synthesize,
)
from mura_core.data.synth.difficulty import difficulty
from mura_core.data.synth.plan import flip_labels, plan_studies
from mura_core.data.synth.render import encode_png, render_view

NOISY = dict(studies=60, seed=5, min_side=32, max_side=48, difficulty="medium",
             label_noise=0.15)  # fmt: skip


@pytest.fixture(scope="module")
def noisy(tmp_path_factory) -> Path:
    """A medium tree with 15% label noise: the folder holding ``MURA-v1.1``."""
    out = tmp_path_factory.mktemp("noisy")
    synthesize(out, **NOISY)
    return out


def read(root: Path, name: str) -> list[list[str]]:
    with (root / "MURA-v1.1" / name).open(newline="") as handle:
        return list(csv.reader(handle))


def test_anatomy_tells_body_parts_apart():
    rng = np.random.default_rng(0)
    features, parts = [], []
    for part in BODY_PARTS:
        for _ in range(24):
            pixels, _ = render_view(part, None, difficulty("easy"), rng, 48, 64)
            thumbnail = np.asarray(Image.fromarray(pixels).resize((16, 16)), dtype=float)
            features.append(thumbnail.ravel() / 255)
            parts.append(part)
    accuracy = cross_val_score(LogisticRegression(max_iter=2000), features, parts, cv=4).mean()
    assert accuracy > 0.5  # chance is 1/7


def test_finding_mix_follows_the_table():
    assert set(FINDING_MIX) == set(BODY_PARTS)
    plan = plan_studies(20_000, 0.15, 0.0, 0, difficulty("easy"))
    for part in BODY_PARTS:
        kinds = [s.kind for s in plan if s.body_part == part and s.true_label]
        assert None not in kinds
        for kind, share in zip(FINDING_KINDS, FINDING_MIX[part]):
            tolerance = 4 * np.sqrt(share * (1 - share) / len(kinds))
            assert abs(kinds.count(kind) / len(kinds) - share) < tolerance, (part, kind)


def test_boxes_are_exactly_the_views_that_show_a_finding(noisy: Path):
    plan = flip_labels(plan_studies(60, 0.15, 0.1, 5, difficulty("medium")), 0.15, 5)
    shown = {
        f"{study.relpath}/image{number}.png": study.kind
        for study in plan
        for number, visible in enumerate(study.visible, start=1)
        if visible
    }
    boxes = pd.read_csv(noisy / "MURA-v1.1" / ABNORMALITIES_CSV)
    assert dict(zip(boxes["path"], boxes["kind"])) == shown
    abnormal = [s for s in plan if s.true_label]
    assert any(not all(s.visible) for s in abnormal) and all(any(s.visible) for s in abnormal)
    assert not any(any(s.visible) for s in plan if not s.true_label)
    assert set(boxes["kind"]) <= set(FINDING_KINDS)


def test_label_noise_flips_exactly_and_the_ceiling_is_exact(noisy: Path):
    true = {row[0]: int(row[1]) for row in read(noisy, TRUE_LABELS_CSV)[1:]}
    record = json.loads((noisy / "MURA-v1.1" / DATASET_JSON).read_text())
    medium = {"name": "medium", "value": DIFFICULTY_POINTS["medium"]}
    assert record["arguments"]["difficulty"] == medium
    for split in ("train", "valid"):
        rows = read(noisy, f"{split}_labeled_studies.csv")
        written = [int(label) for _, label in rows]
        truth = [true[study] for study, _ in rows]
        flipped = sum(w != t for w, t in zip(written, truth))
        assert flipped == round(0.15 * len(rows)) > 0
        for study, label in rows:  # the folder says what the CSV says
            assert study.rstrip("/").endswith("_positive" if label == "1" else "_negative")
        ceiling = record["ceiling"][split]
        assert ceiling["kappa"] == pytest.approx(cohen_kappa_score(written, truth))
        assert ceiling["accuracy"] == pytest.approx(1 - flipped / len(rows))
        counts = record["counts"][split]
        assert sum(part["flipped"] for part in counts.values()) == flipped
        assert sum(part["studies"] for part in counts.values()) == len(rows)
    data = load_mura(noisy, check="full")
    assert not data.problems
    valid = data.frame[data.frame["split"] == "valid"]
    computed = subset_ceiling(noisy, zip(valid["study"], valid["label"]))
    assert computed.kappa == pytest.approx(record["ceiling"]["valid"]["kappa"])


def test_no_ceiling_without_true_labels(noisy: Path, tmp_path: Path):
    (tmp_path / "MURA-v1.1").mkdir()
    for name in ("train_image_paths.csv", "valid_image_paths.csv"):
        (tmp_path / "MURA-v1.1" / name).write_text("")
    assert (
        subset_ceiling(tmp_path, [("MURA-v1.1/train/XR_HAND/patient1/study1_positive", 1)]) is None
    )
    assert subset_ceiling(noisy, [("MURA-v1.1/train/XR_HAND/nobody/study1_positive", 1)]) is None


def test_difficulty_names_are_points_on_the_scale():
    levels = [difficulty(name) for name in DIFFICULTY_NAMES]
    assert [level.value for level in levels] == sorted(DIFFICULTY_POINTS.values())
    assert difficulty("0.3").name is None and difficulty(DIFFICULTY_POINTS["hard"]).name == "hard"
    for easier, harder in zip(levels, levels[1:]):
        assert harder.size < easier.size and harder.contrast < easier.contrast
        assert harder.visibility < easier.visibility and harder.noise > easier.noise
    assert levels[0].visibility == 1.0  # easy: the finding in every view


def test_harder_studies_show_their_finding_in_fewer_views():
    def shown(name: str) -> float:
        plan = plan_studies(2000, 0.15, 0.0, 1, difficulty(name))
        views = [v for s in plan if s.true_label and len(s.visible) > 1 for v in s.visible]
        return float(np.mean(views))

    assert shown("easy") == 1.0 > shown("medium") > shown("hard") > 0.5


@pytest.mark.parametrize("shape", [(7, 5), (9, 4, 3)])
def test_png_encoder_round_trips(shape: tuple[int, ...]):
    pixels = np.random.default_rng(0).integers(0, 256, size=shape, dtype=np.uint8)
    decoded = np.asarray(Image.open(io.BytesIO(encode_png(pixels))))
    assert decoded.dtype == np.uint8 and np.array_equal(decoded, pixels)


def test_the_documented_mix_is_the_generators():
    text = (Path(__file__).resolve().parents[2] / "docs" / "data.rst").read_text()
    for part, shares in FINDING_MIX.items():
        cells = "".join(f"     - {share:.2f}\n" for share in shares)
        assert f"   * - {part}\n{cells}" in text


@pytest.mark.parametrize("level", ["easy", "hard"])
def test_every_kind_of_finding_is_drawn_in_every_body_part(level: str):
    rng = np.random.default_rng(1)
    for part in BODY_PARTS:
        for kind in FINDING_KINDS:
            pixels, box = render_view(part, kind, difficulty(level), rng, 64, 64)
            assert box is not None, (part, kind)
            x_min, y_min, x_max, y_max = box
            assert 0 <= x_min < x_max <= pixels.shape[1] and 0 <= y_min < y_max <= pixels.shape[0]
