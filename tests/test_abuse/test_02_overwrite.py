"""Item 2: --overwrite checks every input first and keeps the old run until replaced.

The old artifacts wait in ``RUN/previous/`` until the new run's first checkpoint and
are put back when it fails before that, by the failing run or by the next command.
"""

from __future__ import annotations

import keras
import pytest

from mura_core.errors import MuraError
from mura_core.runs import read_run_json
from mura_core.runs.aside import PREVIOUS_DIR, set_aside
from mura_core.training.callbacks import default_callbacks
from mura_core.training.context import TrainConfig
from mura_core.training.runner import Runner, train

from .helpers import TRAINED_SETTINGS, copy_run, run_cli, snapshot


def test_overwrite_with_a_mistyped_data_root_touches_nothing(capsys, trained, tmp_path):
    folder = copy_run(trained, tmp_path)
    before = snapshot(folder)
    status, _, err = run_cli(
        capsys, "train", trained.name, "--data", tmp_path / "typo", "--out", tmp_path,
        "--overwrite", "--epochs", "2", "--batch-size", "16",
    )  # fmt: skip
    assert status == 2 and "typo" in err and err.count("\n") == 1
    assert snapshot(folder) == before


def test_overwrite_failing_on_its_data_puts_the_old_run_back(trained, mura_root, tmp_path):
    folder = copy_run(trained, tmp_path)
    before = snapshot(folder)

    def no_data(run):
        assert (run.folder.path / PREVIOUS_DIR / "run.json").exists(), "set aside, not deleted"
        raise MuraError("no usable images")

    config = TrainConfig(trained.name, mura_root, out=tmp_path, overwrite=True, **TRAINED_SETTINGS)
    with pytest.raises(MuraError, match="no usable images"):
        Runner(config, data=no_data).run()
    assert snapshot(folder) == before
    assert not (folder / PREVIOUS_DIR).exists()


class _Interrupt(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        raise KeyboardInterrupt


def test_overwrite_interrupted_in_its_first_epoch_puts_the_old_run_back(
    trained, mura_root, tmp_path
):
    folder = copy_run(trained, tmp_path)
    before = snapshot(folder)
    config = TrainConfig(trained.name, mura_root, out=tmp_path, overwrite=True, **TRAINED_SETTINGS)
    with pytest.raises(KeyboardInterrupt):
        Runner(config, callbacks=lambda run: [_Interrupt(), *default_callbacks(run)]).run()
    assert snapshot(folder) == before


def test_a_killed_overwrite_is_put_back_by_the_next_command(trained, mura_root, tmp_path):
    folder = copy_run(trained, tmp_path)
    before = snapshot(folder)
    set_aside_folder = folder / PREVIOUS_DIR
    from mura_core.runs import RunFolder

    set_aside(RunFolder(folder))  # what a kill -9 after the move leaves, with a new run.json
    (folder / "run.json").write_text('{"status": "running"}')
    assert set_aside_folder.is_dir()
    with pytest.raises(MuraError, match="already trained"):
        train(trained.name, mura_root, out=tmp_path, **TRAINED_SETTINGS)
    assert snapshot(folder) == before


class _SeePrevious(keras.callbacks.Callback):
    def __init__(self, folder):
        super().__init__()
        self.folder, self.seen = folder, []

    def on_epoch_begin(self, epoch, logs=None):
        self.seen.append((self.folder / PREVIOUS_DIR).exists())


def test_a_successful_overwrite_replaces_the_old_run_at_its_first_checkpoint(
    trained, mura_root, tmp_path
):
    folder = copy_run(trained, tmp_path)
    (folder / "notes.txt").write_text("mine")
    seen = _SeePrevious(folder)
    config = TrainConfig(
        trained.name, mura_root, out=tmp_path, overwrite=True, **{**TRAINED_SETTINGS, "epochs": 2}
    )
    result = Runner(
        config, callbacks=lambda run: [seen, *default_callbacks(run)], evaluate=False
    ).run()
    assert seen.seen == [True, False], "kept until the first checkpoint, not after"
    assert not (folder / PREVIOUS_DIR).exists()
    assert (folder / "notes.txt").read_text() == "mine"
    assert list(result.history["epoch"]) == [1, 2]
    assert read_run_json(folder / "run.json")["status"] == "complete"
