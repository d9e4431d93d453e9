"""``mura calibrate`` on the shared trained run: fitted on its validation rows only, then
applied by ``predict``, ``evaluate`` and the exported graph."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from mura_core.cli import main


@pytest.fixture(scope="module")
def calibrated(trained, mura_root, tmp_path_factory):
    """A copy of the trained run, calibrated with ``--operating-point kappa``, and the
    image rows ``mura calibrate`` predicted."""
    import mura_core.inference.predictions as inference

    run = tmp_path_factory.mktemp("calibrated") / trained.run.folder.path.name
    shutil.copytree(trained.run.folder.path, run, ignore=shutil.ignore_patterns("tensorboard"))
    given, original = [], inference.predict_frame

    def recording(model, frame, name, **options):
        given.append(frame.copy())
        return original(model, frame, name, **options)

    inference.predict_frame = recording
    try:
        code = main(["calibrate", str(run), "--data", str(mura_root),
                     "--operating-point", "kappa", "--json"])  # fmt: skip
    finally:
        inference.predict_frame = original
    assert code == 0
    return run, pd.concat(given)


def test_calibration_is_fitted_on_the_validation_rows_only(calibrated, mura_root):
    from mura_core.data.sources import open_data
    from mura_core.data.split import read_manifest

    run, given = calibrated
    split = read_manifest(run / "split.csv", open_data(mura_root)).subsets
    assert sorted(given["path"]) == sorted(split["validation"]["path"])
    assert not set(given["path"]) & set(split["test"]["path"])
    record = json.loads((run / "calibration.json").read_text())
    assert record["fitted_on"] == {"subset": "validation", "images": len(given),
                                   "studies": given["study"].nunique()}  # fmt: skip
    assert record["operating_point"]["rule"] == "kappa"
    summary = json.loads((run / "run.json").read_text())["calibration"]
    assert summary["temperature"] == record["temperature"]
    assert summary["threshold"] == record["operating_point"]["threshold"]


def test_predict_submit_and_the_exported_graph_apply_it(calibrated, mura_root, capsys, tmp_path):
    from mura_core.calibration import apply_calibration, scaled_probabilities
    from mura_core.calibration.temperature import logits
    from mura_core.export.graph import serving_graph
    from mura_core.inference import subset_frame
    from mura_core.runs import load_run

    run, _ = calibrated
    record = json.loads((run / "calibration.json").read_text())
    temperature, threshold = record["temperature"], record["operating_point"]["threshold"]
    rows = subset_frame(load_run(run).folder, mura_root, "test").head(6)
    assert main(["predict", str(run), *rows["path"], "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["threshold"] == threshold and printed["temperature"] == temperature
    raw = load_run(run)
    raw_images = raw.model.predict(_inputs(raw, rows), verbose=0).reshape(-1)
    expected = scaled_probabilities(logits(raw_images), temperature)
    got = [image["probability"] for image in printed["images"]]
    np.testing.assert_allclose(got, expected, atol=1e-5)
    abnormal = {s["study"]: int(s["probability"] > threshold) for s in printed["studies"]}
    assert {s["study"]: int(s["prediction"] == "abnormal") for s in printed["studies"]} == abnormal
    table, output = tmp_path / "input.csv", tmp_path / "output.csv"
    table.write_text("".join(f"{path}\n" for path in rows["path"]))
    assert main(["submit", str(run), str(table), str(output)]) == 0
    submitted = pd.read_csv(output, header=None, names=["study", "label"])
    assert dict(zip(submitted["study"].str.rstrip("/"), submitted["label"])) == abnormal
    loaded = load_run(run)
    assert apply_calibration(loaded).temperature == temperature
    graph = serving_graph(loaded)
    images = _inputs(loaded, rows, uint8=True)
    folded = np.asarray(graph.model({"image": images})["probability"]).reshape(-1)
    np.testing.assert_allclose(folded, expected, atol=1e-5)


def _inputs(loaded, rows, uint8=False):
    """The rows' images as the model (or, ``uint8``, the serving graph) takes them."""
    from mura_core.data.pipeline import decoded_dataset, input_spec
    from mura_core.inference import inference_batches

    if not uint8:
        batches = inference_batches(loaded.parsed, rows, batch_size=len(rows))
        return next(iter(batches.map(lambda images, *rest: images)))
    size = input_spec(loaded.name).image_size
    decoded = decoded_dataset(rows, image_size=size, channels=1, grayscale=True)
    return np.stack([image for image, _ in decoded.as_numpy_iterator()])


def test_evaluate_prints_before_and_after_and_both_thresholds(calibrated, mura_root, capsys):
    run, _ = calibrated
    code = main(["evaluate", str(run), "--data", str(mura_root), "--resamples", "50",
                 "--plot", "--json"])  # fmt: skip
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    # one temperature keeps the order of the images (not of study means)
    assert printed["uncalibrated"]["image"]["auc"] == pytest.approx(printed["image"]["auc"])
    for level in ("image", "study"):
        assert {"brier", "ece"} <= set(printed[level]) and printed[level]["ece"] is not None
    points = printed["operating_points"]
    assert [p["threshold"] for p in points] == [0.5, printed["calibration"]["threshold"]]
    assert all(sum(map(sum, p["confusion_matrix"])) == printed["study"]["count"] for p in points)
    assert (run / "reliability.png").is_file()
    frame = pd.read_csv(run / "evaluation.tsv", sep="\t")
    assert {"brier", "ece"} <= set(frame.columns)
