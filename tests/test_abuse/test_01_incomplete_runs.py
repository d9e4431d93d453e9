"""Item 1: a re-run never silently restarts a run that has trained epochs.

A trained run whose evaluation did not finish is finished; a run with trained epochs
and no resumable state is refused in one line naming --overwrite; the settings checks
apply whatever state the folder is in. The old weights are never deleted.
"""

from __future__ import annotations

import shutil

import pytest

from mura_core.errors import MuraError
from mura_core.runs import read_history, read_run_json, update_run_json, weights_files
from mura_core.training.runner import train

from .helpers import TRAINED_SETTINGS, copy_run, run_cli, set_status, snapshot


def test_a_trained_run_whose_evaluation_was_interrupted_is_finished(trained, mura_root, tmp_path):
    folder = copy_run(trained, tmp_path)
    set_status(folder, "trained", drop_evaluation=True)
    weights = {path.name: path.read_bytes() for path in folder.glob("weights.*")}
    result = train(trained.name, mura_root, out=tmp_path, **TRAINED_SETTINGS)
    assert {path.name: path.read_bytes() for path in folder.glob("weights.*")} == weights
    assert list(read_history(folder / "history.tsv")["epoch"]) == [1, 2]
    assert read_run_json(folder / "run.json")["status"] == "complete"
    assert (folder / "evaluation.tsv").exists() and result.evaluation is not None


def test_an_evaluation_that_failed_is_retried_then_finished_without_retraining(
    mura_root, tmp_path, tiny_cnn, monkeypatch
):
    import mura_core.inference

    def unreadable(*args, **kwargs):
        raise MuraError("test images unreadable")

    monkeypatch.setattr(mura_core.inference, "evaluate_run", unreadable)
    settings = {"out": tmp_path / "runs", "epochs": 1, "batch_size": 16, "verbose": 0}
    with pytest.raises(MuraError, match="test images unreadable"):
        train(tiny_cnn, mura_root, **settings)
    folder = tmp_path / "runs" / tiny_cnn
    assert read_run_json(folder / "run.json")["status"] == "trained"
    before = snapshot(folder)
    with pytest.raises(MuraError, match="test images unreadable"):
        train(tiny_cnn, mura_root, **settings)
    weights = {key: value for key, value in before.items() if key.startswith("weights.")}
    assert len(weights) == 1
    assert {item.path.name: item.path.read_bytes() for item in weights_files(folder)} == weights
    result = train(tiny_cnn, mura_root, evaluate=False, **settings)
    assert read_run_json(folder / "run.json")["status"] == "complete"
    assert result.resumed_from == 1 and len(result.history) == 1
    assert {item.path.name: item.path.read_bytes() for item in weights_files(folder)} == weights


def test_another_seed_is_another_run_and_a_mismatched_seed_is_refused(trained, mura_root, tmp_path):
    from mura_core.training import Runner, TrainConfig

    folder = copy_run(trained, tmp_path)
    set_status(folder, "trained", drop_evaluation=True)
    config = TrainConfig(name=trained.name, data_root=mura_root, out=tmp_path, seed=1)
    assert Runner(config)._parsed().full_name == f"{trained.name}_seed.1"  # its own folder
    info = read_run_json(folder / "run.json")
    update_run_json(folder / "run.json", config={**info["config"], "seed": 3})
    before = snapshot(folder)
    with pytest.raises(MuraError, match="seed was 3, now 0"):
        train(trained.name, mura_root, out=tmp_path, **TRAINED_SETTINGS)
    assert snapshot(folder) == before


@pytest.mark.parametrize("status", ["interrupted", "running", None])
def test_trained_epochs_without_resumable_state_are_refused(
    capsys, trained, mura_root, tmp_path, status
):
    folder = copy_run(trained, tmp_path)
    if status is None:  # a folder holding only weights
        for path in folder.iterdir():
            if not path.name.startswith("weights."):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
    else:
        set_status(folder, status)
    before = snapshot(folder)
    status_code, _, err = run_cli(
        capsys, "train", trained.name, "--data", mura_root, "--out", tmp_path,
        "--epochs", "2", "--batch-size", "16", "--quiet",
    )  # fmt: skip
    assert status_code == 2 and err.count("\n") == 1 and "--overwrite" in err, err
    assert snapshot(folder) == before
