"""``export.json``: the record of an export folder, one validated schema.

An export folder may come from anyone, so its record is read as untrusted input: every
reader (``mura submit``, :func:`~mura_core.export.artifact.load_artifact`, the model card,
``mura export`` adding a format) goes through :func:`read_export_record`, which validates
it against :class:`ExportRecord` and refuses it in one line naming the field
(``export.json: artifacts.onnx.inputs: field required``). ``mura export`` writes it from
the same classes. :func:`artifact_path` resolves an artifact's ``file`` and refuses one
that leaves the export folder (``..``, an absolute path, a symbolic link).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from mura_core.errors import MuraError
from mura_core.vocabulary import ExportFormat, Quantize

__all__ = [
    "EXPORT_JSON",
    "ArtifactRecord",
    "CalibrationRecord",
    "ExportRecord",
    "OperatingPointRecord",
    "ParityRecord",
    "TensorRecord",
    "artifact_path",
    "read_export_record",
    "validated_artifacts",
    "write_export_record",
]

#: The record's file name in an export folder.
EXPORT_JSON = "export.json"

_Size = Annotated[int, Field(ge=1, le=65536)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, ser_json_inf_nan="constants")


class TensorRecord(_Record):
    """An input or output of the artifact's signature (``None``: any batch size)."""

    name: Literal["image", "body_part", "probability"]
    shape: list[_Size | None] = Field(max_length=4)
    dtype: Literal["uint8", "int32", "float32"]


class CalibrationRecord(_Record):
    """The images an int8 artifact was calibrated on."""

    images: int = Field(ge=0)
    split: str


class OperatingPointRecord(_Record):
    """The study threshold of a calibrated run (``mura calibrate``) and its rule."""

    rule: str = Field(min_length=1, max_length=64)
    threshold: float = Field(ge=0.0, le=1.0)


class ParityRecord(_Record):
    """The artifact's parity with its run (a :class:`~mura_core.export.exporting.Parity`,
    as a record) and the data root it was measured on."""

    format: ExportFormat
    quantize: Quantize
    images: int = Field(ge=0)
    studies: int = Field(ge=0)
    max_abs_difference: float
    run_study_kappa: float
    artifact_study_kappa: float
    tolerance: float
    passed: bool
    data_root: str | None = None


class ArtifactRecord(_Record):
    """One artifact of the folder: its file, signature, weights and parity."""

    format: ExportFormat
    file: str = Field(min_length=1, max_length=4096)
    quantize: Quantize = "none"
    inputs: list[TensorRecord] = Field(min_length=1, max_length=2)
    outputs: list[TensorRecord] = Field(min_length=1, max_length=1)
    weights: str | dict[str, str] | None = None
    combination: Literal["avg", "route"] | None = None
    body_part_index: list[str] | None = None
    covered_body_parts: list[str] | None = None
    calibration: CalibrationRecord | None = None
    #: The temperature folded into the graph (``None``: the run is not calibrated).
    temperature: float | None = Field(default=None, gt=0.0)
    operating_point: OperatingPointRecord | None = None
    parity: ParityRecord | None = None
    exported: str | None = None
    versions: dict[str, str] = {}

    @model_validator(mode="after")
    def _signature(self) -> ArtifactRecord:
        names = [tensor.name for tensor in self.inputs]
        image = self.input("image")
        if image is None or len(names) != len(set(names)):
            raise ValueError("inputs: expected one 'image' input (and at most one 'body_part')")
        if len(image.shape) != 4 or None in image.shape[1:] or image.shape[3] != 1:
            raise ValueError(f"inputs: image shape must be [None, H, W, 1], not {image.shape}")
        if self.route and not self.body_part_index:
            raise ValueError("body_part_index: required by a 'body_part' input")
        if self.outputs[0].name != "probability":
            raise ValueError("outputs: expected one 'probability' output")
        return self

    def input(self, name: str) -> TensorRecord | None:
        """The input named ``name`` (None: none)."""
        return next((tensor for tensor in self.inputs if tensor.name == name), None)

    @property
    def image_size(self) -> tuple[int, int]:
        """``(height, width)`` of the ``image`` input."""
        shape = self.input("image").shape  # type: ignore[union-attr]
        return int(shape[1]), int(shape[2])  # type: ignore[arg-type]

    @property
    def threshold(self) -> float:
        """The study threshold: the operating point's, else 0.5."""
        return 0.5 if self.operating_point is None else self.operating_point.threshold

    @property
    def route(self) -> bool:
        """It takes a ``body_part`` input (a ``route`` ensemble)."""
        return self.input("body_part") is not None


class ExportRecord(_Record):
    """``export.json``: the run exported and its artifacts by format."""

    run: str = Field(min_length=1)
    run_folder: str | None = None
    provider: dict[str, Any] | None = None
    artifacts: dict[ExportFormat, ArtifactRecord]

    @model_validator(mode="after")
    def _formats(self) -> ExportRecord:
        for format, entry in self.artifacts.items():
            if entry.format != format:
                raise ValueError(f"artifacts.{format}.format: {entry.format!r} under {format!r}")
        return self


_ARTIFACTS = TypeAdapter(dict[ExportFormat, ArtifactRecord])


def _location(loc: tuple[Any, ...]) -> str:
    """``('artifacts', 'onnx', 'inputs', 0)`` as ``artifacts.onnx.inputs[0]``."""
    text = ""
    for part in loc:
        if part == "[key]":  # a dictionary's key is wrong: the key names it already
            continue
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def _problem(error: ValidationError, *within: str) -> str:
    """The first problem of ``error`` as ``field: what is wrong`` (``within``: the
    location of what was validated)."""
    first = error.errors(include_url=False)[0]
    message = first["msg"].removeprefix("Value error, ")
    where = _location((*within, *first["loc"]))
    message = message[0].lower() + message[1:] if message else message
    return f"{where}: {message}" if where else message


def read_export_record(folder: str | Path) -> ExportRecord | None:
    """The validated ``export.json`` of ``folder`` (None: there is none).

    Raises:
        MuraError: unreadable, not JSON, or not an export record, naming the field.
    """
    path = Path(folder) / EXPORT_JSON
    if not path.is_file():
        return None
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise MuraError(f"{path}: unreadable ({reason})") from None
    try:
        return ExportRecord.model_validate(content)
    except ValidationError as error:
        raise MuraError(f"{path}: {_problem(error)}") from None


def validated_artifacts(artifacts: Any) -> dict[str, ArtifactRecord]:
    """``artifacts`` (records, or their dictionaries) validated as :class:`ArtifactRecord`.

    Raises:
        MuraError: naming the field that is wrong.
    """
    try:
        return dict(_ARTIFACTS.validate_python(artifacts or {}))
    except ValidationError as error:
        raise MuraError(_problem(error, "artifacts")) from None


def write_export_record(folder: Path, record: ExportRecord) -> Path:
    """Write ``record`` as ``folder/export.json``, at once (a temporary file renamed)."""
    path = folder / EXPORT_JSON
    staged = path.with_name(f".{EXPORT_JSON}.tmp")
    text = json.dumps(record.model_dump(mode="json"), indent=2)
    staged.write_text(text + "\n", encoding="utf-8")
    os.replace(staged, path)
    return path


def _leaves(path: Path, folder: Path) -> Path | None:
    """The first entry of ``path`` (itself, or anything under it) resolving outside
    ``folder`` (None: all stay inside)."""
    entries = [path]
    if path.is_dir() and not path.is_symlink():
        for parent, folders, files in os.walk(path):
            entries += [Path(parent) / name for name in folders + files]
    return next((e for e in entries if not e.resolve().is_relative_to(folder)), None)


def artifact_path(folder: str | Path, entry: ArtifactRecord) -> Path:
    """The artifact file (or SavedModel folder) ``entry`` records, inside ``folder``.

    Raises:
        MuraError: an absolute path, one leaving the folder (``..``, a symbolic link,
            anything under a SavedModel folder linking out), or a missing artifact.
    """
    folder = Path(folder)
    field = f"{folder / EXPORT_JSON}: artifacts.{entry.format}.file"
    if Path(entry.file).is_absolute() or entry.file.startswith(("/", "\\")):
        raise MuraError(f"{field}: {entry.file!r} is absolute; it must be inside the export "
                        "folder")  # fmt: skip
    path = folder / entry.file
    inside = folder.resolve()
    resolved = path.resolve()
    if resolved == inside or not resolved.is_relative_to(inside):
        raise MuraError(f"{field}: {entry.file!r} is not inside the export folder")
    if not path.exists():
        raise MuraError(f"{path}: missing (the {entry.format} export was removed?)")
    outside = _leaves(path, inside)
    if outside is not None:
        raise MuraError(f"{field}: {outside} links outside the export folder")
    return path
