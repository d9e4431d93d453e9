"""An ensemble is complete only when every selected member is; an empty member selection
is refused; ``mura predict`` and ``mura explain`` refuse the same images (one coverage
check)."""

from __future__ import annotations

import json
import shutil

import pytest

from mura_core.cli import main
from mura_core.ensembles.training import select_members
from mura_core.errors import MuraError
from mura_core.runs import load_run, read_run_json
from mura_core.runs.layout import RunFolder
from tests.ensembles.training_helpers import AVG, ROUTE_WS
from tests.test_abuse.helpers import assert_one_line_error, snapshot


def _private_copy(ensemble_runs, name, runs):
    """A copy of the shared ensemble run ``name`` in the runs folder ``runs``."""
    source = RunFolder.for_run(ensemble_runs["out"], name).path
    target = RunFolder.for_run(runs, name).path
    shutil.copytree(source, target)
    return RunFolder.for_run(runs, name)


def test_a_member_deleted_from_a_complete_ensemble_is_trained_again_and_nothing_else(
    ensemble_runs, mura_root, tmp_path, capsys
):
    runs = tmp_path / "runs"
    folder = _private_copy(ensemble_runs, AVG, runs)
    assert read_run_json(folder.run_json)["status"] == "complete"
    shutil.rmtree(folder.member("XR_WRIST").path)
    kept = snapshot(folder.member("XR_HAND").path)
    args = ["train", AVG, "--data", mura_root, "--runs", runs, "--epochs", "1",
            "--batch-size", "16", "--engine", "local", "--json"]  # fmt: skip
    status = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    result = json.loads(captured.out)
    assert result["members"] == {"XR_HAND": "complete (skipped)", "XR_WRIST": "trained"}
    assert snapshot(folder.member("XR_HAND").path) == kept  # the complete member untouched
    info = read_run_json(folder.run_json)
    assert info["status"] == "complete"
    assert [member["status"] for member in info["members"]] == ["complete", "complete"]
    # the same command again: nothing is missing, so nothing is trained
    status = main([str(arg) for arg in args])
    assert_one_line_error(status, capsys.readouterr().err, "is already trained", "--overwrite")


def test_a_selection_of_trained_members_is_refused_and_names_them(
    ensemble_runs, mura_root, tmp_path, capsys
):
    runs = tmp_path / "runs"
    folder = _private_copy(ensemble_runs, ROUTE_WS, runs)
    shutil.copytree(ensemble_runs["single"].folder.path, runs / ensemble_runs["single"].name)
    before = snapshot(folder.path)
    status = main(["train", ROUTE_WS, "--data", str(mura_root), "--runs", str(runs),
                   "--epochs", "1", "--engine", "local", "--members", "HAND,XR_WRIST"])  # fmt: skip
    assert_one_line_error(status, capsys.readouterr().err,
                          "(members XR_HAND, XR_WRIST) is already trained")  # fmt: skip
    assert snapshot(folder.path) == before


@pytest.mark.parametrize("members", ["", " ", " , ", "XR_HAND,", ",XR_HAND", "XR_HAND,,XR_WRIST"])
def test_an_empty_member_selection_is_refused_before_anything(mura_root, tmp_path, capsys,
                                                              members):  # fmt: skip
    runs = tmp_path / "runs"
    status = main(["train", AVG, "--data", str(mura_root), "--runs", str(runs), "--epochs", "1",
                   "--engine", "local", "--members", members])  # fmt: skip
    assert_one_line_error(status, capsys.readouterr().err, "--members")
    assert not runs.exists()


@pytest.mark.parametrize("keys", [[], [""], ["  "], ["XR_HAND", ""]])
def test_select_members_refuses_an_empty_selection(keys):
    import registry
    from mura_core.ensembles import ensembler_of

    parsed = registry.parse(AVG)
    with pytest.raises(MuraError, match="empty member selection"):
        select_members(ensembler_of(parsed).members(parsed), keys)


def _study(root, part):
    return next((root / "MURA-v1.1" / "valid" / part).glob("*/*"))


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("mura: error:")]


#: Inputs of the partial ``route`` ensemble (XR_ELBOW has no trained member).
COVERAGE_CASES = {
    "uncovered only": ["XR_ELBOW"],
    "covered only": ["XR_WRIST"],
    "both": ["XR_ELBOW", "XR_HAND"],
}


@pytest.mark.parametrize("case", sorted(COVERAGE_CASES))
def test_predict_and_explain_refuse_the_same_images(ensemble_runs, mura_root, tmp_path, capsys,
                                                    case):  # fmt: skip
    runs = str(ensemble_runs["out"])
    paths = [str(_study(mura_root, part)) for part in COVERAGE_CASES[case]]
    predicted = main(["predict", ROUTE_WS, *paths, "--runs", runs, "--json"])
    predict_out = capsys.readouterr()
    output = tmp_path / "explained"
    explained = main(["explain", ROUTE_WS, *paths, "--runs", runs, "--output", str(output),
                      "--json"])  # fmt: skip
    explain_out = capsys.readouterr()
    assert predicted == explained, (predict_out.err, explain_out.err)
    if case == "uncovered only":  # the loader's note on missing members, then one error
        errors = [_errors(out.err) for out in (predict_out, explain_out)]
        assert predicted == 2 and errors[0] == errors[1] and len(errors[0]) == 1
        assert "covers none of the given 1 image(s)" in errors[0][0]
        assert not output.exists()  # refused before anything is written
        return
    images = {row["path"] for row in json.loads(predict_out.out)["images"]}
    assert images == {row["path"] for row in json.loads(explain_out.out)}
    warned = [line for line in explain_out.err.splitlines() if "uncovered" in line]
    assert warned == [line for line in predict_out.err.splitlines() if "uncovered" in line]
    assert len(warned) == ("XR_ELBOW" in COVERAGE_CASES[case])


def test_coverage_of_a_single_run_is_every_image(trained, mura_root):
    from mura_core.data.images import collect_images
    from mura_core.ensembles.coverage import coverage

    frame = collect_images([str(_study(mura_root, "XR_ELBOW"))])
    found = coverage(load_run(trained.folder.path), frame)
    assert found.uncovered == [] and len(found.covered) == len(frame)
