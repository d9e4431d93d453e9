"""``mura train/evaluate/predict/compare/runs``: outputs, JSON shapes and one-line errors."""

from __future__ import annotations

import json
import shutil

import pytest

import registry
from mura_core.cli import main

LEVEL_KEYS = {"auc", "accuracy", "kappa", "sensitivity", "specificity"}


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    status = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_line_error(status: int, err: str, fragment: str) -> None:
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mura: error: "), err
    assert fragment in lines[0]


def test_train_json_and_table(capsys, tmp_path, mura_root, tiny_cnn):
    status, out, _ = run_cli(
        capsys,
        "train",
        tiny_cnn,
        "--data",
        mura_root,
        "--out",
        tmp_path,
        "--epochs",
        "1",
        "--batch-size",
        "16",
        "--augment",
        "--json",
    )
    assert status == 0
    result = json.loads(out)
    assert result["run"] == f"{tiny_cnn}__aug"
    assert result["epochs"] == 1 and result["best"]["epoch"] == 1
    assert {"image", "study", "by_body_part"} <= set(result["evaluation"])
    status, out, _ = run_cli(capsys, "runs", "list", tmp_path)
    assert status == 0 and f"{tiny_cnn}__aug" in out and "complete" in out


def test_evaluate_json_has_image_study_and_body_part_scores(capsys, trained, mura_root):
    status, out, _ = run_cli(
        capsys,
        "evaluate",
        trained.folder.path,
        "--data",
        mura_root,
        "--subset",
        "validation",
        "--resamples",
        "50",
        "--json",
    )
    assert status == 0
    result = json.loads(out)
    assert LEVEL_KEYS | {"loss"} <= set(result["image"])
    assert set(result["study"]) >= LEVEL_KEYS
    assert result["by_body_part"]
    for scores in result["by_body_part"].values():
        assert set(scores["image"]) >= LEVEL_KEYS and set(scores["study"]) >= LEVEL_KEYS
    assert trained.folder.evaluation_for("validation").is_file()
    assert result["image"]["count"] == read_validation_size(trained)


def read_validation_size(trained) -> int:
    import pandas as pd

    manifest = pd.read_csv(trained.folder.split)
    return int((manifest["subset"] == "validation").sum())


def test_evaluate_by_run_name_under_runs_folder(capsys, trained, mura_root):
    status, out, _ = run_cli(
        capsys,
        "evaluate",
        trained.name,
        "--runs",
        trained.folder.path.parent,
        "--data",
        mura_root,
        "--resamples",
        "20",
    )
    assert status == 0
    assert "study" in out and "MURA paper: DenseNet-169, ensemble of 5" in out


def test_predict_images_and_study_folders(capsys, trained, mura_root):
    studies = sorted((mura_root / "MURA-v1.1" / "valid" / "XR_WRIST").glob("patient*/study*"))
    study = studies[0]
    image = sorted(studies[1].glob("*.png"))[0]
    status, out, _ = run_cli(capsys, "predict", trained.folder.path, study, image, "--json")
    assert status == 0
    result = json.loads(out)
    assert len(result["images"]) == len(list(study.glob("*.png"))) + 1
    for row in result["images"]:
        assert {"path", "study", "body_part", "probability"} <= set(row)
        assert 0.0 <= row["probability"] <= 1.0 and row["body_part"] == "XR_WRIST"
    assert [row["study"] for row in result["studies"]] == [str(study), str(studies[1])]
    first = result["studies"][0]
    mean = sum(r["probability"] for r in result["images"] if r["study"] == str(study))
    assert first["probability"] == pytest.approx(mean / first["images"])
    assert first["prediction"] == ("abnormal" if first["probability"] > 0.5 else "normal")


def test_compare_tables_and_plot(capsys, trained, tmp_path):
    other = tmp_path / trained.name.replace("__wc_aug", "__wc")
    shutil.copytree(trained.folder.path, other)
    plot = tmp_path / "curves.png"
    status, out, _ = run_cli(capsys, "compare", trained.folder.path, other, "--plot", plot)
    assert status == 0
    assert "best epoch" in out and "test set" in out
    assert trained.name in out and other.name in out
    assert plot.read_bytes()[:4] == b"\x89PNG"
    status, out, _ = run_cli(capsys, "compare", trained.folder.path, other, "--json")
    assert [row["name"] for row in json.loads(out)] == [trained.name, other.name]


def test_runs_list_json_and_pattern(capsys, trained):
    root = trained.folder.path.parent
    status, out, _ = run_cli(capsys, "runs", "list", root, "--json")
    rows = json.loads(out)
    assert status == 0 and [row["name"] for row in rows] == [trained.name]
    assert rows[0]["evaluation"]["study"]["kappa"] == pytest.approx(trained.evaluation.study.kappa)
    status, out, _ = run_cli(capsys, "runs", "list", root, "resnet*")
    assert status == 0 and "no run matches" in out


def test_user_errors_are_one_line_with_status_2(capsys, trained, mura_root, tmp_path, tiny_cnn):
    assert_one_line_error(
        *run_cli(capsys, "evaluate", tmp_path / "nowhere", "--data", mura_root)[::2],
        "no run folder",
    )
    assert_one_line_error(
        *run_cli(capsys, "evaluate", trained.folder.path, "--data", tmp_path)[::2],
        "no dataset layout recognises it",
    )
    assert_one_line_error(
        *run_cli(
            capsys, "train", f"{tiny_cnn}__wc", "--augment", "--data", mura_root, "--out", tmp_path
        )[::2],
        "conflicts with the flags",
    )
    assert not any(tmp_path.iterdir()), "a refused run leaves no folder"
    assert_one_line_error(
        *run_cli(
            capsys,
            "evaluate",
            trained.folder.path,
            "--data",
            mura_root,
            "--weights",
            tmp_path / "missing.weights.h5",
        )[::2],
        "weights file",
    )
    no_weights = tmp_path / trained.name
    shutil.copytree(trained.folder.path, no_weights)
    for path in no_weights.glob("weights.*"):
        path.unlink()
    assert_one_line_error(
        *run_cli(capsys, "predict", no_weights, next(mura_root.rglob("*.png")))[::2],
        "no weights file",
    )
    assert_one_line_error(
        *run_cli(
            capsys, "train", tiny_cnn, "--data", tmp_path / "absent", "--out", tmp_path / "runs"
        )[::2],
        "no such directory",
    )
    assert not (tmp_path / "runs" / tiny_cnn).exists()
    assert_one_line_error(
        *run_cli(
            capsys, "train", trained.folder.name, "--data", mura_root, "--out",
            trained.folder.path.parent, "--overwrite", "--pretrained", tmp_path / "none.h5",
        )[::2],
        "family 'cnn' takes no pretrained weights",
    )  # fmt: skip
    assert trained.folder.best_weights() is not None  # refused before anything was removed
    assert_one_line_error(
        *run_cli(
            capsys, "train", "densenet121_in.32.32.3_p.avg", "--data", mura_root, "--out",
            tmp_path / "runs", "--pretrained", tmp_path / "none.h5",
        )[::2],
        "are neither a file nor a known source (imagenet)",
    )  # fmt: skip
    assert trained.folder.run_json.is_file(), "a refused --overwrite keeps the run"


def test_bad_images_and_mismatched_weights_are_one_line(capsys, trained, mura_root, tmp_path):
    corrupt = tmp_path / "image1.png"
    corrupt.write_bytes(b"not a png at all")
    assert_one_line_error(
        *run_cli(capsys, "predict", trained.folder.path, corrupt)[::2], "image1.png: corrupt"
    )
    parsed = registry.parse(trained.folder.name)
    wider = parsed.replace(filters=parsed.spec.filters * 2)
    other = tmp_path / wider.full_name
    shutil.copytree(trained.folder.path, other)
    (other / "run.json").unlink()  # without it, the weights themselves are the last check
    image = next(mura_root.rglob("image1.png"))
    assert_one_line_error(*run_cli(capsys, "predict", other, image)[::2], "do not fit model")


def test_one_line_keeps_the_first_line_of_long_errors():
    from mura_core.cli import one_line

    assert one_line(ValueError("first\n\nsecond")) == "first"
    assert one_line(ValueError("")) == "ValueError"
    assert len(one_line(ValueError("x" * 1000))) == 400


def test_installed_entry_point_reports_a_conflict_without_traceback(cli, tiny_cnn, tmp_path):
    completed = cli(
        "train",
        f"{tiny_cnn}__XR_WRIST",
        "--body-part",
        "XR_HAND",
        "--data",
        str(tmp_path),
        "--out",
        str(tmp_path),
    )
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert completed.stderr.strip().splitlines()[-1].startswith("mura: error: name suffix")


def test_runs_folder_is_named_runs_everywhere_old_spellings_kept(capsys, trained):
    runs = trained.folder.path.parent
    name = trained.folder.name
    for args in (
        ["runs", "list", "--runs", runs],
        ["runs", "list", runs],
        ["runs", "list", "--runs", runs, "cnn*"],
        ["runs", "list", runs, "cnn*"],
    ):
        status, out, err = run_cli(capsys, *args)
        assert status == 0 and name in out, (args, err)
    for flag in ("--runs", "--root"):
        status, out, err = run_cli(capsys, "compare", name, flag, runs, "--json")
        assert status == 0 and json.loads(out)[0]["name"] == name, err
    status, _, err = run_cli(capsys, "runs", "list", "a", "b", "c")
    assert_one_line_error(status, err, "runs list takes one PATTERN")


def test_train_accepts_runs_and_its_out_alias():
    from mura_core.cli import build_parser

    parser = build_parser()
    for flag in ("--runs", "--out"):
        args = parser.parse_args(["train", "cnn_in.32.32.1_cl.1.1_f.2", "--data", "d", flag, "r"])
        assert args.runs == "r"
