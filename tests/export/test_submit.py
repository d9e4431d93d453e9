"""``mura submit``: the competition's CSV from a run (exactly ``mura evaluate``'s study
predictions), from an export without the plugins, for unsuffixed study folders, and
nothing written when a row is bad."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mura_core.cli import main
from mura_core.export.formats import TOLERANCES


@pytest.fixture(scope="module")
def valid_csv(mura_root) -> Path:
    return mura_root / "MURA-v1.1" / "valid_image_paths.csv"


@pytest.fixture(scope="module")
def run_studies(trained, mura_root) -> pd.DataFrame:
    """``mura evaluate``'s study predictions of the run, keyed as the submission's rows."""
    from mura_core.evaluation import aggregate_studies

    images = pd.read_csv(trained.run.folder.predictions_for("test"), sep="\t")
    studies = aggregate_studies(images)
    studies["study"] = [  # as MURA's CSVs write them: relative to the dataset's parent
        Path(study).as_posix().split(f"{mura_root.as_posix()}/")[-1] + "/"
        for study in studies["study"]
    ]
    return studies.set_index("study")


def read_submission(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, header=None, names=["study", "label"]).set_index("study")


def test_submission_from_the_run_is_evaluate_s_study_predictions(
    trained, valid_csv, run_studies, tmp_path
):
    from mura_core.export.submission import read_submission_csv, study_predictions
    from mura_core.inference import predict_frame
    from mura_core.runs import load_run

    output = tmp_path / "predictions.csv"
    assert main(["submit", str(trained.run.folder.path), str(valid_csv), str(output)]) == 0
    submitted = read_submission(output)
    assert list(submitted.index) == list(dict.fromkeys(
        p.rsplit("/", 1)[0] + "/" for p in valid_csv.read_text().split()))  # fmt: skip
    assert submitted.index.str.endswith(("_positive/", "_negative/")).all()
    expected = run_studies.loc[submitted.index, "prediction"].astype(int)
    assert (submitted["label"] == expected).all()
    loaded = load_run(trained.run.folder.path)
    rows = read_submission_csv(valid_csv).images
    studies = study_predictions(
        rows, lambda r: predict_frame(loaded.model, r, loaded.name)["probability"]
    ).set_index("study")
    assert np.array_equal(studies["probability"].to_numpy(),
                          run_studies.loc[studies.index, "probability"].to_numpy())  # fmt: skip


@pytest.fixture(scope="module")
def onnx_export(trained, tmp_path_factory) -> Path:
    from mura_core.export.exporting import export_run
    from mura_core.runs import load_run

    output = tmp_path_factory.mktemp("submit-export")
    export_run(load_run(trained.run.folder.path), "onnx", output, card=False)
    return output


def test_submission_from_an_export_needs_no_plugin(onnx_export, valid_csv, run_studies, tmp_path):
    output = tmp_path / "predictions.csv"
    script = textwrap.dedent("""
        import importlib.abc, sys
        blocked = []
        class NoPlugins(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "mura_plugins":
                    blocked.append(name)
                    raise ImportError(f"{name} is not installed here")
        sys.meta_path.insert(0, NoPlugins())
        from mura_core.cli import main
        code = main(["submit", *sys.argv[1:]])
        assert not blocked, blocked
        sys.exit(code)
    """)
    done = subprocess.run(
        [sys.executable, "-c", script, str(onnx_export), str(valid_csv), str(output)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    submitted = read_submission(output)
    run = run_studies.loc[submitted.index]
    decided = (run["probability"] - 0.5).abs() > TOLERANCES["onnx"]
    assert decided.any()
    assert (submitted["label"][decided] == run["prediction"][decided].astype(int)).all()


def test_hidden_test_set_folders_without_suffix(trained, mura_root, tmp_path):
    source = next((mura_root / "MURA-v1.1" / "valid" / "XR_HAND").glob("patient*/study*"))
    hidden = tmp_path / "MURA-v1.1" / "test" / "XR_HAND" / source.parent.name / "study1"
    shutil.copytree(source, hidden)
    table = tmp_path / "MURA-v1.1" / "test_image_paths.csv"
    paths = sorted(p.relative_to(tmp_path).as_posix() for p in hidden.glob("*.png"))
    table.write_text("".join(f"{p}\n" for p in paths))
    output = tmp_path / "predictions.csv"
    assert main(["submit", str(trained.run.folder.path), str(table), str(output)]) == 0
    rows = list(csv.reader(output.open()))
    assert len(rows) == 1
    assert rows[0][0] == f"MURA-v1.1/test/XR_HAND/{source.parent.name}/study1/"
    assert rows[0][1] in ("0", "1")


def test_bad_rows_are_all_listed_and_nothing_is_written(
    trained, valid_csv, tmp_path, capsys
):
    good = valid_csv.read_text().split()[:2]
    corrupt = valid_csv.parent / "valid" / "corrupt.png"
    corrupt.write_bytes(b"not a png at all")
    try:
        table = valid_csv.parent / "bad_image_paths.csv"
        table.write_text("\n".join([
            good[0],
            "MURA-v1.1/valid/XR_HAND/patient99999/study1/image1.png",
            "MURA-v1.1/valid/XR_HAND/notes.txt",
            f"{good[1]},1",
            "MURA-v1.1/valid/corrupt.png",
        ]) + "\n")  # fmt: skip
        output = tmp_path / "predictions.csv"
        output.write_text("an earlier submission\n")
        code = main(["submit", str(trained.run.folder.path), str(table), str(output),
                     "--overwrite"])  # fmt: skip
    finally:
        corrupt.unlink()
        table.unlink()
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert [line.split(", line ")[1].split(":")[0] for line in err[:-1]] == ["2", "3", "4", "5"]
    assert "4 bad row(s); nothing written" in err[-1]
    assert output.read_text() == "an earlier submission\n"


def test_output_over_the_input_is_refused(trained, valid_csv, capsys):
    before = valid_csv.read_text()
    code = main(["submit", str(trained.run.folder.path), str(valid_csv), str(valid_csv)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "overwrite the input" in err[0]
    assert valid_csv.read_text() == before


def test_a_source_that_is_no_recorded_artifact_is_not_taken_for_the_export(
    onnx_export, valid_csv, tmp_path, capsys, monkeypatch
):
    output = tmp_path / "predictions.csv"
    monkeypatch.chdir(onnx_export)  # an export.json in the working directory changes nothing
    for source in ("a-run-name-mistyped", str(onnx_export / "model.onnxx"),
                   str(onnx_export / "export.json")):  # fmt: skip
        code = main(["submit", source, str(valid_csv), str(output), "--runs", str(tmp_path)])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1, (source, err)
    assert not output.exists()


@pytest.mark.parametrize("target", ["model.onnx", "export.json", "sub/predictions.csv"])
def test_the_output_never_lands_inside_the_source(onnx_export, valid_csv, capsys, target):
    (onnx_export / "sub").mkdir(exist_ok=True)
    before = {p: p.read_bytes() for p in onnx_export.iterdir() if p.is_file()}
    code = main(["submit", str(onnx_export), str(valid_csv), str(onnx_export / target)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "write the submission elsewhere" in err[0]
    assert {p: p.read_bytes() for p in onnx_export.iterdir() if p.is_file()} == before


def test_flags_that_do_not_apply_and_a_missing_output_folder_are_refused_first(
    trained, onnx_export, valid_csv, tmp_path, capsys
):
    run = str(trained.run.folder.path)
    cases = [
        ([run, str(valid_csv), str(tmp_path / "no" / "such" / "out.csv")], "no folder"),
        ([run, str(valid_csv), str(tmp_path / "out.csv"), "--format", "onnx"], "is a run"),
        ([str(onnx_export / "model.onnx"), str(valid_csv), str(tmp_path / "out.csv"),
          "--format", "tflite"], "is the onnx artifact"),
        ([str(onnx_export), str(valid_csv), str(tmp_path / "out.csv"), "--weights", "w.h5"],
         "apply to runs, not exports"),
    ]  # fmt: skip
    for args, message in cases:
        code = main(["submit", *args])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and message in err[0], (args, err)
    assert not (tmp_path / "out.csv").exists()


def test_csv_quirks_a_byte_order_mark_a_header_and_no_rows(
    trained, valid_csv, tmp_path, capsys
):
    run, output = str(trained.run.folder.path), tmp_path / "out.csv"
    lines = valid_csv.read_text().split()[:3]
    with_bom = valid_csv.parent / "bom_image_paths.csv"
    with_header = valid_csv.parent / "header_image_paths.csv"
    empty = valid_csv.parent / "empty_image_paths.csv"
    with_bom.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines + [lines[0]]).encode() + b"\r\n")
    with_header.write_text("path\n" + "\n".join(lines) + "\n")
    empty.write_text("\n\n")
    try:
        assert main(["submit", run, str(with_bom), str(output)]) == 0
        assert "1 repeated row(s) predicted once" in capsys.readouterr().err
        assert main(["submit", run, str(with_header), str(tmp_path / "h.csv")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert "line 1: path is not a PNG or DICOM image path (the CSV has no header row)" in err[0]
        assert main(["submit", run, str(empty), str(tmp_path / "e.csv")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "no image paths" in err[0]
    finally:
        for table in (with_bom, with_header, empty):
            table.unlink()
    assert not (tmp_path / "h.csv").exists() and not (tmp_path / "e.csv").exists()


def test_work_is_per_distinct_image_not_per_row(
    trained, onnx_export, valid_csv, tmp_path, capsys, monkeypatch
):
    """5,000 rows over the same images: each is checked once and predicted once, by
    ``submit`` from a run and from an export, and by ``predict``."""
    import mura_core.data.checks as checks
    import mura_core.inference as inference
    from mura_core.export.artifact import Artifact

    paths = valid_csv.read_text().split()
    table = valid_csv.parent / "repeated_image_paths.csv"
    table.write_text("\n".join(paths[i % len(paths)] for i in range(5000)) + "\n")
    checked: list[Path] = []
    predicted: list[int] = []
    check_file, predict_frame = checks.check_file, inference.predict_frame
    artifact_predict_frame = Artifact.predict_frame

    def counted_check(file, *args, **kwargs):
        checked.append(file)
        return check_file(file, *args, **kwargs)

    def counted_predict(model, frame, *args, **kwargs):
        predicted.append(len(frame))
        return predict_frame(model, frame, *args, **kwargs)

    def counted_artifact(self, frame, **kwargs):
        predicted.append(len(frame))
        return artifact_predict_frame(self, frame, **kwargs)

    monkeypatch.setattr(checks, "check_file", counted_check)
    monkeypatch.setattr(inference, "predict_frame", counted_predict)
    monkeypatch.setattr(Artifact, "predict_frame", counted_artifact)
    run = str(trained.run.folder.path)
    try:
        commands = {
            "submit run": ["submit", run, str(table), str(tmp_path / "run.csv")],
            "submit export": ["submit", str(onnx_export), str(table), str(tmp_path / "x.csv")],
            "predict": ["predict", run, str(table), "--json"],
        }
        for label, argv in commands.items():
            checked.clear()
            predicted.clear()
            assert main(argv) == 0, label
            assert len(checked) == len(set(paths)), (label, len(checked))
            assert sum(predicted) == len(set(paths)), (label, predicted)
    finally:
        table.unlink()
    capsys.readouterr()
    once = tmp_path / "once.csv"
    assert main(["submit", run, str(valid_csv), str(once)]) == 0
    assert (tmp_path / "run.csv").read_text() == once.read_text()


def test_an_export_folder_with_several_artifacts_names_the_one_used(tmp_path):
    from mura_core.export.artifact import load_artifact
    from tests.export.crafted import minimal_record, write_record

    record = minimal_record()
    record["artifacts"]["tflite"] = minimal_record("tflite", "model.tflite")["artifacts"]["tflite"]
    folder = write_record(tmp_path / "exported", record)
    (folder / "saved_model").mkdir()
    (folder / "model.tflite").write_bytes(b"")
    chosen = load_artifact(folder)
    assert (chosen.format, chosen.passed_over) == ("savedmodel", ("tflite",))
    assert load_artifact(folder, "tflite").passed_over == ()
    assert load_artifact(folder / "model.tflite").passed_over == ()
