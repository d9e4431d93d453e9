"""``mura train ENSEMBLE --engine ray``: the members as the trials of one Ray sweep, in
the suite's shared Ray session."""

from __future__ import annotations

import json
import shutil

import pytest

from mura_core.cli import main
from mura_core.runs import read_run_json
from mura_core.runs.layout import RunFolder
from tests.ensembles.conftest import MEMBER
from tests.sweeps.conftest import damaged_run

pytest.importorskip("ray", reason="the ray extra is not installed")
pytestmark = pytest.mark.xdist_group("ray")

PAIR = f"parts_m({MEMBER})_bp.HAND.WRIST_c.avg"


def test_members_train_as_ray_trials_a_failed_one_is_reported_then_retried(
    ray_session, mura_root, tmp_path, capsys
):
    runs = tmp_path / "runs"
    folder = RunFolder.for_run(runs, PAIR)
    damaged_run(folder.members, "XR_WRIST")  # its member run fails: nothing to resume from
    args = ["train", PAIR, "--data", str(mura_root), "--runs", str(runs), "--epochs", "1",
            "--batch-size", "16", "--engine", "ray", "--cpus-per-run", "1", "--json"]  # fmt: skip
    assert main(args) == 1
    first = json.loads(capsys.readouterr().out)
    assert first["failed"] == ["XR_WRIST"] and "cannot resume" in first["members"]["XR_WRIST"]
    assert first["members"]["XR_HAND"] == "trained"
    assert first["evaluation"] is not None  # the trained member is evaluated as the ensemble
    assert read_run_json(folder.run_json)["status"] == "partial"
    assert (runs / ".ray_results").is_dir()  # the members were Tune trials

    shutil.rmtree(folder.member("XR_WRIST").path)
    assert main(args) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["members"] == {"XR_HAND": "complete (skipped)", "XR_WRIST": "trained"}
    assert second["failed"] == []
    info = read_run_json(folder.run_json)
    assert info["status"] == "complete"
    assert [member["status"] for member in info["members"]] == ["complete", "complete"]

