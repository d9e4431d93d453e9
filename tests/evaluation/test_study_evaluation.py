"""Study aggregation and image/study scores, checked against hand computations."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score, roc_auc_score

from mura_core.errors import MuraError
from mura_core.evaluation import (
    Evaluation,
    aggregate_studies,
    evaluate_predictions,
    markdown_table,
    plot_roc,
    reference_table,
    score_binary,
    scores_table,
)

# Four studies, two body parts. Hand computation of the study probabilities:
#   s1 (abnormal): (0.9 + 0.7 + 0.2) / 3 = 0.6   -> predicted abnormal (correct)
#   s2 (normal):   (0.4 + 0.9) / 2       = 0.65  -> predicted abnormal (wrong)
#   s3 (normal):   0.1                   = 0.1   -> predicted normal (correct)
#   s4 (abnormal): (0.5 + 0.5) / 2       = 0.5   -> predicted normal (wrong: not > 0.5)
IMAGES = pd.DataFrame(
    {
        "path": [f"img{i}.png" for i in range(8)],
        "study": ["s1", "s1", "s1", "s2", "s2", "s3", "s4", "s4"],
        "body_part": ["XR_WRIST"] * 5 + ["XR_HAND"] * 3,
        "label": [1, 1, 1, 0, 0, 0, 1, 1],
        "probability": [0.9, 0.7, 0.2, 0.4, 0.9, 0.1, 0.5, 0.5],
    }
)


def test_study_probability_is_mean_of_images():
    studies = aggregate_studies(IMAGES).set_index("study")
    assert list(studies.index) == ["s1", "s2", "s3", "s4"]
    np.testing.assert_allclose(studies["probability"], [0.6, 0.65, 0.1, 0.5])
    assert list(studies["prediction"]) == [1, 1, 0, 0]
    assert list(studies["label"]) == [1, 0, 0, 1]
    assert list(studies["images"]) == [3, 2, 1, 2]
    assert list(studies["body_part"]) == ["XR_WRIST", "XR_WRIST", "XR_HAND", "XR_HAND"]


def test_study_with_conflicting_labels_is_an_error():
    broken = IMAGES.copy()
    broken.loc[0, "label"] = 0
    with pytest.raises(MuraError, match="s1"):
        aggregate_studies(broken)


def test_study_scores_match_hand_computation():
    evaluation = evaluate_predictions(IMAGES, resamples=200)
    study = evaluation.study
    # Confusion from the table above: tp = s1, fp = s2, tn = s3, fn = s4.
    assert (study.tn, study.fp, study.fn, study.tp) == (1, 1, 1, 1)
    assert study.accuracy == pytest.approx(0.5)
    assert study.kappa == pytest.approx(0.0)
    assert study.sensitivity == pytest.approx(0.5)
    assert study.specificity == pytest.approx(0.5)
    # Positive/negative pairs ranked correctly: (s1, s3) and (s4, s3) of four.
    assert study.auc == pytest.approx(0.5)
    assert math.isnan(study.loss)
    assert study.count == 4


def test_image_scores_match_sklearn_and_hand_loss():
    image = evaluate_predictions(IMAGES, resamples=0).image
    labels = IMAGES["label"].to_numpy()
    probabilities = IMAGES["probability"].to_numpy()
    expected_loss = -np.mean(
        labels * np.log(probabilities) + (1 - labels) * np.log(1 - probabilities)
    )
    assert image.loss == pytest.approx(expected_loss)
    assert image.kappa == pytest.approx(cohen_kappa_score(labels, probabilities > 0.5))
    assert image.auc == pytest.approx(roc_auc_score(labels, probabilities))
    assert image.confusion_matrix == [[2, 1], [3, 2]]
    assert math.isnan(image.kappa_low)


def test_by_body_part_is_scored_separately():
    evaluation = evaluate_predictions(IMAGES, resamples=100)
    assert set(evaluation.by_body_part) == {"XR_HAND", "XR_WRIST"}
    wrist = evaluation.by_body_part["XR_WRIST"]["study"]
    assert (wrist.tn, wrist.fp, wrist.fn, wrist.tp) == (0, 1, 0, 1)
    hand = evaluation.by_body_part["XR_HAND"]["image"]
    assert hand.count == 3
    assert hand.specificity == pytest.approx(1.0)
    assert hand.sensitivity == pytest.approx(0.0)


def test_bootstrap_interval_contains_kappa_and_is_reproducible():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 400)
    probabilities = np.clip(0.4 * labels + rng.uniform(0, 0.6, 400), 0, 1)
    first = score_binary(labels, probabilities, resamples=500, seed=3)
    second = score_binary(labels, probabilities, resamples=500, seed=3)
    assert first.kappa_low < first.kappa < first.kappa_high
    assert first.kappa_high - first.kappa_low < 0.3
    assert (first.kappa_low, first.kappa_high) == (second.kappa_low, second.kappa_high)


def test_single_class_gives_undefined_auc_not_a_crash():
    scores = score_binary(np.zeros(5), np.array([0.1, 0.2, 0.7, 0.3, 0.4]), resamples=20)
    assert math.isnan(scores.auc)
    assert math.isnan(scores.sensitivity)
    assert scores.specificity == pytest.approx(0.8)


def test_json_shape_and_tsv_round_trip(tmp_path):
    evaluation = evaluate_predictions(IMAGES, resamples=50)
    payload = json.loads(json.dumps(evaluation.to_dict()))
    for level in ("image", "study"):
        for key in ("auc", "accuracy", "kappa", "sensitivity", "specificity"):
            assert key in payload[level]
    assert "loss" in payload["image"]
    assert payload["study"]["loss"] is None
    assert set(payload["by_body_part"]["XR_WRIST"]) == {"image", "study"}
    path = evaluation.write_tsv(tmp_path / "evaluation.tsv")
    restored = Evaluation.read_tsv(path)
    assert restored.study.kappa == pytest.approx(evaluation.study.kappa)
    assert restored.image.loss == pytest.approx(evaluation.image.loss, abs=1e-6)
    assert (
        restored.by_body_part["XR_HAND"]["study"].tp
        == evaluation.by_body_part["XR_HAND"]["study"].tp
    )


def test_bad_predictions_are_user_errors():
    with pytest.raises(MuraError, match="label"):
        evaluate_predictions(IMAGES.drop(columns="label"))
    with pytest.raises(MuraError, match="no predictions"):
        evaluate_predictions(IMAGES.iloc[:0])
    nan = IMAGES.copy()
    nan.loc[0, "probability"] = float("nan")
    with pytest.raises(MuraError, match="NaN"):
        evaluate_predictions(nan)


def test_tables_and_roc_figure(tmp_path):
    evaluation = evaluate_predictions(IMAGES, resamples=50)
    table = scores_table(evaluation)
    assert table.splitlines()[0].split()[:3] == ["body", "part", "level"]
    assert sum(line.startswith("XR_WRIST") for line in table.splitlines()) == 2
    reference = reference_table(evaluation, name="demo")
    assert "MURA paper: DenseNet-169, ensemble of 5" in reference
    assert "0.705" in reference
    assert any(line.startswith("demo") and "study" in line for line in reference.splitlines())
    png = plot_roc(IMAGES, tmp_path / "roc.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_markdown_table_escapes_pipes_and_aligns_numbers():
    table = markdown_table([["a|b", 0.5, None], ["c", float("nan"), 3]], ["name", "x", "n"])
    assert table.splitlines() == [
        "| name | x | n |",
        "|---|---:|---:|",
        "| a\\|b | 0.500 | - |",
        "| c | - | 3 |",
    ]


def test_kappa_of_a_single_class_everywhere_is_undefined_not_zero():
    scores = score_binary(np.zeros(6), np.full(6, 0.2), resamples=50)
    assert scores.accuracy == pytest.approx(1.0)
    assert math.isnan(scores.kappa)
    assert math.isnan(scores.kappa_low) and math.isnan(scores.kappa_high)
    assert scores.to_dict()["kappa"] is None
    normal = evaluate_predictions(IMAGES.assign(label=0, probability=0.2), resamples=20)
    assert math.isnan(normal.study.kappa)
    assert math.isnan(normal.by_body_part["XR_HAND"]["image"].kappa)
