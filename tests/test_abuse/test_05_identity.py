"""Item 5: a run folder is loaded only as the run its run.json records.

A renamed folder (``p.max`` to ``p.avg``, ``in.32`` to ``in.33``) or a ``run.json`` of
another run is refused in one line naming both; so is a model whose weight shapes
differ from the recorded digest. Runs recorded before the digest load with a note.
"""

from __future__ import annotations

import json

import pytest

from mura_core.errors import MuraError
from mura_core.runs import load_run, read_run_json, update_run_json

from .helpers import assert_one_line_error, copy_run, run_cli


@pytest.mark.parametrize(("old", "new"), [("p.max", "p.avg"), ("in.32.32.1", "in.33.33.1")])
def test_a_renamed_run_folder_is_refused_naming_both_names(
    capsys, trained, mura_root, tmp_path, old, new
):
    renamed = trained.name.replace(old, new)
    folder = copy_run(trained, tmp_path, renamed)
    image = next(mura_root.rglob("image1.png"))
    line = assert_one_line_error(*run_cli(capsys, "predict", folder, image)[::2], renamed)
    assert trained.name in line
    status, _, err = run_cli(capsys, "evaluate", folder, "--data", mura_root)
    assert_one_line_error(status, err, renamed, trained.name)


def test_a_run_json_of_another_model_is_refused(trained, tmp_path):
    folder = copy_run(trained, tmp_path)
    other = trained.name.replace("f.8", "f.16")
    update_run_json(folder / "run.json", name=other)
    with pytest.raises(MuraError, match="names another run"):
        load_run(folder)


def test_weights_of_other_shapes_than_recorded_are_refused(trained, tmp_path):
    folder = copy_run(trained, tmp_path)
    assert len(read_run_json(folder / "run.json")["weights_digest"]) == 64
    update_run_json(folder / "run.json", weights_digest="0" * 64)
    with pytest.raises(MuraError, match="other weight shapes"):
        load_run(folder)


def test_a_run_recorded_before_the_digest_loads_with_one_note(capsys, trained, mura_root, tmp_path):
    folder = copy_run(trained, tmp_path)
    info = read_run_json(folder / "run.json")
    del info["weights_digest"]
    (folder / "run.json").write_text(json.dumps(info))
    assert len(load_run(folder).notes) == 1
    status, out, err = run_cli(capsys, "predict", folder, next(mura_root.rglob("image1.png")))
    assert status == 0 and "probability" in out
    assert err.count("\n") == 1 and err.startswith("mura: note: ") and "older version" in err
