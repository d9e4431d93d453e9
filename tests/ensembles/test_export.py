"""Ensembles export as one graph: ``avg`` averages members inside it, ``route`` takes a
``body_part`` input; both within the float32 tolerance of the ensemble run (``route`` as
ONNX and TFLite, whose converters differ), and ``mura submit`` runs from them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mura_core.cli import main
from mura_core.export.formats import TOLERANCES
from tests.ensembles.training_helpers import AVG, ROUTE_WS


@pytest.fixture(scope="module")
def exports(ensemble_runs, tmp_path_factory):
    """Both ensembles exported as ONNX (the quickest format to write)."""
    from mura_core.export.exporting import export_run
    from mura_core.runs import find_run, load_run

    out = tmp_path_factory.mktemp("ensemble-exports")
    results = {}
    for name, key in ((AVG, "avg"), (ROUTE_WS, "route")):
        loaded = load_run(find_run(name, ensemble_runs["out"]))
        results[key] = (loaded, export_run(loaded, "onnx", out / key, card=False))
    results["route-tflite"] = (loaded, export_run(loaded, "tflite", out / "route", card=False))
    return results


def test_avg_is_one_graph_averaging_its_members(exports):
    loaded, result = exports["avg"]
    assert result.parity.passed and result.parity.max_abs_difference <= TOLERANCES["onnx"]
    entry = json.loads(result.record.read_text())["artifacts"]["onnx"]
    assert [i["name"] for i in entry["inputs"]] == ["image"] and entry["combination"] == "avg"
    import onnx

    graph = onnx.load(str(result.path)).graph
    assert [i.name for i in graph.input] == ["image"]
    assert [o.name for o in graph.output] == ["probability"]


def test_route_takes_the_body_part_index_and_leaves_uncovered_parts_nan(exports, mura_root):
    from mura_core.export.artifact import load_artifact
    from mura_core.inference import predict_frame, subset_frame
    from registry import BODY_PARTS

    loaded, result = exports["route"]
    assert result.parity.passed and exports["route-tflite"][1].parity.passed
    assert exports["route-tflite"][1].parity.max_abs_difference <= TOLERANCES["tflite"]
    artifact = load_artifact(result.path.parent, "onnx")
    assert artifact.record.covered_body_parts == ["XR_HAND", "XR_WRIST"]
    assert artifact.route
    assert [i.name for i in artifact.record.inputs] == ["image", "body_part"]
    rows = subset_frame(loaded.folder, mura_root, "test")
    rows = rows[rows["body_part"].isin(["XR_HAND", "XR_WRIST", "XR_ELBOW"])]
    got = artifact.predict_frame(rows)
    expected = predict_frame(loaded.model, rows, loaded.name)["probability"]
    expected = expected.reindex(rows.index).to_numpy()
    elbow = (rows["body_part"] == "XR_ELBOW").to_numpy()
    assert elbow.any() and np.isnan(got[elbow]).all()
    assert np.max(np.abs(got[~elbow] - expected[~elbow])) <= TOLERANCES["onnx"]
    # the same image scored as another part takes that part's member
    first = rows[~elbow].iloc[:1]
    from mura_core.data.pipeline import decoded_dataset

    image = next(decoded_dataset(first, image_size=(32, 32), channels=1,
                                 grayscale=True).as_numpy_iterator())[0][None]  # fmt: skip
    by_part = {p: artifact.predict(image, np.array([BODY_PARTS.index(p)]))[0]
               for p in ("XR_HAND", "XR_WRIST")}  # fmt: skip
    assert by_part["XR_HAND"] != by_part["XR_WRIST"]


def test_submit_from_a_route_export_refuses_uncovered_parts(exports, mura_root, tmp_path, capsys):
    _, result = exports["route"]
    table = mura_root / "MURA-v1.1" / "valid_image_paths.csv"
    output = tmp_path / "predictions.csv"
    code = main(["submit", str(result.path.parent), str(table), str(output)])
    err = capsys.readouterr().err.strip().splitlines()
    errors = [line for line in err if not line.startswith("mura: note:")]  # the chosen artifact
    assert code == 2 and len(errors) == 1 and "no member for their body part" in errors[0]
    assert not output.exists()


def test_every_ensemble_operation_is_on_the_allow_list(exports):
    from tests.export.exported_ops import unlisted_ops

    for key, (_, result) in exports.items():
        assert unlisted_ops(result.format, result.path) == set(), key
