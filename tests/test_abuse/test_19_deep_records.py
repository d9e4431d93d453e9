"""Records a command reads back, nested too deeply to parse: one line, never a crash."""

from __future__ import annotations

from tests.test_abuse.helpers import (
    TRAINED_SETTINGS,
    assert_one_line_error,
    copy_run,
    run_cli,
    set_status,
    snapshot,
)

DEEP = "[" * 100_000 + "]" * 100_000


def test_a_training_state_nested_too_deeply_is_one_line(capsys, trained, mura_root, tmp_path):
    folder = copy_run(trained, tmp_path)
    set_status(folder, "running")
    (folder / "backup").mkdir()
    (folder / "backup" / "state.json").write_text(DEEP)
    before = snapshot(folder)
    status, _, err = run_cli(
        capsys, "train", trained.name, "--data", mura_root, "--runs", tmp_path,
        "--epochs", TRAINED_SETTINGS["epochs"], "--batch-size", TRAINED_SETTINGS["batch_size"],
    )  # fmt: skip
    assert_one_line_error(status, err, "not a training state record", "--overwrite")
    assert snapshot(folder) == before


def test_a_run_json_nested_too_deeply_is_one_line(capsys, trained, mura_root, tmp_path):
    folder = copy_run(trained, tmp_path)
    (folder / "run.json").write_text(DEEP)
    status, _, err = run_cli(capsys, "evaluate", folder, "--data", mura_root)
    assert_one_line_error(status, err, "nested too deeply")
