"""Ensemble runs trained on the tiny synthetic tree: members, resume, warm start, rules."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mura_core.cli import main
from mura_core.runs import load_run, read_run_json
from tests.ensembles.training_helpers import AVG, LAYER, ROUTE_WS, SINGLE


def _folder(runs, name):
    from mura_core.runs.layout import RunFolder

    return RunFolder.for_run(runs["out"], name)


def test_members_train_into_members_folders_with_a_single_runs_artifacts(ensemble_runs):
    folder = _folder(ensemble_runs, AVG)
    assert sorted(path.name for path in folder.members.iterdir()) == ["XR_HAND", "XR_WRIST"]
    member = folder.member("XR_WRIST")
    for artifact in ("run.json", "history.tsv", "evaluation.tsv", "split.csv", "name.txt"):
        assert (member.path / artifact).is_file(), artifact
    assert member.best_weights() is not None
    assert member.name == AVG.replace("parts_m(", "").split(")")[0] + "__wc_XR_WRIST"
    info = read_run_json(folder.run_json)
    assert info["status"] == "complete" and info["combination"] == "avg"
    assert [m["status"] for m in info["members"]] == ["complete", "complete"]
    assert folder.name_file.read_text().strip() == AVG


def test_a_failed_second_member_resumes_and_the_first_is_skipped(ensemble_runs):
    interrupted = ensemble_runs["interrupted"]
    assert interrupted.failed == ["XR_WRIST"]  # the first member trained all the same
    assert interrupted.members == {
        "XR_HAND": "trained",
        "XR_WRIST": "failed: Interrupt: killed after epoch 1",
    }
    outcomes = ensemble_runs["avg"].members
    assert outcomes == {
        "XR_HAND": "complete (skipped)",
        "XR_WRIST": "trained (resumed after epoch 1)",
    }
    history = pd.read_csv(_folder(ensemble_runs, AVG).member("XR_WRIST").history, sep="\t")
    assert list(history["epoch"]) == [1, 2]


def test_avg_is_the_mean_of_the_members_and_matches_their_own_predictions(ensemble_runs):
    folder = _folder(ensemble_runs, AVG)
    combined = pd.read_csv(folder.predictions_for("test"), sep="\t")
    columns = ["member.XR_HAND", "member.XR_WRIST"]
    np.testing.assert_allclose(combined["probability"], combined[columns].mean(axis=1))
    for key in ("XR_HAND", "XR_WRIST"):
        own = pd.read_csv(folder.member(key).predictions_for("test"), sep="\t")
        merged = own.merge(combined, on="path", suffixes=("_own", ""))
        assert len(merged) == len(own) > 0
        np.testing.assert_allclose(merged[f"member.{key}"], merged["probability_own"], rtol=1e-5)
    assert set(combined["body_part"]) == {"XR_HAND", "XR_WRIST"}


def test_route_takes_each_image_from_its_part_and_reports_uncovered_parts(ensemble_runs):
    folder = _folder(ensemble_runs, ROUTE_WS)
    combined = pd.read_csv(folder.predictions_for("test"), sep="\t")
    own = pd.concat(
        pd.read_csv(folder.member(key).predictions_for("test"), sep="\t")
        for key in ("XR_HAND", "XR_WRIST")
    )
    merged = combined.merge(own[["path", "probability"]], on="path", suffixes=("", "_own"))
    assert len(merged) == len(combined) == len(own)
    np.testing.assert_allclose(merged["probability"], merged["probability_own"], rtol=1e-5)
    info = read_run_json(folder.run_json)
    assert info["status"] == "partial"
    assert [m["status"] for m in info["members"]] == ["not trained", "complete", "complete"]
    uncovered = ensemble_runs["route"].uncovered
    assert uncovered and all("XR_ELBOW" in path for path in uncovered)
    assert info["uncovered"] == len(uncovered)
    evaluation = pd.read_csv(folder.evaluation, sep="\t")
    assert "XR_ELBOW" not in set(evaluation["body_part"])


def test_warm_start_begins_every_member_at_the_all_parts_weights(ensemble_runs):
    single = load_run(ensemble_runs["single"].folder.path).model.get_layer(LAYER).get_weights()
    starts = ensemble_runs["starts"]
    assert len(starts) == 2
    for weights in starts.values():
        for start, reference in zip(weights, single, strict=True):
            np.testing.assert_array_equal(start, reference)
    folder = _folder(ensemble_runs, ROUTE_WS)
    member = read_run_json(folder.member("XR_WRIST").run_json)
    assert any("initialised from" in note for note in member["notes"])
    assert read_run_json(folder.run_json)["warm_start"] == SINGLE
    # the optimizer state in the checkpoint is left behind on purpose, without a warning
    assert not [text for text in ensemble_runs["warm_start_warnings"] if "optimizer" in text]


def test_load_run_rebuilds_every_member_from_names(ensemble_runs):
    loaded = load_run(_folder(ensemble_runs, ROUTE_WS).path)
    assert loaded.name == ROUTE_WS
    assert sorted(loaded.members) == ["XR_HAND", "XR_WRIST"] and loaded.missing == ["XR_ELBOW"]
    assert loaded.members["XR_WRIST"].name.endswith("__wc_XR_WRIST")
    assert any("1 of 3 members not trained (XR_ELBOW)" in note for note in loaded.notes)


def test_evaluate_cli_on_a_partial_route_ensemble(ensemble_runs, mura_root, capsys):
    status = main(["evaluate", ROUTE_WS, "--data", str(mura_root),
                   "--runs", str(ensemble_runs["out"]), "--json", "--resamples", "0"])  # fmt: skip
    captured = capsys.readouterr()
    assert status == 0, captured.err
    result = json.loads(captured.out)
    assert result["run"] == ROUTE_WS and result["uncovered"]
    warnings = [line for line in captured.err.splitlines() if "uncovered" in line]
    assert len(warnings) == 1 and f"{len(result['uncovered'])} image(s)" in warnings[0]
    assert set(result["by_body_part"]) == {"XR_HAND", "XR_WRIST"}


def test_predict_cli_on_an_avg_ensemble(ensemble_runs, mura_root, capsys):
    study = next((mura_root / "MURA-v1.1" / "valid" / "XR_HAND").glob("*/*"))
    status = main(["predict", AVG, str(study), "--runs", str(ensemble_runs["out"]), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert status == 0 and result["run"] == AVG and result["uncovered"] == []
    assert len(result["studies"]) == 1 and 0 <= result["studies"][0]["probability"] <= 1


def test_compare_and_runs_list_show_single_and_ensemble_runs(ensemble_runs, capsys):
    runs = str(ensemble_runs["out"])
    plot = ensemble_runs["out"].parent / "comparison.png"
    assert main(["compare", SINGLE, AVG, "--runs", runs, "--plot", str(plot)]) == 0
    output = capsys.readouterr().out
    assert "test set by body part (study kappa)" in output
    assert f"run 1: {SINGLE}" in output and f"run 2: {AVG}" in output
    part_rows = [line for line in output.splitlines() if line.startswith("XR_WRIST")]
    assert len(part_rows) == 1 and len(part_rows[0].split()) == 3
    assert plot.with_name("comparison.parts.png").stat().st_size > 0
    assert main(["runs", "list", "--runs", runs, "--json"]) == 0
    listed = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert listed[AVG]["status"] == "complete" and listed[ROUTE_WS]["status"] == "partial"
    assert listed[SINGLE]["family"] == "cnn" and listed[AVG]["family"] == "parts"


@pytest.mark.parametrize(
    ("name", "extra", "message"),
    [
        (ROUTE_WS, ["--members", "XR_KNEE"], "no member 'XR_KNEE' in this ensemble"),
        (SINGLE, ["--members", "XR_WRIST"], "--members applies to ensemble names only"),
        (SINGLE, ["--engine", "local"], "--engine applies to ensemble names only"),
        (AVG, ["--engine", "local", "--max-concurrent", "2"], "--max-concurrent needs --engine"),
        (AVG, ["--body-part", "XR_WRIST"], "--body-part does not apply to an ensemble"),
        (AVG, [], "is already trained"),
    ],
)
def test_ensemble_training_refusals_are_one_line(ensemble_runs, mura_root, capsys, name, extra,
                                                 message):  # fmt: skip
    status = main(["train", name, "--data", str(mura_root), "--runs", str(ensemble_runs["out"]),
                   "--epochs", "1", *extra])  # fmt: skip
    error = capsys.readouterr().err.strip()
    assert status == 2 and message in error and "\n" not in error


def test_a_missing_warm_start_run_is_named(mura_root, tmp_path, capsys):
    status = main(["train", ROUTE_WS, "--data", str(mura_root), "--runs", str(tmp_path)])
    error = capsys.readouterr().err.strip()
    assert status == 2 and "\n" not in error
    assert f"warm start needs the trained run {SINGLE} in {tmp_path}" in error
    assert not any(tmp_path.iterdir())


def test_explain_an_ensemble_through_its_members(ensemble_runs, mura_root, tmp_path, capsys):
    """``avg``: the mean of the members' heatmaps; ``route``: the body part's member."""
    from mura_core.explain import explain
    from mura_core.runs import load_run

    runs = ensemble_runs["out"]
    valid = mura_root / "MURA-v1.1" / "valid"
    study = next((valid / "XR_WRIST").glob("*/*"))
    averaged = explain(_folder(ensemble_runs, AVG).path, [study])
    members = [explain(load_run(_folder(ensemble_runs, AVG).member(key).path), [study])
               for key in ("XR_HAND", "XR_WRIST")]  # fmt: skip
    for index, item in enumerate(averaged):
        mean = np.mean([member[index].heatmap for member in members], axis=0)
        assert np.allclose(item.heatmap, mean, atol=1e-6)
        expected = np.mean([member[index].probability for member in members])
        assert item.probability == pytest.approx(expected, abs=1e-6)
        assert "mean of 2 members" in item.layer
    elbow = next((valid / "XR_ELBOW").glob("*/*"))
    status = main(["explain", ROUTE_WS, str(study), str(elbow), "--runs", str(runs),
                   "--output", str(tmp_path / "route"), "--json"])  # fmt: skip
    captured = capsys.readouterr()
    assert status == 0, captured.err
    rows = json.loads(captured.out)
    wrist = explain(load_run(_folder(ensemble_runs, ROUTE_WS).member("XR_WRIST").path), [study])
    routed = [row for row in rows if "/XR_WRIST/" in row["path"]]
    assert [row["probability"] for row in routed] == pytest.approx(
        [item.probability for item in wrist], abs=1e-6
    )
    trained = {key for key in ("XR_ELBOW", "XR_HAND", "XR_WRIST")
               if _folder(ensemble_runs, ROUTE_WS).member(key).best_weights()}  # fmt: skip
    if "XR_ELBOW" not in trained:
        assert "are uncovered and left out" in captured.err
        assert not [row for row in rows if "/XR_ELBOW/" in row["path"]]
