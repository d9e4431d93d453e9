"""An export folder is untrusted input: its ``export.json`` is validated (one line naming
the field), its artifact must lie inside it, and an artifact holding an operation ``mura
export`` never writes is refused, naming it, before anything of it runs. Each reader of
``export.json`` (``mura submit``, ``mura export`` adding a format, the model card) goes
through the same schema."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from mura_core.cli import main
from tests.export.crafted import (
    checkpointing_savedmodel,
    foreign_onnx,
    minimal_record,
    write_record,
    writing_savedmodel,
    writing_tflite,
)


@pytest.fixture(scope="module")
def valid_csv(mura_root) -> Path:
    return mura_root / "MURA-v1.1" / "valid_image_paths.csv"


def submit(source: Path, table: Path, output: Path, capsys) -> tuple[int, list[str]]:
    code = main(["submit", str(source), str(table), str(output)])
    err = capsys.readouterr().err.strip().splitlines()
    return code, err


def assert_refused(code: int, err: list[str], message: str) -> None:
    assert code == 2, err
    assert len(err) == 1 and err[0].startswith("mura: error: "), err
    assert "unexpected" not in err[0] and message in err[0], err


@pytest.mark.parametrize(
    ("craft", "operation"),
    [(writing_savedmodel, "WriteFile"), (checkpointing_savedmodel, "SaveV2"),
     (writing_tflite, "CUSTOM:FlexWriteFile")],
    ids=["savedmodel", "savedmodel-checkpoint", "tflite"],
)  # fmt: skip
def test_an_artifact_that_writes_a_file_is_refused_before_it_runs(
    craft, operation, valid_csv, tmp_path, capsys
):
    target = tmp_path / "written-by-the-artifact.txt"
    folder = craft(tmp_path / "evil", target)
    output = tmp_path / "out.csv"
    code, err = submit(folder, valid_csv, output, capsys)
    assert_refused(code, err, f"operation {operation}")
    assert not list(tmp_path.glob(f"{target.name}*")) and not output.exists()


def test_an_onnx_operation_of_a_foreign_domain_is_refused(valid_csv, tmp_path, capsys):
    folder = foreign_onnx(tmp_path / "evil")
    code, err = submit(folder, valid_csv, tmp_path / "out.csv", capsys)
    assert_refused(code, err, "operation evil.ops:Shell")


def _entry(record: dict[str, Any]) -> dict[str, Any]:
    return record["artifacts"]["savedmodel"]


#: Records that are not export records: how each is damaged, and what the line says.
DAMAGED = {
    "no inputs": (lambda r: _entry(r).pop("inputs"),
                  "export.json: artifacts.savedmodel.inputs: field required"),
    "shape a string": (lambda r: _entry(r)["inputs"][0].update(shape="32x32"),
                       "artifacts.savedmodel.inputs[0].shape: input should be a valid list"),
    "entry a string": (lambda r: r["artifacts"].update(savedmodel="saved_model"),
                       "artifacts.savedmodel: input should be a valid dictionary"),
    "artifacts a list": (lambda r: r.update(artifacts=["saved_model"]),
                         "artifacts: input should be a valid dictionary"),
    "unknown format": (lambda r: r["artifacts"].update(pickle=_entry(r)),
                       "artifacts.pickle: input should be 'savedmodel'"),
    "no image input": (lambda r: _entry(r)["inputs"][0].update(name="body_part"),
                       "expected one 'image' input"),
    "negative size": (lambda r: _entry(r)["inputs"][0]["shape"].__setitem__(1, -3),
                      "artifacts.savedmodel.inputs[0].shape[1]: input should be greater"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(DAMAGED))
def test_a_damaged_record_is_one_line_naming_the_field(case, valid_csv, tmp_path, capsys):
    damage, message = DAMAGED[case]
    record = minimal_record()
    damage(record)
    folder = write_record(tmp_path / "export", record)
    (folder / "saved_model").mkdir()
    code, err = submit(folder, valid_csv, tmp_path / "out.csv", capsys)
    assert_refused(code, err, message)
    assert not (tmp_path / "out.csv").exists()


def test_a_record_that_is_not_an_object_or_not_json(valid_csv, tmp_path, capsys):
    for text, message in (("[]", "input should be a valid dictionary"),
                          ("{", "unreadable (JSONDecodeError)")):  # fmt: skip
        folder = tmp_path / "export"
        folder.mkdir(exist_ok=True)
        (folder / "export.json").write_text(text)
        code, err = submit(folder, valid_csv, tmp_path / "out.csv", capsys)
        assert_refused(code, err, message)


def _escaping(tmp_path: Path, kind: str) -> Path:
    """An export folder whose artifact path leaves it, in one of several ways."""
    outside = tmp_path / "outside"
    (outside / "variables").mkdir(parents=True)
    (outside / "saved_model.pb").write_bytes(b"not a graph")
    folder = tmp_path / "export"
    if kind == "dot-dot":
        return write_record(folder, minimal_record("onnx", "../" * 12 + "etc/hostname"))
    if kind == "absolute":
        return write_record(folder, minimal_record("onnx", str(outside / "saved_model.pb")))
    if kind == "folder itself":
        return write_record(folder, minimal_record("savedmodel", "."))
    write_record(folder, minimal_record())
    if kind == "symlink":
        os.symlink(outside, folder / "saved_model")
    else:  # a link inside the SavedModel folder
        (folder / "saved_model").mkdir()
        os.symlink(outside / "saved_model.pb", folder / "saved_model" / "saved_model.pb")
    return folder


@pytest.mark.parametrize(
    ("kind", "message"),
    [("dot-dot", "is not inside the export folder"), ("absolute", "is absolute"),
     ("folder itself", "is not inside the export folder"),
     ("symlink", "is not inside the export folder"),
     ("link inside", "links outside the export folder")],
)  # fmt: skip
def test_an_artifact_path_leaving_the_folder_is_refused(kind, message, valid_csv, tmp_path,
                                                        capsys):  # fmt: skip
    folder = _escaping(tmp_path, kind)
    code, err = submit(folder, valid_csv, tmp_path / "out.csv", capsys)
    assert_refused(code, err, message)
    assert "InvalidProtobuf" not in err[0] and "artifacts." in err[0]


def test_export_into_a_folder_with_a_damaged_record_is_refused(trained, tmp_path, capsys):
    record = minimal_record()
    _entry(record)["inputs"] = "image"
    folder = write_record(tmp_path / "export", record)
    before = (folder / "export.json").read_text()
    code = main(["export", str(trained.run.folder.path), "--format", "onnx",
                 "--output", str(folder)])  # fmt: skip
    assert_refused(code, capsys.readouterr().err.strip().splitlines(),
                   "artifacts.savedmodel.inputs: input should be a valid list")
    assert (folder / "export.json").read_text() == before
    assert sorted(p.name for p in folder.iterdir()) == ["export.json"]


def test_the_model_card_reads_artifacts_through_the_schema(trained, tmp_path):
    from mura_core.errors import MuraError
    from mura_core.export.card import model_card

    entry = _entry(minimal_record())
    del entry["outputs"]
    with pytest.raises(MuraError, match=r"^artifacts\.savedmodel\.outputs: field required"):
        model_card(trained.run.folder.path, artifacts={"savedmodel": entry})


def test_the_record_mura_export_writes_reads_back_unchanged(tmp_path):
    from mura_core.export.record import ExportRecord, read_export_record, write_export_record

    record = ExportRecord.model_validate(minimal_record())
    write_export_record(tmp_path, record)
    assert read_export_record(tmp_path) == record
    assert json.loads((tmp_path / "export.json").read_text())["artifacts"]["savedmodel"][
        "inputs"] == minimal_record()["artifacts"]["savedmodel"]["inputs"]  # fmt: skip


def test_the_allow_lists_hold_no_file_process_network_or_python_operation():
    from mura_core.export import allowed_ops

    words = ("File", "PyFunc", "Save", "Restore", "Matching", "Checkpoint", "Dataset",
             "Iterator", "Reader", "Writer", "Print", "Summary", "Shell", "Rpc", "Socket",
             "Decode", "Encode", "CUSTOM", "Flex", "Collective")  # fmt: skip
    listed = (allowed_ops.ALLOWED_SAVEDMODEL_OPS | allowed_ops.ALLOWED_TFLITE_OPS
              | allowed_ops.ALLOWED_ONNX_OPS)  # fmt: skip
    assert listed and not [op for op in listed if any(word in op for word in words)]
    assert all(op.startswith("ai.onnx:") for op in allowed_ops.ALLOWED_ONNX_OPS)
    assert not allowed_ops.SAVER_OPS & allowed_ops.ALLOWED_SAVEDMODEL_OPS
