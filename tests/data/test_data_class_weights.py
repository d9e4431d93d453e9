from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mura_core.data.class_weights import (
    class_weights,
    class_weights_by_body_part,
    sample_weights,
)

FRAME = pd.DataFrame(
    {
        "body_part": ["XR_HAND"] * 4 + ["XR_WRIST"] * 6,
        "label": [1, 0, 0, 0, 1, 1, 1, 0, 0, 0],
    }
)


def test_balanced_matches_sklearn():
    from sklearn.utils.class_weight import compute_class_weight

    expected = compute_class_weight("balanced", classes=np.array([0, 1]), y=FRAME["label"])
    weights = class_weights(FRAME)
    assert weights == pytest.approx({0: expected[0], 1: expected[1]})
    assert all(type(value) is float for value in weights.values())


def test_per_body_part():
    tables = class_weights_by_body_part(FRAME)
    assert tables["XR_HAND"] == pytest.approx({0: 4 / 6, 1: 4 / 2})
    assert tables["XR_WRIST"] == pytest.approx({0: 1.0, 1: 1.0})


@pytest.mark.parametrize("weighting", ["balanced", "body_part"])
def test_sample_weights_balance_classes_and_keep_the_scale(weighting: str):
    weights = sample_weights(FRAME, weighting)
    assert weights.dtype == np.float32 and weights.shape == (len(FRAME),)
    assert weights.mean() == pytest.approx(1.0)
    groups = ["label"] if weighting == "balanced" else ["body_part", "label"]
    totals = pd.Series(weights).groupby([FRAME[g] for g in groups]).sum()
    if weighting == "balanced":
        assert totals[0] == pytest.approx(totals[1])
    else:
        for part in ("XR_HAND", "XR_WRIST"):
            assert totals[(part, 0)] == pytest.approx(totals[(part, 1)])


def test_errors_and_single_class():
    with pytest.raises(ValueError, match="unknown weighting"):
        sample_weights(FRAME, "median")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        class_weights(FRAME.iloc[0:0])
    assert class_weights(FRAME[FRAME["label"] == 0]) == {0: 0.5, 1: 1.0}
