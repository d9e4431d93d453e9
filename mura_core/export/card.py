"""The model card: what a run is, what it learnt from, how it scores and what it is not for.

:func:`write_model_card` writes ``MODEL_CARD.md`` (``mura export`` writes one beside each
artifact). Every figure comes from the run folder (``run.json``, ``split.csv``,
``evaluation.tsv``, the members' folders of an ensemble), the registry's grammar (what
each token of the name means) and what ``mura export`` recorded (each artifact's signature
and parity); nothing is retrained or re-evaluated. A run on data written by
``mura synth`` carries a warning under the title.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mura_core.export import card_artifacts
from mura_core.export import card_sections as sections
from mura_core.export.card_artifacts import Artifacts
from mura_core.export.card_run import read_card_run
from mura_core.export.record import validated_artifacts

__all__ = ["CARD_FILE", "model_card", "write_model_card"]

#: File name of the card beside an artifact.
CARD_FILE = "MODEL_CARD.md"


def write_model_card(
    run_folder: str | Path,
    path: str | Path,
    *,
    artifacts: Mapping[str, Any] | None = None,
    data_root: str | Path | None = None,
) -> Path:
    """Write the model card of the run in ``run_folder`` to ``path`` (a file, or a
    folder to hold :data:`CARD_FILE`) and return the file written.

    Args:
        artifacts: the exported artifacts by format, as ``export.json`` records them
            (:class:`~mura_core.export.record.ArtifactRecord`, or its dictionary, then
            validated); ``None``: not exported.
        data_root: where the run's data is now (default: the root ``run.json`` records);
            read to tell synthetic data from real.

    Raises:
        MuraError: ``run_folder`` is not a run folder, its ``run.json`` is damaged, or
            an artifact record is not valid (naming the field).
    """
    text = model_card(run_folder, artifacts=artifacts, data_root=data_root)
    path = Path(path)
    if path.is_dir():
        path = path / CARD_FILE
    path.write_text(text, encoding="utf-8")
    return path


def model_card(
    run_folder: str | Path,
    *,
    artifacts: Mapping[str, Any] | None = None,
    data_root: str | Path | None = None,
) -> str:
    """The Markdown text :func:`write_model_card` writes."""
    records: Artifacts = validated_artifacts(artifacts)
    run = read_card_run(run_folder, data_root)
    parts = [f"# {run.parsed.full_name}"]
    if run.synthetic is not None:
        parts.append(sections.synthetic_warning())
    mismatch = card_artifacts.mismatch_warning(records)
    if mismatch:
        parts.append(mismatch)
    parts.append(sections.model_section(run))
    if run.members:
        parts.append(sections.members_section(run))
    parts += [
        card_artifacts.artifact_section(records),
        sections.data_section(run),
        sections.training_section(run),
        sections.evaluation_section(run),
        card_artifacts.parity_section(records),
        sections.intended_use_section(run),
        sections.limitations_section(run, records),
    ]
    return "\n\n".join(parts) + "\n"
