"""Sweeps through Ray Tune, in the embedded Ray session the suite's Ray tests share
(``ray_session``: two CPUs, no dashboard, one xdist worker)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mura_core.sweeps import RayOptions, run_sweep
from tests.conftest import REPO
from tests.sweeps.conftest import damaged_run

pytest.importorskip("ray", reason="the ray extra is not installed")
pytestmark = pytest.mark.xdist_group("ray")

#: Three tiny CNNs whose first-epoch validation loss on the synthetic tree rises in this
#: order (about 0.61, 0.67, 0.71): ASHA stops the last one at its first rung.
GOOD = "cnn_in.32.32.1_cl.1.1_f.8_ck.3.3_p.max_ps.2.2_pstr.2.2_ld.0.25"
FAIR = "cnn_in.32.32.1_cl.1.1_f.8_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"
POOR = "cnn_in.32.32.1_cl.3.1_f.8_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"
BROKEN = "cnn_in.32.32.1_cl.2.1_f.8_ck.3.3_bn_p.max_ps.2.2_pstr.2.2_ld.0.25"


def _settings(mura_root, runs, **more):
    return {"data_root": mura_root, "out": runs, "batch_size": 16, **more}


def _run_json(runs, name):
    return json.loads((runs / name / "run.json").read_text())


def _noisy_progress(outcome) -> None:
    """Runs in the driver while Tune runs the sweep: prints as Ray's driver does
    (``(raylet) The node ... has been marked dead``, from its own threads), as a library
    does, and natively; during a sweep all of it goes to standard error, so that
    ``mura sweep --json`` stays JSON."""
    from ray._private.worker import print_to_stdstream

    notice = "The node with node id: 0123 has been marked dead"
    print_to_stdstream({"lines": [notice], "pid": "raylet", "is_err": False}, False)
    print("a library's print")
    os.write(1, b"native output\n")


def test_three_runs_a_failure_and_asha(ray_session, mura_root, tmp_path, capfd):
    runs = tmp_path / "runs"
    damaged_run(runs, BROKEN)
    options = RayOptions(cpus_per_run=1, max_concurrent=2, scheduler="asha", metric="val_loss")
    settings = _settings(mura_root, runs, epochs=3, patience=10)
    records = run_sweep([GOOD, FAIR, POOR, BROKEN], settings, engine="ray", ray=options,
                        progress=_noisy_progress)  # fmt: skip
    out, err = capfd.readouterr()
    assert out == ""
    assert "(raylet)" in err and "The node with node id: 0123 has been marked dead" in err
    assert "a library's print" in err and "native output" in err
    by_run = {item.run: item for item in records}
    assert [item.run for item in records] == [GOOD, FAIR, POOR, BROKEN]
    assert by_run[GOOD].status == "complete" and by_run[GOOD].epochs == 3
    assert by_run[GOOD].test_study_kappa is not None  # evaluated like mura train
    assert by_run[POOR].status == "stopped" and by_run[POOR].epochs < 3
    assert by_run[BROKEN].status == "failed" and "cannot resume" in by_run[BROKEN].error
    assert _run_json(runs, POOR)["status"] == "stopped"
    assert _run_json(runs, POOR)["epochs_trained"] == by_run[POOR].epochs
    assert _run_json(runs, POOR)["best"]["epoch"] <= by_run[POOR].epochs
    assert list((runs / POOR).glob("weights.*.weights.h5"))  # a stopped run keeps its artifacts
    assert _run_json(runs, GOOD)["status"] == "complete"
    assert (runs / ".ray_results").is_dir()

    # again: finished and stopped runs are left alone (no worker starts for them)
    history = (runs / POOR / "history.tsv").read_text()
    again = run_sweep([GOOD, FAIR, POOR], settings, engine="ray", ray=options)
    assert [item.status for item in again] == ["skipped"] * 3
    assert (runs / POOR / "history.tsv").read_text() == history
    assert len(_run_json(runs, GOOD)["timings"]["sessions"]) == 1


def _wait_for(condition, timeout: float, process) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, process.communicate()[1][-2000:]
        assert time.monotonic() < deadline, "the sweep did not get there in time"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    """True while process ``pid`` runs (a zombie, dead but not reaped, is gone)."""
    stat = Path(f"/proc/{pid}/stat")
    if not Path("/proc").is_dir():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    try:
        return stat.read_text().split()[2] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_resume_after_killing_the_driver(ray_session, mura_root, tmp_path, tmp_path_factory):
    runs = tmp_path / "runs"
    ray_temp = tmp_path_factory.mktemp("rk")  # short: Ray's socket paths stay under 108 bytes
    first, second = GOOD, FAIR
    command = [sys.executable, "-m", "mura_core", "sweep", first, second, "--data",
               str(mura_root), "--runs", str(runs), "--epochs", "8", "--patience", "20",
               "--batch-size", "16", "--engine", "ray", "--max-concurrent", "1",
               "--ray-temp", str(ray_temp)]  # fmt: skip
    driver = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, start_new_session=True)  # fmt: skip
    state = runs / second / "backup" / "state.json"
    try:
        _wait_for(lambda: state.exists(), timeout=240, process=driver)
        worker = json.loads((runs / second / "run.lock").read_text())["pid"]
    finally:
        os.killpg(driver.pid, signal.SIGKILL)  # the driver and the Ray it started
        driver.communicate()
    deadline = time.monotonic() + 60
    while _alive(worker):  # Ray ends the trial's worker once its driver is gone
        assert time.monotonic() < deadline, "the trial's worker outlived its driver"
        time.sleep(0.2)
    assert _run_json(runs, first)["status"] == "complete"
    committed = json.loads(state.read_text())["epoch"]
    assert 1 <= committed < 8
    before = (runs / first / "history.tsv").read_text()

    settings = _settings(mura_root, runs, epochs=8, patience=20)
    records = run_sweep([first, second], settings, engine="ray", ray=RayOptions())
    assert [item.status for item in records] == ["skipped", "complete"]
    assert (runs / first / "history.tsv").read_text() == before  # not retrained
    info = _run_json(runs, second)
    assert info["resumed_from_epoch"] == committed  # no epoch lost
    epochs = (runs / second / "history.tsv").read_text().splitlines()[1:]
    assert [int(line.split("\t")[0]) for line in epochs] == list(range(1, 9))
