"""``mura sweep`` on the command line: validation, sweep files, the local engine without Ray."""

from __future__ import annotations

import json
import os

from tests.sweeps.conftest import damaged_run, tiny


def test_invalid_names_are_all_reported_one_line_each(cli, tmp_path):
    result = cli("sweep", tiny("{1,x,y}"), "cnn_in.32.32.1_zz.3", "--data", str(tmp_path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, result.stderr
    assert all(line.startswith("mura: error: ") for line in lines)
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())  # nothing started


def test_dry_run_prints_canonical_names_once(cli):
    result = cli("sweep", tiny("{1..2}") + "__{wc,wc_aug}", tiny(1) + "__wc", "--dry-run")
    assert result.returncode == 0, result.stderr
    names = result.stdout.split()
    assert names == [tiny(1) + "__wc", tiny(1) + "__wc_aug", tiny(2) + "__wc", tiny(2) + "__wc_aug"]


def test_too_many_names_are_refused_unless_max_runs_says_more(cli):
    refused = cli("sweep", "cnn_in.{32..63}.{32..63}.1_cl.1.1_f.8", "--dry-run")
    assert refused.returncode == 2  # refused before any of the 1,024 names is parsed
    assert refused.stderr.strip() == (
        "mura: error: the patterns expand past 1000 names; narrow them or raise --max-runs"
    )
    pattern = tiny("{1..3}")
    assert cli("sweep", pattern, "--dry-run", "--max-runs", "2").returncode == 2
    allowed = cli("sweep", pattern, "--dry-run", "--json", "--max-runs", "3")
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout) == [tiny(1), tiny(2), tiny(3)]


def test_sweep_file_patterns_and_train_table(cli, tmp_path):
    path = tmp_path / "sweep.toml"
    path.write_text(f'patterns = ["{tiny("{1,2}")}"]\n[train]\naugment = true\nepochs = 3\n')
    result = cli("sweep", "--file", str(path), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [tiny(1) + "__aug", tiny(2) + "__aug"]
    path.write_text('patterns = ["x"]\n[train]\nepoch = 3\n')
    result = cli("sweep", "--file", str(path), "--dry-run")
    assert result.returncode == 2
    assert "[train] has no flag --epoch" in result.stderr
    path.write_text('patterns = ["x"]\n[train]\nepochs = "three"\n')
    result = cli("sweep", "--file", str(path), "--dry-run")
    assert result.stderr.strip().endswith("must be a whole number (got 'three')")


def test_sweep_flags_are_range_checked(cli, tmp_path):
    result = cli("sweep", tiny(1), "--data", str(tmp_path), "--max-concurrent", "0")
    assert result.returncode == 2
    assert "--max-concurrent must be" in result.stderr


def test_local_engine_without_ray(cli, mura_root, tmp_path, without_ray):
    runs = tmp_path / "runs"
    damaged_run(runs, tiny(3))
    args = ("sweep", tiny("{1..3}"), "--data", str(mura_root), "--runs", str(runs),
            "--epochs", "1", "--batch-size", "16", "--no-evaluate")  # fmt: skip
    missing = cli(*args, "--engine", "ray", env=without_ray)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        "mura: error: --engine ray needs Ray Tune (ray is missing): "
        "pip install 'mura-registry[ray]', or use --engine local"
    ]
    first = cli(*args, "--json", env=without_ray)  # the default engine is local without Ray
    assert first.returncode == 1, first.stderr  # one run failed, the others went on
    records = {item["run"]: item for item in json.loads(first.stdout)}
    assert [records[tiny(n)]["status"] for n in (1, 2, 3)] == ["complete", "complete", "failed"]
    assert "cannot resume" in records[tiny(3)]["error"]
    assert records[tiny(1)]["epochs"] == 1 and records[tiny(1)]["error"] is None
    again = cli(*args, "--json", env=without_ray)
    records = {item["run"]: item for item in json.loads(again.stdout)}
    assert [records[tiny(n)]["status"] for n in (1, 2, 3)] == ["skipped", "skipped", "failed"]
    listed = cli("runs", "list", "--runs", str(runs), "--json")
    statuses = {item["name"]: item["status"] for item in json.loads(listed.stdout)}
    assert statuses[tiny(1)] == statuses[tiny(2)] == "complete"


def test_doctor_reports_a_gpu_tensorflow_cannot_see(cli, tmp_path):
    driver = tmp_path / "bin" / "nvidia-smi"  # an NVIDIA driver, with no GPU for TensorFlow
    driver.parent.mkdir()
    driver.write_text("#!/bin/sh\nexit 0\n")
    driver.chmod(0o755)
    path = f"{driver.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    result = cli("doctor", "--json", env={"PATH": path, "CUDA_VISIBLE_DEVICES": "-1"})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["gpus"] == [] and report["nvidia_driver"] is True
    assert report["problems"] and "pip install 'mura-registry[gpu]'" in report["problems"][0]
    assert report["tensorflow"] and "ray" in report
