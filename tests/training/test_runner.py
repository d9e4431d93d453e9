"""The runner: run folder artifacts, reloading, refusals and training options."""

from __future__ import annotations

import hashlib
import json
import re
import shutil

import keras
import numpy as np
import pandas as pd
import pytest

from mura_core.errors import MuraError
from mura_core.evaluation import Evaluation
from mura_core.inference import predict_frame, subset_frame
from mura_core.runs import WeightsFile, list_runs, load_run, read_run_json
from mura_core.training.context import TrainConfig, resolve_run_name
from mura_core.training.runner import Runner, train


def test_run_folder_is_named_by_the_run_and_holds_every_artifact(trained, tiny_cnn):
    folder = trained.folder
    assert folder.name == f"{tiny_cnn}__wc_aug"
    for path in (
        folder.history,
        folder.evaluation,
        folder.model_summary,
        folder.training_graph,
        folder.split,
        folder.run_json,
        folder.roc_curve_for("test"),
    ):
        assert path.is_file(), path.name
    for png in (folder.training_graph, folder.roc_curve_for("test")):
        assert png.read_bytes()[:4] == b"\x89PNG"
    assert "Total params" in folder.model_summary.read_text()
    weights = [WeightsFile.parse(path) for path in folder.path.glob("weights.*.weights.h5")]
    assert weights and all(weights)
    assert trained.best.path.name.startswith(f"weights.{trained.best.epoch:02d}-")
    assert not folder.backup.exists()
    assert list(folder.tensorboard.rglob("events.out.tfevents.*")), "no TensorBoard events"


def test_run_json_records_config_versions_split_seed_and_timings(trained):
    info = read_run_json(trained.folder.run_json)
    assert info["status"] == "complete"
    assert info["name"] == trained.name
    assert info["config"]["epochs"] == 2 and info["config"]["batch_size"] == 16
    assert info["run_options"] == {
        "weight_classes": True,
        "augment": True,
        "body_part": None,
        "seed": 0,
    }
    assert info["seed"] == 0
    manifest = trained.folder.split.read_bytes()
    assert info["split_hash"] == hashlib.sha256(manifest).hexdigest()
    assert info["packages"]["tensorflow"] and info["packages"]["keras"]
    assert set(info["data"]["images"]) == {"train", "validation", "test"}
    assert info["data"]["class_weight"]["1"] > info["data"]["class_weight"]["0"]
    sessions = info["timings"]["sessions"]
    assert [(s["first_epoch"], s["last_epoch"]) for s in sessions] == [(1, 2)]
    assert info["timings"]["train_seconds"] > 0
    assert info["best"]["epoch"] == trained.best.epoch
    plot_made = trained.folder.model_plot.exists()
    assert plot_made != any("model_plot.png" in note for note in info["notes"])


def test_history_has_one_row_per_epoch_with_the_report_metrics(trained):
    history = pd.read_csv(trained.folder.history, sep="\t")
    assert list(history["epoch"]) == [1, 2]
    for metric in ("loss", "auc", "accuracy", "kappa"):
        assert metric in history and f"val_{metric}" in history
    best = history.loc[history["val_loss"].idxmin()]
    assert trained.best.epoch == int(best["epoch"])
    assert trained.best.val_kappa == pytest.approx(best["val_kappa"], abs=1e-4)


def test_evaluation_tsv_matches_the_returned_evaluation(trained):
    written = Evaluation.read_tsv(trained.folder.evaluation)
    assert written.study.kappa == pytest.approx(trained.evaluation.study.kappa)
    assert written.image.count == trained.evaluation.image.count
    predictions = pd.read_csv(trained.folder.predictions_for("test"), sep="\t")
    assert len(predictions) == trained.evaluation.image.count


def test_load_run_rebuilds_from_the_name_and_predicts_identically(trained, mura_root):
    loaded = load_run(trained.folder.path)
    assert loaded.model.name == trained.run.model_name
    assert loaded.weights == trained.best
    rows = subset_frame(trained.folder, mura_root, "test")
    expected = predict_frame(trained.model, rows, trained.name)["probability"]
    actual = predict_frame(loaded.model, rows, loaded.name)["probability"]
    np.testing.assert_array_equal(actual.to_numpy(), expected.to_numpy())


def test_load_run_errors_are_one_line(tmp_path, trained):
    with pytest.raises(MuraError, match="no run folder"):
        load_run(tmp_path / "missing")
    (tmp_path / "not_a_model").mkdir()
    with pytest.raises(MuraError, match="not a run folder"):
        load_run(tmp_path / "not_a_model")
    copy = tmp_path / trained.folder.name
    shutil.copytree(trained.folder.path, copy)
    for path in copy.glob("weights.*"):
        path.unlink()
    with pytest.raises(MuraError, match="no weights file"):
        load_run(copy)


def test_runs_list_reports_best_epoch_and_evaluation(trained):
    runs = list_runs(trained.folder.path.parent, "cnn")
    assert [run.name for run in runs] == [trained.name]
    assert runs[0].status == "complete"
    assert runs[0].best["epoch"] == trained.best.epoch
    assert runs[0].evaluation["study"]["kappa"] == pytest.approx(trained.evaluation.study.kappa)
    assert list_runs(trained.folder.path.parent, "densenet*") == []
    json.dumps([run.to_dict() for run in runs])


def test_a_complete_run_is_not_retrained_without_overwrite(trained, mura_root, tmp_path):
    config = TrainConfig(name=trained.name, data_root=mura_root, out=trained.folder.path.parent)
    with pytest.raises(MuraError, match="already trained.*--overwrite"):
        Runner(config).prepare()
    copy_root = tmp_path / "runs"
    shutil.copytree(trained.folder.path, copy_root / trained.name)
    (copy_root / trained.name / "notes.txt").write_text("mine")
    overwrite = TrainConfig(name=trained.name, data_root=mura_root, out=copy_root, overwrite=True)
    Runner(overwrite).prepare()  # the old artifacts wait in previous/ (tests/test_abuse)
    assert sorted(path.name for path in (copy_root / trained.name).iterdir()) == [
        "name.txt",  # the run's name stays: it names the folder throughout
        "notes.txt",
        "previous",
    ]


@pytest.mark.parametrize(
    ("changed", "message"),
    [({"batch_size": 8}, "batch_size was 16, now 8"),
     ({"lr_factor": 0.1}, "lr_factor was 0.2, now 0.1"),
     ({"monitor": "val_auc"}, "monitor was 'val_loss', now 'val_auc'")],
)  # fmt: skip
def test_resuming_with_other_settings_is_refused(trained, mura_root, tmp_path, changed, message):
    folder = tmp_path / trained.name
    shutil.copytree(trained.folder.path, folder)
    info = read_run_json(folder / "run.json")
    info["status"] = "interrupted"
    (folder / "run.json").write_text(json.dumps(info))
    (folder / "backup").mkdir()
    (folder / "backup" / "state.json").write_text('{"epoch": 1}')
    config = TrainConfig(name=trained.name, data_root=mura_root, out=tmp_path,
                         **{"batch_size": 16, **changed})  # fmt: skip
    with pytest.raises(MuraError, match=f"cannot resume .*{re.escape(message)}"):
        Runner(config).prepare()


@pytest.mark.parametrize(
    ("suffix", "flags"),
    [
        ("__wc", {"augment": True}),
        ("__wc_aug", {"weight_classes": True}),
        ("__XR_WRIST", {"body_part": "XR_HAND"}),
    ],
)
def test_name_suffix_and_flags_in_conflict(tiny_cnn, suffix, flags):
    with pytest.raises(MuraError, match="conflicts with the flags"):
        resolve_run_name(tiny_cnn + suffix, **flags)


def test_flags_produce_the_suffix_and_may_repeat_it(tiny_cnn):
    assert resolve_run_name(tiny_cnn).full_name == tiny_cnn
    made = resolve_run_name(tiny_cnn, weight_classes=True, augment=True, body_part="wrist")
    assert made.full_name == f"{tiny_cnn}__wc_aug_XR_WRIST"
    same = resolve_run_name(
        f"{tiny_cnn}__wc_aug_XR_WRIST", weight_classes=True, augment=True, body_part="XR_WRIST"
    )
    assert same.full_name == made.full_name
    report_style = resolve_run_name(f"{tiny_cnn}_wc_aug")  # the report's single underscore
    assert report_style.full_name == f"{tiny_cnn}__wc_aug"
    with pytest.raises(MuraError, match="unknown body part"):
        resolve_run_name(tiny_cnn, body_part="XR_KNEE")


def test_data_root_that_is_not_mura_is_a_user_error(tmp_path, tiny_cnn):
    with pytest.raises(MuraError, match="no dataset layout recognises it"):
        train(tiny_cnn, tmp_path, out=tmp_path / "runs", epochs=1, verbose=0)


def test_body_part_run_xla_off_and_mixed_precision(mura_root, tmp_path, tiny_cnn):
    before = keras.mixed_precision.global_policy().name
    result = train(
        tiny_cnn,
        mura_root,
        out=tmp_path,
        epochs=1,
        batch_size=16,
        body_part="XR_WRIST",
        jit_compile=False,
        mixed_precision=True,
        evaluate=False,
        verbose=0,
    )
    assert keras.mixed_precision.global_policy().name == before, "policy restored"
    assert result.name.endswith("__XR_WRIST")
    assert result.model.jit_compile is False
    assert result.model.layers[-1].dtype_policy.name == "mixed_float16"
    info = read_run_json(result.folder.run_json)
    assert info["precision"] == "mixed_float16"
    manifest = pd.read_csv(result.folder.split)
    assert set(manifest["body_part"]) == {"XR_WRIST"}
    assert result.evaluation is None and not result.folder.evaluation.exists()
