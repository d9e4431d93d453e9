"""Item 10: a damaged run.json, history.tsv or split.csv.sha256 is one line naming it.

``evaluate``, ``predict``, ``train`` and ``compare`` exit 2 naming the file; ``runs
list`` still lists the other runs and marks the damaged one.
"""

from __future__ import annotations

import pytest

from .helpers import assert_one_line_error, copy_run, run_cli, set_status

DAMAGED_RUN_JSON = {
    "invalid JSON": b'{"status": "complete",',
    "binary": b"\x89PNG\r\n\x1a\n\xff\xfe\x00",
    "a list": b'["complete"]',
}
DAMAGED_HISTORY = {
    "garbage": b"\x00\x01garbage\xff\n\x02",
    "no epoch column": b"loss\tval_loss\n0.5\t0.6\n",
    "empty": b"",
}


def _commands(folder, mura_root, name, out):
    image = next(mura_root.rglob("image1.png"))
    return {
        "evaluate": ["evaluate", folder, "--data", mura_root],
        "predict": ["predict", folder, image],
        "compare": ["compare", folder],
        "train": ["train", name, "--data", mura_root, "--out", out, "--epochs", "2",
                  "--batch-size", "16"],
    }  # fmt: skip


@pytest.mark.parametrize("damage", list(DAMAGED_RUN_JSON))
def test_a_damaged_run_json_is_one_line_naming_it(capsys, trained, mura_root, tmp_path, damage):
    folder = copy_run(trained, tmp_path)
    (folder / "run.json").write_bytes(DAMAGED_RUN_JSON[damage])
    for command in _commands(folder, mura_root, trained.name, tmp_path).values():
        assert_one_line_error(*run_cli(capsys, *command)[::2], "run.json", "damaged")


@pytest.mark.parametrize("damage", list(DAMAGED_HISTORY))
def test_a_damaged_history_is_one_line_naming_it(capsys, trained, mura_root, tmp_path, damage):
    folder = copy_run(trained, tmp_path)
    set_status(folder, "trained")  # so that train reads the history to finish the run
    (folder / "history.tsv").write_bytes(DAMAGED_HISTORY[damage])
    commands = _commands(folder, mura_root, trained.name, tmp_path)
    for key in ("compare", "train"):
        assert_one_line_error(*run_cli(capsys, *commands[key])[::2], "history.tsv", "damaged")


def test_an_empty_split_hash_file_is_one_line_naming_it(capsys, trained, mura_root, tmp_path):
    folder = copy_run(trained, tmp_path)
    (folder / "split.csv.sha256").write_bytes(b"")
    status, _, err = run_cli(capsys, "evaluate", folder, "--data", mura_root)
    assert_one_line_error(status, err, "split.csv.sha256")


def test_runs_list_shows_the_other_runs_and_marks_the_damaged_one(capsys, trained, tmp_path):
    good = copy_run(trained, tmp_path)
    bad = copy_run(trained, tmp_path, trained.name.replace("f.8", "f.16"))
    (bad / "run.json").write_bytes(b"[1, 2")
    status, out, err = run_cli(capsys, "runs", "list", tmp_path)
    assert status == 0 and err == ""
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith("cnn_")}
    assert "complete" in rows[good.name] and "damaged" in rows[bad.name]
    assert f"damaged: {bad / 'run.json'}" in out
