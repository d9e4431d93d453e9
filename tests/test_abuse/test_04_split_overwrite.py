"""Item 4: ``mura data split`` does not replace a manifest without ``--overwrite``."""

from __future__ import annotations

from .helpers import assert_one_line_error, run_cli


def test_an_existing_manifest_is_kept_without_overwrite(capsys, mura_root, tmp_path):
    out = tmp_path / "split.csv"
    assert run_cli(capsys, "data", "split", mura_root, out)[0] == 0
    manifest, digest = out.read_bytes(), (tmp_path / "split.csv.sha256").read_bytes()
    status, _, err = run_cli(capsys, "data", "split", mura_root, out, "--seed", "7")
    assert_one_line_error(status, err, str(out), "--overwrite")
    assert out.read_bytes() == manifest
    assert (tmp_path / "split.csv.sha256").read_bytes() == digest
    assert run_cli(capsys, "data", "split", mura_root, out, "--seed", "7", "--overwrite")[0] == 0
    assert out.read_bytes() != manifest


def test_a_lone_hash_file_or_a_folder_is_not_replaced(capsys, mura_root, tmp_path):
    (tmp_path / "split.csv.sha256").write_text("mine")
    status, _, err = run_cli(capsys, "data", "split", mura_root, tmp_path / "split.csv")
    assert_one_line_error(status, err, "split.csv.sha256", "--overwrite")
    assert (tmp_path / "split.csv.sha256").read_text() == "mine"
    status, _, err = run_cli(capsys, "data", "split", mura_root, tmp_path, "--overwrite")
    assert_one_line_error(status, err, "is a folder")
