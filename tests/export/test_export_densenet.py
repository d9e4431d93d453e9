"""A small DenseNet (no pretrained weights, one epoch on a few images) exported once per
format: parity within each format's tolerance, and each artifact runs without this
package."""

from __future__ import annotations

import numpy as np
import pytest

from mura_core.export.formats import TOLERANCES
from tests.export.clean_process import run_in_clean_process

DENSENET = "densenet121_in.32.32.3_p.max"
FORMATS = ("savedmodel", "onnx", "tflite")


@pytest.fixture(scope="module")
def densenet(mura_root, tmp_path_factory):
    from mura_core.runs import load_run
    from mura_core.training.runner import train

    out = tmp_path_factory.mktemp("densenet-runs")
    result = train(DENSENET, mura_root, out=out, epochs=1, batch_size=16, limit=32,
                   pretrained="none", evaluate=False, verbose=0)  # fmt: skip
    return load_run(result.run.folder.path)


@pytest.fixture(scope="module")
def exported(densenet, tmp_path_factory):
    from mura_core.export.exporting import export_run

    output = tmp_path_factory.mktemp("densenet-export")
    return output, {f: export_run(densenet, f, output, parity_images=16) for f in FORMATS}


@pytest.mark.parametrize("format", FORMATS)
def test_densenet_export_is_within_tolerance_and_runs_alone(
    densenet, exported, mura_root, tmp_path, format
):
    from mura_core.data.pipeline import decoded_dataset
    from mura_core.inference import predict_frame, subset_frame

    output, results = exported
    assert results[format].parity.passed
    assert results[format].parity.max_abs_difference <= TOLERANCES[format]
    rows = subset_frame(densenet.folder, mura_root, "test").iloc[:8]
    images = np.stack([image for image, _ in decoded_dataset(
        rows, image_size=(32, 32), channels=1, grayscale=True).as_numpy_iterator()])  # fmt: skip
    expected = predict_frame(densenet.model, rows, densenet.name)["probability"].to_numpy()
    out = run_in_clean_process(output, format, images, tmp_path)
    assert np.max(np.abs(out - expected)) <= TOLERANCES[format]


@pytest.mark.parametrize("format", FORMATS)
def test_every_densenet_operation_is_on_the_allow_list(exported, format):
    from tests.export.exported_ops import unlisted_ops

    _, results = exported
    assert unlisted_ops(format, results[format].path) == set()
