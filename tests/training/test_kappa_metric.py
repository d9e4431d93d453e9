"""The streaming Cohen's kappa metric agrees with scikit-learn."""

from __future__ import annotations

import math
import warnings

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from mura_core.metrics import CohenKappa, kappa_from_confusion


def streamed_kappa(y_true, y_prob, batch_size: int = 7, sample_weight=None) -> float:
    metric = CohenKappa()
    for start in range(0, len(y_true), batch_size):
        stop = start + batch_size
        weight = None if sample_weight is None else sample_weight[start:stop]
        metric.update_state(y_true[start:stop], y_prob[start:stop], sample_weight=weight)
    return float(metric.result())


def sklearn_kappa(y_true, y_prob, sample_weight=None) -> float:
    return cohen_kappa_score(
        np.asarray(y_true) > 0.5, np.asarray(y_prob) > 0.5, sample_weight=sample_weight
    )


def test_random_predictions_match_sklearn():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, 500).astype("float32")
    # Informative but noisy probabilities, so kappa is clearly positive.
    y_prob = np.clip(0.35 * y_true + rng.uniform(0, 0.65, 500), 0, 1).astype("float32")
    expected = sklearn_kappa(y_true, y_prob)
    assert 0.2 < expected < 0.9
    assert streamed_kappa(y_true, y_prob) == pytest.approx(expected, abs=1e-5)


def test_all_labels_one_class_matches_sklearn():
    rng = np.random.default_rng(1)
    y_true = np.ones(100, dtype="float32")
    y_prob = rng.uniform(0, 1, 100).astype("float32")
    expected = sklearn_kappa(y_true, y_prob)
    assert streamed_kappa(y_true, y_prob) == pytest.approx(expected, abs=1e-6)


def test_perfect_agreement_is_one():
    y_true = np.array([0, 1, 1, 0, 1, 0, 0, 1], dtype="float32")
    y_prob = np.where(y_true > 0, 0.9, 0.1).astype("float32")
    assert sklearn_kappa(y_true, y_prob) == pytest.approx(1.0)
    assert streamed_kappa(y_true, y_prob, batch_size=3) == pytest.approx(1.0)


def test_inverted_predictions_are_minus_one():
    y_true = np.array([0, 1, 1, 0, 1, 0, 0, 1], dtype="float32")
    y_prob = np.where(y_true > 0, 0.1, 0.9).astype("float32")
    assert sklearn_kappa(y_true, y_prob) == pytest.approx(-1.0)
    assert streamed_kappa(y_true, y_prob) == pytest.approx(-1.0)


def test_undefined_kappa_is_zero_where_sklearn_is_nan():
    y_true = np.ones(10, dtype="float32")
    y_prob = np.full(10, 0.9, dtype="float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert math.isnan(sklearn_kappa(y_true, y_prob))
    assert streamed_kappa(y_true, y_prob) == 0.0
    assert float(CohenKappa().result()) == 0.0


def test_threshold_is_strictly_greater_than_half():
    metric = CohenKappa()
    metric.update_state([0.0, 1.0], [0.5, 0.51])
    assert float(metric.result()) == pytest.approx(1.0)


def test_sample_weights_match_sklearn():
    rng = np.random.default_rng(2)
    y_true = rng.integers(0, 2, 200).astype("float32")
    y_prob = rng.uniform(0, 1, 200).astype("float32")
    weight = rng.uniform(0.1, 3.0, 200).astype("float32")
    expected = sklearn_kappa(y_true, y_prob, sample_weight=weight)
    assert streamed_kappa(y_true, y_prob, sample_weight=weight) == pytest.approx(expected, abs=1e-5)


def test_column_shaped_inputs_and_reset():
    metric = CohenKappa()
    metric.update_state(np.array([[0.0], [1.0]]), np.array([[0.9], [0.1]]))
    assert float(metric.result()) == pytest.approx(-1.0)
    metric.reset_state()
    np.testing.assert_array_equal(np.asarray(metric.confusion), np.zeros(4))


@settings(max_examples=40, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(st.integers(0, 1), st.floats(0, 1, allow_nan=False)), min_size=1, max_size=60
    )
)
def test_property_matches_sklearn_or_zero_when_undefined(pairs):
    y_true = np.array([label for label, _ in pairs], dtype="float32")
    y_prob = np.array([prob for _, prob in pairs], dtype="float32")
    actual = y_true > 0.5
    predicted = y_prob > 0.5
    tn = float(np.sum(~actual & ~predicted))
    fp = float(np.sum(~actual & predicted))
    fn = float(np.sum(actual & ~predicted))
    tp = float(np.sum(actual & predicted))
    streamed = streamed_kappa(y_true, y_prob, batch_size=5)
    assert streamed == pytest.approx(kappa_from_confusion(tn, fp, fn, tp), abs=1e-5)
    if len(set(actual) | set(predicted)) > 1:
        assert streamed == pytest.approx(cohen_kappa_score(actual, predicted), abs=1e-5)


def test_config_round_trip():
    metric = CohenKappa(name="val_kappa_custom", threshold=0.3)
    clone = CohenKappa.from_config(metric.get_config())
    assert clone.name == "val_kappa_custom"
    assert clone.threshold == pytest.approx(0.3)
    restored = keras.metrics.deserialize(keras.metrics.serialize(metric))
    assert isinstance(restored, CohenKappa)
    assert restored.threshold == pytest.approx(0.3)


@pytest.mark.parametrize("jit_compile", [False, True], ids=["graph", "xla"])
def test_inside_compiled_evaluate_matches_sklearn(jit_compile):
    rng = np.random.default_rng(3)
    features = rng.normal(size=(96, 4)).astype("float32")
    labels = (features[:, 0] + 0.5 * rng.normal(size=96) > 0).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", metrics=[CohenKappa()], jit_compile=jit_compile)
    scores = model.evaluate(features, labels, batch_size=16, verbose=0, return_dict=True)
    probabilities = model.predict(features, batch_size=16, verbose=0).ravel()
    assert scores["kappa"] == pytest.approx(sklearn_kappa(labels, probabilities), abs=1e-5)
