"""The model card's sections on exported artifacts: their signature and their parity
with the run, from the entries of ``export.json`` (:class:`ArtifactRecord`)."""

from __future__ import annotations

from typing import Any

from mura_core.evaluation.tables import markdown_table
from mura_core.export.record import ArtifactRecord

__all__ = [
    "PARITY_COLUMNS",
    "Artifacts",
    "artifact_section",
    "mismatch_warning",
    "parity_section",
]

#: The ``export.json`` entries of an export folder, by format.
Artifacts = dict[str, ArtifactRecord]

#: Fields of a parity record (:meth:`mura_core.export.parity.Parity.as_dict`) and their
#: column headers.
PARITY_COLUMNS: dict[str, str] = {
    "format": "format",
    "quantize": "quantised",
    "images": "images",
    "studies": "studies",
    "max_abs_difference": "max abs. difference in probability",
    "run_study_kappa": "study kappa (run)",
    "artifact_study_kappa": "study kappa (artifact)",
    "tolerance": "tolerance",
    "passed": "passed",
}
#: Artifact fields of an ``export.json`` entry and their column headers.
_ARTIFACT_COLUMNS: dict[str, str] = {
    "format": "format",
    "file": "file",
    "quantize": "quantised",
    "weights": "weights",
    "exported": "exported",
}


def _shape(shape: list[int | None]) -> str:
    return "`[" + ", ".join("None" if size is None else str(size) for size in shape) + "]`"


def artifact_section(artifacts: Artifacts | None) -> str:
    """The exported artifacts: format, file, quantisation, and their signature."""
    if not artifacts:
        return "## Artifact\n\nNot exported: this card describes the run folder only."
    entries = list(artifacts.values())
    rows = [[getattr(entry, key) for key in _ARTIFACT_COLUMNS] for entry in entries]
    lines = ["## Artifact", "", markdown_table(rows, list(_ARTIFACT_COLUMNS.values()))]
    signature = []  # the same for every format: listed once
    for entry in entries:
        for direction, tensors in (("input", entry.inputs), ("output", entry.outputs)):
            for tensor in tensors:
                row = [direction, f"`{tensor.name}`", _shape(tensor.shape), tensor.dtype]
                if row not in signature:
                    signature.append(row)
    table = markdown_table(signature, ("tensor", "name", "shape", "dtype"))
    lines += ["", "Signature (a `None` dimension is the batch):", "", table]
    parts = entries[0].body_part_index
    if parts and any(row[1] == "`body_part`" for row in signature):
        indexes = ", ".join(f"{index} {part}" for index, part in enumerate(parts))
        covered = ", ".join(entries[0].covered_body_parts or []) or "none"
        lines += ["", f"`body_part` is the index of the image's body part: {indexes}. "
                  f"Members cover {covered}; the probability of any other part is NaN."]
    for entry in entries:
        if entry.calibration:
            lines += ["", f"The {entry.format} int8 artifact was calibrated on "
                      f"{entry.calibration.images} images of the {entry.calibration.split} "
                      "split."]  # fmt: skip
    return "\n".join(lines)


def parity_section(artifacts: Artifacts | None) -> str:
    """Each artifact's predictions against the run's, one row per format."""
    records = [entry.parity for entry in (artifacts or {}).values() if entry.parity]
    if not records:
        return "## Parity\n\nNot measured."

    def cell(key: str, value: Any) -> object:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if key in ("max_abs_difference", "tolerance") and isinstance(value, float):
            return f"{value:.2g}"
        return value

    rows = [[cell(key, getattr(record, key)) for key in PARITY_COLUMNS] for record in records]
    roots = sorted({record.data_root for record in records if record.data_root})
    where = f" of `{'`, `'.join(roots)}`" if roots else ""
    return "\n".join(
        [
            "## Parity",
            "",
            f"Each artifact against the run's own predictions on the same test images{where}:",
            "",
            markdown_table(rows, list(PARITY_COLUMNS.values())),
        ]
    )


def mismatch_warning(artifacts: Artifacts | None) -> str | None:
    """A warning for artifacts kept beyond their parity tolerance (``--keep-mismatched``)."""
    failed = [format for format, entry in (artifacts or {}).items()
              if entry.parity is not None and not entry.parity.passed]  # fmt: skip
    if not failed:
        return None
    return (f"> **Warning: parity failed.** The {', '.join(failed)} artifact(s) differ from "
            "the run beyond their tolerance (kept with `--keep-mismatched`); see Parity.")
