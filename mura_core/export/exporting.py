"""``mura export``: a run as a self-contained artifact, checked against the run.

The artifact is written to a staging folder inside the output folder, its parity with
the run measured on a sample of the run's test set, and only then moved into place and
recorded in ``export.json`` (with ``MODEL_CARD.md`` beside it). An artifact beyond its
format's tolerance is removed and nothing already in the output folder changes, unless
``keep_mismatched``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mura_core.errors import MuraError
from mura_core.export.artifact import Artifact
from mura_core.export.formats import ARTIFACT_FILES, check_available, tolerance, write_artifact
from mura_core.export.parity import Parity, measure_parity, parity_sample, run_probabilities
from mura_core.export.record import (
    EXPORT_JSON,
    ArtifactRecord,
    ExportRecord,
    ParityRecord,
    read_export_record,
    write_export_record,
)
from mura_core.timestamps import utc_now
from mura_core.versions import installed_version
from mura_core.vocabulary import ExportFormat, Quantize

__all__ = ["ExportResult", "Parity", "export_run"]

#: Images of the training split that calibrate int8 quantisation.
CALIBRATION_IMAGES = 64
#: The model card beside the artifacts.
MODEL_CARD = "MODEL_CARD.md"


@dataclass
class ExportResult:
    """What ``mura export`` wrote."""

    run: str
    format: str
    quantize: str
    path: Path
    parity: Parity
    record: Path
    card: Path | None
    #: What the user should know (data that could not be checked, or other data).
    notes: list[str] = field(default_factory=list)


def data_root_of(loaded: Any, data: str | Path | None) -> Any:
    """The data root to sample (a :class:`~mura_core.data.sources.DataRoot`, read with the
    dataset layout the run recorded): ``data``, else the one the run was trained on."""
    from mura_core.data.sources import open_data

    config = loaded.info.get("config") or {}
    if data is not None:
        if not Path(data).is_dir():
            raise MuraError(f"--data {data}: no such folder")
        return open_data(data, config.get("layout"))
    recorded = config.get("data_root")
    if not recorded:
        raise MuraError("the run records no data root to measure parity on; give --data ROOT")
    if not Path(recorded).is_dir():
        raise MuraError(f"the run's data root {recorded} is not here; give --data ROOT")
    return open_data(recorded, config.get("layout"))


def _check_output(output: Path, run: str, format: str, overwrite: bool) -> ExportRecord | None:
    """The output folder's current record of ``run``; refuse to clobber anything not
    asked to, a folder in a MURA tree or a run folder, and a file that would land outside
    it."""
    from mura_core.outputs import check_place, inside

    if output.exists() and not output.is_dir():
        raise MuraError(f"{output}: not a folder")
    check_place(output, "--output")
    for name in (ARTIFACT_FILES[format], EXPORT_JSON, MODEL_CARD, f".staging-{format}"):
        inside(output, name)
    record = read_export_record(output) if output.is_dir() else None
    if output.is_dir() and not record and any(not p.name.startswith(".") for p in output.iterdir()):
        raise MuraError(f"{output}: not an export folder and not empty; choose a new folder")
    if record and record.run != run and not overwrite:
        raise MuraError(f"{output} holds exports of {record.run}; pass --overwrite "
                        "to replace them")  # fmt: skip
    if record and record.run == run and format in record.artifacts and not overwrite:
        article = "an" if format[0] in "aeio" else "a"
        raise MuraError(f"{output} already holds {article} {format} export; pass --overwrite")
    return record if record and record.run == run else None


def _training_rows(loaded: Any, root: Path) -> pd.DataFrame:
    """The training split of the run's manifest (``split.csv``)."""
    from mura_core.data.split import read_manifest

    if not loaded.folder.split.exists():
        raise MuraError(f"{loaded.folder.path} has no split.csv: int8 calibrates on its "
                        "training split")  # fmt: skip
    return read_manifest(loaded.folder.split, root).subsets["train"]


def _calibration(rows: pd.DataFrame, graph: Any, body_parts: list[str]) -> Any:
    """A representative dataset for int8: single images of the training split."""
    from mura_core.data.pipeline import decoded_dataset

    sample = rows.sample(min(CALIBRATION_IMAGES, len(rows)), random_state=0)
    order = {part: index for index, part in enumerate(body_parts)}

    def images() -> Iterator[dict[str, Any]]:
        decoded = decoded_dataset(sample, image_size=graph.image_size, channels=1,
                                  grayscale=True)  # fmt: skip
        for (image, _), part in zip(decoded.as_numpy_iterator(), sample["body_part"]):
            item = {"image": image[None]}
            if graph.route:
                item["body_part"] = np.array([order.get(str(part), -1)], np.int32)
            yield item

    return images


def _move_into_place(staged: Path, target: Path) -> None:
    """Replace ``target`` by ``staged``; the old one is removed only once the new is in."""
    previous = target.with_name(f".previous-{target.name}")
    if target.exists():
        os.replace(target, previous)
    os.replace(staged, target)
    if previous.is_dir():
        shutil.rmtree(previous)
    elif previous.exists():
        previous.unlink()


def export_run(
    loaded: Any,
    format: ExportFormat,
    output: str | Path,
    *,
    data: str | Path | None = None,
    quantize: Quantize = "none",
    parity_images: int = 256,
    batch_size: int = 32,
    keep_mismatched: bool = False,
    overwrite: bool = False,
    card: bool = True,
    other_data: bool = False,
) -> ExportResult:
    """Export the loaded run ``loaded`` (``load_run``) as ``format`` into ``output``.

    Raises:
        MuraError: a format whose tools are not installed, an output folder holding
            something else, no data to measure parity on, data that changed since the
            run was trained without ``other_data``, or an artifact beyond the format's
            tolerance (then removed) without ``keep_mismatched``.
    """
    from mura_core.calibration import apply_calibration
    from mura_core.export.graph import serving_graph
    from registry import BODY_PARTS

    check_available(format)
    if quantize != "none" and format != "tflite":
        raise MuraError(f"--quantize applies to tflite exports only, not {format}")
    output = Path(output)
    record = _check_output(output, loaded.name, format, overwrite)
    weights = _weights_of(loaded)
    artifacts = record.artifacts if record else {}
    others = sorted(f for f, entry in artifacts.items() if entry.weights != weights)
    if others and not overwrite:
        raise MuraError(f"{output} holds {', '.join(others)} exports of other weights of this "
                        "run; use another folder, or --overwrite to replace them")  # fmt: skip
    if others:
        artifacts = {}  # the other weights' artifacts are removed once this one is in
    root = data_root_of(loaded, data)
    rows, notes = _parity_rows(loaded, root, parity_images, quantize, other_data)
    calibrated = apply_calibration(loaded)  # its temperature folded into the graph
    graph = serving_graph(loaded)
    calibration = None
    if quantize == "int8":
        calibration = _calibration(_training_rows(loaded, root), graph, list(BODY_PARTS))
    created = not output.exists()
    output.mkdir(parents=True, exist_ok=True)
    staging = output / f".staging-{format}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        path = write_artifact(graph.model, format, staging, quantize=quantize,
                              calibration=calibration)  # fmt: skip
        fields: dict[str, Any] = {
            "format": format,
            "file": ARTIFACT_FILES[format],
            "quantize": quantize,
            **graph.signature(),
            "weights": weights,
            "combination": getattr(loaded, "combination", None),
        }
        if graph.route:
            fields["body_part_index"] = list(BODY_PARTS)
            fields["covered_body_parts"] = graph.covered
        if calibration is not None:
            fields["calibration"] = {"images": CALIBRATION_IMAGES, "split": "train"}
        if calibrated is not None:
            fields["temperature"] = calibrated.temperature
            point = calibrated.operating_point
            fields["operating_point"] = None if point is None else point.model_dump()
        artifact = Artifact(loaded.name, format, path, ArtifactRecord.model_validate(fields))
        parity = measure_parity(
            run_probabilities(loaded, rows, batch_size),
            artifact.predict_frame(rows, batch_size=batch_size),
            rows,
            format=format,
            quantize=quantize,
            tolerance=tolerance(format, quantize),
        )
        if not parity.passed and not keep_mismatched:
            raise MuraError(f"{parity.line()}: artifact removed (--keep-mismatched keeps it)")
        target = output / ARTIFACT_FILES[format]
        _move_into_place(path, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not any(output.iterdir()):
            output.rmdir()  # nothing of a failed export is left behind
        raise
    shutil.rmtree(staging, ignore_errors=True)
    entry = ArtifactRecord.model_validate({
        **fields,
        "parity": ParityRecord(**parity.as_dict(), data_root=str(root)),
        "exported": utc_now(),
        "versions": _versions(),
    })  # fmt: skip
    if not artifacts:
        for stale in (output / name for name in ARTIFACT_FILES.values()):
            if stale != target and stale.exists():  # another run's artifacts (overwrite)
                shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    record = ExportRecord(
        run=loaded.name,
        run_folder=str(loaded.folder.path),
        provider=loaded.info.get("provider"),
        artifacts={**artifacts, format: entry},
    )
    record_path = write_export_record(output, record)
    card_path = _write_card(loaded, output, record, data) if card else None
    return ExportResult(loaded.name, format, quantize, target, parity, record_path, card_path,
                        notes)  # fmt: skip


def _parity_rows(
    loaded: Any, root: Path, images: int, quantize: str, other_data: bool
) -> tuple[pd.DataFrame, list[str]]:
    """The parity sample of the run's test set, once the data (and int8's training
    split) is checked against the run's record; with notes for the user."""
    from mura_core.inference import subset_frame
    from mura_core.runs.data_check import check_subsets, on_other_data

    rows = parity_sample(subset_frame(loaded.folder, root, "test"), images)
    subsets = ["test", "train"] if quantize == "int8" else ["test"]
    check = check_subsets(loaded.folder, loaded.name, root, subsets, other_data=other_data,
                          hint="measure parity on it as other data")  # fmt: skip
    notes = list(check.notes)
    if check.changes:
        notes.append(f"parity measured on other data: {check.changes.describe()}")
        rows = on_other_data(rows, root)
    return rows, notes


def _versions() -> dict[str, str]:
    """The installed versions of the packages an export depends on (the absent left out)."""
    packages = ("tensorflow", "keras", "tf2onnx", "onnx", "ai-edge-litert", "mura-registry")
    found = {package: installed_version(package) for package in packages}
    return {package: version for package, version in found.items() if version is not None}


def _weights_of(loaded: Any) -> str | dict[str, str]:
    """The weights file exported (an ensemble: each member's)."""
    if hasattr(loaded, "members"):
        return {key: member.weights.path.name for key, member in loaded.members.items()}
    return loaded.weights.path.name


def _write_card(loaded: Any, output: Path, record: ExportRecord, data: Any) -> Path:
    """``MODEL_CARD.md`` beside the artifacts. The card describes the data the run was
    trained on; ``--data`` stands for it only when the recorded root is gone."""
    from mura_core.export.card import write_model_card

    recorded = (loaded.info.get("config") or {}).get("data_root")
    root = data if data is not None and not (recorded and Path(recorded).is_dir()) else None
    return write_model_card(loaded.folder.path, output / MODEL_CARD,
                            artifacts=record.artifacts, data_root=root)  # fmt: skip
