"""Run folder layout, checkpoint names, listing and artifact writers (no training)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mura_core.errors import MuraError
from mura_core.runs import (
    RunFolder,
    WeightsFile,
    best_weights,
    find_run,
    list_runs,
    read_run_json,
    update_run_json,
    write_training_graph,
)

CNN = "cnn_in.32.32.1_cl.2.1_f.8_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"


def make_run(root: Path, name: str, epochs: list[tuple[int, float]]) -> RunFolder:
    folder = RunFolder.create(root, name)
    rows = []
    for epoch, val_loss in epochs:
        name_ = f"weights.{epoch:02d}-{val_loss:.4f}-0.8000-0.7000--0.1234.weights.h5"
        (folder.path / name_).write_bytes(b"")
        rows.append({"epoch": epoch, "loss": 0.5, "val_loss": val_loss, "val_kappa": 0.3})
    pd.DataFrame(rows).to_csv(folder.history, sep="\t", index=False)
    update_run_json(folder.run_json, status="complete", family="cnn")
    return folder


def test_checkpoint_names_are_parsed_including_negative_kappa():
    item = WeightsFile.parse(Path("weights.07-0.4362-0.8651-0.8132--0.0505.weights.h5"))
    assert item is not None
    assert (item.epoch, item.val_loss, item.val_auc) == (7, 0.4362, 0.8651)
    assert (item.val_accuracy, item.val_kappa) == (0.8132, -0.0505)
    assert WeightsFile.parse(Path("latest.weights.h5")) is None
    assert WeightsFile.parse(Path("weights.07-0.4362.weights.h5")) is None


def test_best_weights_is_lowest_val_loss_latest_among_equals(tmp_path):
    folder = make_run(tmp_path, CNN, [(1, 0.6), (2, 0.5), (3, 0.55), (4, 0.5)])
    assert best_weights(folder.path).epoch == 4
    assert best_weights(tmp_path / "empty") is None


def test_file_names_of_subsets():
    folder = RunFolder(Path("runs") / CNN)
    assert folder.evaluation.name == "evaluation.tsv"
    assert folder.evaluation_for("validation").name == "evaluation.validation.tsv"
    assert folder.roc_curve_for("test").name == "roc_curve.png"
    assert folder.predictions_for("test").name == "predictions.test.tsv"


def test_list_runs_filters_by_pattern_or_family(tmp_path):
    make_run(tmp_path, CNN, [(1, 0.6), (2, 0.4)])
    make_run(tmp_path, f"{CNN}__wc_aug", [(1, 0.7)])
    (tmp_path / "not-a-run").mkdir()
    runs = list_runs(tmp_path)
    assert [run.name for run in runs] == [CNN, f"{CNN}__wc_aug"]
    assert runs[0].best == {"epoch": 2, "loss": 0.5, "val_loss": 0.4, "val_kappa": 0.3}
    assert runs[0].epochs == 2 and runs[0].status == "complete"
    assert [run.name for run in list_runs(tmp_path, "*__wc_aug")] == [f"{CNN}__wc_aug"]
    assert [run.name for run in list_runs(tmp_path, "wc_aug")] == [f"{CNN}__wc_aug"]
    assert len(list_runs(tmp_path, "cnn")) == 2
    assert list_runs(tmp_path, "densenet*") == []
    with pytest.raises(MuraError, match="no runs folder"):
        list_runs(tmp_path / "missing")


def test_find_run_by_path_name_or_canonical_name(tmp_path):
    folder = make_run(tmp_path, f"{CNN}__wc_aug", [(1, 0.7)])
    assert find_run(folder.path) == folder.path
    assert find_run(f"{CNN}__wc_aug", tmp_path) == tmp_path / f"{CNN}__wc_aug"
    assert find_run(f"{CNN}_wc_aug", tmp_path) == tmp_path / f"{CNN}__wc_aug"  # report style
    with pytest.raises(MuraError, match="no run folder"):
        find_run("cnn_nothing", tmp_path)


def test_run_json_updates_merge_and_stay_valid_json(tmp_path):
    path = tmp_path / "run.json"
    update_run_json(path, status="running", best={"val_loss": float("nan")})
    update_run_json(path, status="complete")
    content = json.loads(path.read_text())
    assert content == {"status": "complete", "best": {"val_loss": None}}
    assert read_run_json(tmp_path / "absent.json") == {}
    assert not list(tmp_path.glob(".run.json.*")), "no temporary file left behind"


def test_training_graph_is_a_png_and_empty_history_draws_nothing(tmp_path):
    history = pd.DataFrame(
        {"epoch": [1, 2, 3], "loss": [0.7, 0.6, 0.5], "val_loss": [0.8, 0.7, 0.7],
         "auc": [0.6, 0.7, 0.8], "val_auc": [0.5, 0.6, 0.7], "accuracy": [0.6, 0.7, 0.7],
         "val_accuracy": [0.6, 0.6, 0.7], "kappa": [0.1, 0.2, 0.3], "val_kappa": [0.0, 0.1, 0.2]}
    )  # fmt: skip
    path = write_training_graph(history, tmp_path / "training_graph.png", title=CNN)
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert write_training_graph(pd.DataFrame(), tmp_path / "none.png") is None
    assert not (tmp_path / "none.png").exists()
