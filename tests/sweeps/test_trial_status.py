"""A run's ``run.json`` explains only its current status: a run that failed and then
completed on a re-run records no stale error."""

from __future__ import annotations

import json

import pytest

from mura_core.runs import read_run_json, update_run_json
from mura_core.runs.artifacts import STATUS_FIELDS
from mura_core.sweeps import run_sweep
from mura_core.sweeps.trial import mark
from tests.ensembles.training_helpers import _interrupting

STATUSES = ("running", "complete", "failed", "stopped", "partial")


@pytest.mark.parametrize("before", sorted(STATUS_FIELDS))
@pytest.mark.parametrize("after", STATUSES)
def test_a_new_status_drops_what_explained_another(before, after, tmp_path):
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"name": "r", "epochs_trained": 3}), encoding="utf-8")
    update_run_json(path, status=before, **{field: "why" for field in STATUS_FIELDS[before]})
    given = {field: "now" for field in STATUS_FIELDS.get(after, ())}
    info = update_run_json(path, status=after, **given)
    assert info == read_run_json(path)
    assert info["status"] == after and info["name"] == "r" and info["epochs_trained"] == 3
    for status, fields in STATUS_FIELDS.items():
        for field in fields:
            assert (field in info) == (status == after), (field, info)
    assert all(info[field] == "now" for field in given)


def test_a_failed_run_completed_on_the_rerun_records_no_error(mura_root, tmp_path, tiny_cnn):
    settings = {"data_root": mura_root, "out": tmp_path / "runs", "epochs": 2,
                "batch_size": 16, "limit": 32, "evaluate": False}  # fmt: skip
    folder = tmp_path / "runs" / tiny_cnn
    interrupted = {"callbacks": _interrupting(tiny_cnn, after_epoch=1)}
    first = run_sweep([tiny_cnn], settings, engine="local", runner_options=interrupted)
    assert first[0].status == "failed"
    mark(folder, "failed", error="the trial's worker died")  # as the Ray engine records it
    assert read_run_json(folder / "run.json")["error"] == "the trial's worker died"

    again = run_sweep([tiny_cnn], settings, engine="local")
    assert again[0].status == "complete" and again[0].error is None
    info = read_run_json(folder / "run.json")
    assert info["status"] == "complete" and info["resumed_from_epoch"] == 1
    assert "error" not in info and "stopped" not in info
