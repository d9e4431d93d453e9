"""An ensemble records the data its members were given; changed test images are refused."""

from __future__ import annotations

import shutil

import pandas as pd

from mura_core.cli import main
from mura_core.runs.layout import RunFolder
from tests.ensembles.training_helpers import AVG


def test_an_ensemble_refuses_test_images_changed_since_its_members_trained(
    ensemble_runs, mura_root, tmp_path, capsys
):
    from mura_core.data.fingerprint import read_fingerprint

    folder = RunFolder.for_run(ensemble_runs["out"], AVG)
    table = read_fingerprint(folder.fingerprint)
    manifest = pd.read_csv(folder.split)
    assert list(table["path"]) == list(manifest["path"])
    member = read_fingerprint(folder.member("XR_HAND").fingerprint)
    assert table.merge(member, on=["subset", "path"], suffixes=("", "_member")).pipe(
        lambda both: (both["mtime_ns"] == both["mtime_ns_member"]).all() and len(both) > 0
    ), "the members' record of an image is the ensemble's"
    data = tmp_path / "data"
    shutil.copytree(mura_root / "MURA-v1.1", data / "MURA-v1.1")
    test = list(manifest.loc[manifest["subset"] == "test", "path"])
    (data / test[0]).write_bytes((data / test[-1]).read_bytes() + b"\0")
    evaluation = folder.evaluation.read_bytes()
    status = main(["evaluate", AVG, "--runs", str(ensemble_runs["out"]), "--data", str(data)])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1, err
    assert "the test data changed since" in err and "1 image differs" in err
    assert folder.evaluation.read_bytes() == evaluation
