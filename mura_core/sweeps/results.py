"""A sweep's results: one record per run, read from its run folder and its outcome.

The figures come from the run folder (``run.json``, ``history.tsv``, ``evaluation.tsv``),
whichever engine ran the run, so they agree with ``mura runs list`` and ``mura compare``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mura_core.sweeps.trial import Outcome
from mura_core.vocabulary import SweepStatus

__all__ = ["SweepRecord", "collect", "records_table", "write_records"]


@dataclass(frozen=True)
class SweepRecord:
    """One run of a sweep, as the table and ``--json`` show it."""

    run: str
    status: SweepStatus
    epochs: int
    best_val_kappa: float | None
    test_study_kappa: float | None
    seconds: float
    error: str | None
    folder: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return asdict(self)


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def record(outcome: Outcome, folder: Path) -> SweepRecord:
    """The record of ``outcome``, with the figures its run folder ``folder`` holds."""
    from mura_core.runs.artifacts import read_run_json
    from mura_core.runs.listing import is_run_folder, summarize_run

    epochs, best_kappa, study_kappa = 0, None, None
    if is_run_folder(folder):
        try:
            summary = summarize_run(folder)
            info = read_run_json(folder / "run.json")
        except Exception:  # a damaged folder: the outcome says what happened
            summary, info = None, {}
        if summary is not None:
            epochs = summary.epochs
            best = info.get("best") if isinstance(info.get("best"), dict) else summary.best
            best_kappa = _number((best or {}).get("val_kappa"))
            study_kappa = _number(summary.evaluation.get("study", {}).get("kappa"))
    return SweepRecord(
        run=outcome.run,
        status=outcome.status,
        epochs=epochs,
        best_val_kappa=best_kappa,
        test_study_kappa=study_kappa,
        seconds=round(outcome.seconds, 3),
        error=outcome.error,
        folder=str(folder),
    )


def collect(outcomes: Sequence[Outcome], folders: Mapping[str, Path]) -> list[SweepRecord]:
    """The records of ``outcomes`` (in their order), each run's figures read from its
    folder in ``folders`` (by run name)."""
    return [record(outcome, folders[outcome.run]) for outcome in outcomes]


def records_table(records: Sequence[SweepRecord]) -> str:
    """The aligned results table printed at the end of a sweep."""
    from mura_core.evaluation import format_table

    headers = ["run", "status", "epochs", "best val_kappa", "test study kappa", "seconds"]
    rows = [
        [item.run, item.status, item.epochs, item.best_val_kappa, item.test_study_kappa,
         round(item.seconds, 1)]
        for item in records
    ]  # fmt: skip
    lines = [format_table(rows, headers)]
    lines += [f"failed: {item.run}: {item.error}" for item in records if item.status == "failed"]
    return "\n".join(lines)


def write_records(records: Sequence[SweepRecord], path: Path) -> None:
    """Write the records as JSON (the sweep's log under the runs folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(
        json.dumps([item.to_dict() for item in records], indent=2) + "\n", encoding="utf-8"
    )
    temporary.replace(path)
