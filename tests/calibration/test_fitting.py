"""Temperature scaling, the operating-point rules and the calibration figures, on
constructed logits and labels (no TensorFlow)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mura_core.calibration import OperatingRule, choose_threshold, read_calibration
from mura_core.calibration.fitting import fit_calibration
from mura_core.calibration.temperature import scaled_probabilities
from mura_core.errors import MuraError
from mura_core.evaluation import aggregate_studies, score_binary
from mura_core.evaluation.reliability import brier_score, expected_calibration_error


def noisy_studies(seed: int, studies: int = 600, noise: float = 0.1) -> pd.DataFrame:
    """Two images per study; a model whose logits separate the true labels (a study's
    spread shared by its images, plus each image's), made 4 times too confident, scored
    against labels of which ``noise`` are flipped."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, studies)
    labels = np.where(rng.random(studies) < noise, 1 - truth, truth)
    spread = rng.normal(0, 1.0, (studies, 1)) + rng.normal(0, 0.5, (studies, 2))
    logit = (2 * truth[:, None] - 1) + spread
    return pd.DataFrame({
        "study": np.repeat([f"{seed}-{i}" for i in range(studies)], 2),
        "label": np.repeat(labels, 2),
        "logit": 4.0 * logit.ravel(),  # over-confident
    })  # fmt: skip


def study_ece(rows: pd.DataFrame, temperature: float) -> float:
    studies = aggregate_studies(
        rows.assign(probability=scaled_probabilities(rows["logit"].to_numpy(), temperature))
    )
    return expected_calibration_error(studies["label"], studies["probability"])


def test_an_over_confident_model_is_softened_and_better_calibrated_on_unseen_studies():
    validation, test = noisy_studies(seed=1), noisy_studies(seed=2)
    fitted = fit_calibration(validation, None, weights="w.weights.h5")
    temperature = fitted.calibration.temperature
    assert temperature > 2
    assert fitted.ece_after < fitted.ece_before  # on the validation studies it was fitted on
    before, after = study_ece(test, 1.0), study_ece(test, temperature)
    assert after < before / 2, (before, after)
    assert fitted.calibration.fitted_on.studies == 600
    assert fitted.calibration.operating_point is None
    assert fitted.calibration.threshold == 0.5


def test_an_under_confident_model_gets_a_temperature_below_one():
    rows = noisy_studies(seed=3).assign(logit=lambda frame: frame["logit"] / 16)
    assert fit_calibration(rows, None, weights="w").calibration.temperature < 1


# Seven studies, sorted: 0.10 n, 0.20 n, 0.30 a, 0.32 a, 0.35 n, 0.60 a, 0.90 a.
# Candidates: 0.5 and the midpoints 0.15, 0.25, 0.31, 0.335, 0.475, 0.75 (and the ends).
# Kappa by hand: at 0.25 (tn 2, fp 1, fn 0, tp 4) observed 6/7, chance 26/49, kappa
# 0.696; at 0.475 or 0.5 (tn 3, fp 0, fn 2, tp 2) 0.462; at 0.335 (tn 2, fp 1, fn 2,
# tp 2) and 0.31 and 0.15 less.
LABELS = np.array([0, 0, 1, 1, 0, 1, 1])
PROBABILITIES = np.array([0.10, 0.20, 0.30, 0.32, 0.35, 0.60, 0.90])


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("kappa", 0.25),
        ("sensitivity=1", 0.25),  # the highest threshold keeping all four abnormal studies
        ("sensitivity=0.5", 0.5),  # 2 of 4 found: 0.5 is the highest below 0.60
        ("specificity=1", 0.475),  # the lowest threshold above every normal study (0.35)
        ("specificity=0.6", 0.25),  # 2 of 3 normal: the lowest above 0.20
    ],
)
def test_each_rule_chooses_the_threshold_known_by_hand(rule, expected):
    chosen = choose_threshold(LABELS, PROBABILITIES, OperatingRule.parse(rule))
    assert chosen == pytest.approx(expected)
    if rule == "kappa":
        scores = score_binary(LABELS, PROBABILITIES, resamples=0, threshold=chosen)
        assert (scores.tn, scores.fp, scores.fn, scores.tp) == (2, 1, 0, 4)
        assert scores.kappa == pytest.approx((6 / 7 - 26 / 49) / (1 - 26 / 49))


def test_a_kappa_tie_keeps_the_threshold_closest_to_one_half():
    assert choose_threshold([0, 1], [0.2, 0.8], OperatingRule("kappa")) == 0.5


@pytest.mark.parametrize("text", ["kapa", "sensitivity", "sensitivity=1.5", "specificity=x",
                                  "kappa=0.3"])  # fmt: skip
def test_a_malformed_rule_is_one_line_naming_it(text):
    with pytest.raises(MuraError, match="--operating-point") as error:
        OperatingRule.parse(text)
    assert "\n" not in str(error.value)


def test_brier_and_ece_match_hand_computation():
    labels, probabilities = np.array([0, 1, 1, 0]), np.array([0.1, 0.8, 0.85, 0.4])
    assert brier_score(labels, probabilities) == pytest.approx((0.01 + 0.04 + 0.0225 + 0.16) / 4)
    # bins: [0.1] gap 0.1, [0.4] gap 0.4, [0.8, 0.85] gap 1 - 0.825
    ece = (0.1 + 0.4 + 2 * 0.175) / 4
    assert expected_calibration_error(labels, probabilities) == pytest.approx(ece)
    scores = score_binary(labels, probabilities, resamples=0)
    assert (scores.brier, scores.ece) == (pytest.approx(0.058125), pytest.approx(ece))


def test_a_damaged_record_is_one_line_naming_the_field(tmp_path):
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({"temperature": -1, "weights": "w",
                                "fitted_on": {"subset": "validation", "images": 1,
                                              "studies": 1}}))  # fmt: skip
    with pytest.raises(MuraError, match="calibration.json: temperature") as error:
        read_calibration(path)
    assert "\n" not in str(error.value)
    assert read_calibration(tmp_path / "absent.json") is None
