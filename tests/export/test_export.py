"""``mura export`` on the tiny CNN: each format's parity, artifacts that load without this
package, refusals, and the record and model card beside the artifacts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mura_core.cli import main
from mura_core.export.formats import TOLERANCES
from tests.export.clean_process import run_in_clean_process

FORMATS = ("savedmodel", "onnx", "tflite")


@pytest.fixture(scope="module")
def loaded(trained):
    from mura_core.runs import load_run

    return load_run(trained.run.folder.path)


@pytest.fixture(scope="module")
def exported(loaded, tmp_path_factory):
    """The tiny CNN exported once in each format into one folder."""
    from mura_core.export.exporting import export_run

    output = tmp_path_factory.mktemp("export") / "cnn"
    results = {f: export_run(loaded, f, output) for f in FORMATS}
    return output, results


@pytest.fixture(scope="module")
def sample(loaded, trained):
    """Test-set images decoded as the artifacts take them, and the run's probabilities."""
    from mura_core.data.pipeline import decoded_dataset
    from mura_core.inference import predict_frame, subset_frame

    rows = subset_frame(loaded.folder, trained.run.config.data_root, "test")
    images = np.stack([image for image, _ in decoded_dataset(
        rows, image_size=(32, 32), channels=1, grayscale=True).as_numpy_iterator()])  # fmt: skip
    probabilities = predict_frame(loaded.model, rows, loaded.name)["probability"].to_numpy()
    return rows, images, probabilities


@pytest.mark.parametrize("format", FORMATS)
def test_each_format_is_within_its_tolerance(exported, format):
    output, results = exported
    parity = results[format].parity
    assert parity.passed and parity.max_abs_difference <= TOLERANCES[format]
    assert parity.images > 0 and parity.studies > 0
    assert parity.run_study_kappa == pytest.approx(parity.artifact_study_kappa)
    record = json.loads((output / "export.json").read_text())
    entry = record["artifacts"][format]
    assert record["run"] == results[format].run
    assert entry["inputs"] == [{"name": "image", "shape": [None, 32, 32, 1], "dtype": "uint8"}]
    assert entry["outputs"] == [{"name": "probability", "shape": [None], "dtype": "float32"}]
    assert entry["parity"]["max_abs_difference"] == parity.max_abs_difference
    assert (output / entry["file"]).exists()


@pytest.mark.parametrize("format", FORMATS)
def test_artifact_runs_in_a_process_without_this_package(exported, sample, tmp_path, format):
    output, _ = exported
    _, images, probabilities = sample
    out = run_in_clean_process(output, format, images, tmp_path)
    assert out.shape == probabilities.shape
    assert np.max(np.abs(out - probabilities)) <= TOLERANCES[format]


def test_int8_calibrated_tflite_is_within_its_tolerance(loaded, tmp_path):
    from mura_core.export.exporting import export_run

    result = export_run(loaded, "tflite", tmp_path / "int8", quantize="int8", card=False)
    assert result.parity.passed
    assert result.parity.max_abs_difference <= TOLERANCES["tflite+int8"]
    entry = json.loads((tmp_path / "int8" / "export.json").read_text())["artifacts"]["tflite"]
    assert entry["quantize"] == "int8"


def test_float16_tflite_through_the_cli(trained, tmp_path, capsys):
    output = tmp_path / "f16"
    code = main(["export", str(trained.run.folder.path), "--format", "tflite",
                 "--quantize", "float16", "--output", str(output), "--json"])  # fmt: skip
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["quantize"] == "float16" and report["parity"]["passed"]
    assert 0 < report["parity"]["max_abs_difference"] <= TOLERANCES["tflite+float16"]
    assert Path(report["model_card"]).is_file()


def test_beyond_tolerance_removes_the_artifact_and_keeps_the_folder(
    loaded, exported, monkeypatch, capsys
):
    import mura_core.export.exporting as exporting

    output, _ = exported
    before = (output / "export.json").read_text()
    onnx_before = (output / "model.onnx").read_bytes()
    monkeypatch.setattr(exporting, "tolerance", lambda format, quantize="none": -1.0)
    code = main(["export", str(loaded.folder.path), "--format", "onnx", "--output",
                 str(output), "--overwrite"])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "BEYOND tolerance" in err[0], err
    assert (output / "export.json").read_text() == before
    assert (output / "model.onnx").read_bytes() == onnx_before
    assert not [p for p in output.iterdir() if p.name.startswith(".")]


def test_keep_mismatched_keeps_it_and_records_the_failure(loaded, tmp_path, monkeypatch):
    import mura_core.export.exporting as exporting
    from mura_core.export.exporting import export_run

    monkeypatch.setattr(exporting, "tolerance", lambda format, quantize="none": -1.0)
    result = export_run(loaded, "savedmodel", tmp_path / "kept", keep_mismatched=True,
                        card=False)  # fmt: skip
    assert not result.parity.passed and result.path.is_dir()
    record = json.loads((tmp_path / "kept" / "export.json").read_text())
    assert record["artifacts"]["savedmodel"]["parity"]["passed"] is False


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--format", "onnx", "--quantize", "int8"], "applies to tflite exports only"),
        (["--format", "savedmodel", "--parity-images", "0"], "--parity-images must be"),
        (["--format", "savedmodel", "--data", "/no/such/root"], "--data /no/such/root: no such"),
    ],
)
def test_bad_export_requests_are_one_line(trained, tmp_path, capsys, extra, message):
    output = tmp_path / "out"
    code = main(["export", str(trained.run.folder.path), "--output", str(output), *extra])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and message in err[0], err
    assert not output.exists()


def test_export_refuses_a_folder_holding_something_else(trained, tmp_path, capsys):
    output = tmp_path / "busy"
    output.mkdir()
    (output / "notes.txt").write_text("mine")
    code = main(["export", str(trained.run.folder.path), "--format", "onnx",
                 "--output", str(output)])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "not an export folder" in err[0]
    assert [p.name for p in output.iterdir()] == ["notes.txt"]


def test_export_refuses_a_run_folder_without_weights(trained, tmp_path, capsys):
    import shutil

    run = tmp_path / trained.run.folder.path.name
    shutil.copytree(trained.run.folder.path, run)
    for weights in run.glob("*.weights.h5"):
        weights.unlink()
    code = main(["export", str(run), "--format", "onnx", "--output", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert not (tmp_path / "o").exists()


def test_a_failed_export_into_a_new_folder_leaves_no_folder(loaded, tmp_path, monkeypatch):
    import mura_core.export.exporting as exporting
    from mura_core.errors import MuraError

    monkeypatch.setattr(exporting, "tolerance", lambda format, quantize="none": -1.0)
    with pytest.raises(MuraError, match="artifact removed"):
        exporting.export_run(loaded, "onnx", tmp_path / "new", card=False)
    assert not (tmp_path / "new").exists()


def test_other_weights_of_the_run_need_their_own_folder(trained, tmp_path, capsys):
    run, output = str(trained.run.folder.path), tmp_path / "weights"
    first = sorted(trained.run.folder.path.glob("weights.01-*.weights.h5"))[0]
    assert main(["export", run, "--format", "onnx", "--output", str(output)]) == 0
    other = ["export", run, "--weights", str(first), "--format", "tflite", "--output",
             str(output)]  # fmt: skip
    capsys.readouterr()
    assert main(other) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "onnx exports of other weights of this run" in err[0]
    assert main([*other, "--overwrite"]) == 0  # replaces the other weights' artifacts
    record = json.loads((output / "export.json").read_text())
    assert list(record["artifacts"]) == ["tflite"]
    assert record["artifacts"]["tflite"]["weights"] == first.name
    assert not (output / "model.onnx").exists()
    assert first.name in (output / "MODEL_CARD.md").read_text()


@pytest.mark.parametrize("format", FORMATS)
def test_every_operation_exported_is_on_the_allow_list(exported, format):
    from tests.export.exported_ops import unlisted_ops

    output, results = exported
    assert unlisted_ops(format, results[format].path) == set()
